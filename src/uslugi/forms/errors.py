from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from uslugi.core.errors import Conflict, InvalidInput, NotFound


class DefinitionNotFound(NotFound):
    code = "definition_not_found"
    message = _("No such service definition.")


class VersionImmutable(Conflict):
    code = "definition_version_immutable"
    message = _("A published definition version cannot be changed.")


class TransitionNotAllowed(Conflict):
    code = "definition_transition_not_allowed"
    message = _("The definition version cannot move from %(source)s to %(target)s.")


class DefinitionRejected(InvalidInput):
    code = "definition_invalid"
    message = _("The definition is not valid.")


class InvalidUpload(InvalidInput):
    code = "invalid_upload"
    message = _("The file cannot be accepted.")
