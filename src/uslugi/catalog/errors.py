"""Errors of the catalogue, with stable codes for HTML and API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from uslugi.core.errors import InvalidInput, NotFound, PermissionDenied


class ServiceNotFound(NotFound):
    code = "service_not_found"
    message = _("There is no such service.")


class RegionNotFound(NotFound):
    code = "region_not_found"
    message = _("There is no such region.")


class CategoryNotFound(NotFound):
    code = "category_not_found"
    message = _("There is no such category.")


class DepartmentNotFound(NotFound):
    code = "department_not_found"
    message = _("There is no such department.")


class LifeSituationNotFound(NotFound):
    code = "life_situation_not_found"
    message = _("There is no such life situation.")


class NotDepartmentEditor(PermissionDenied):
    code = "not_department_editor"
    message = _("You may edit only the services of your own department.")


class NotPublisher(PermissionDenied):
    code = "not_publisher"
    message = _("Only a publisher of the department may publish or withdraw its services.")


class InvalidCursor(InvalidInput):
    code = "invalid_cursor"
    message = _("The cursor is not valid: start again from the first page.")


class RegisterFileInvalid(InvalidInput):
    """An import file with problems; `problems` names each record and field."""

    code = "register_file_invalid"
    message = _("The register file has errors; nothing was imported.")

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(params={})
