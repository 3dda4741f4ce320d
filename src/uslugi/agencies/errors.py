from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from uslugi.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied


class NotStaff(PermissionDenied):
    code = "agency_not_staff"
    message = _("This page is for agency staff.")


class SecondFactorRequired(PermissionDenied):
    code = "agency_second_factor_required"
    message = _("Agency staff must sign in with a second step. Turn it on first.")


class CaseNotFound(NotFound):
    code = "agency_case_not_found"
    message = _("No such application in your departments.")


class NotSupervisor(PermissionDenied):
    code = "agency_not_supervisor"
    message = _("Only a supervisor of the department may do this.")


class NotAdministrator(PermissionDenied):
    code = "agency_not_administrator"
    message = _("Only an agency administrator of the department may do this.")


class AssigneeOutOfScope(InvalidInput):
    code = "agency_assignee_out_of_scope"
    message = _("This person is not an officer of the application's department.")


class CommentRequired(InvalidInput):
    code = "agency_comment_required"
    message = _("Write what the applicant has to do or why.")


class ResultRequired(InvalidInput):
    code = "agency_result_required"
    message = _("Attach at least one result document.")


class AccountNotFound(NotFound):
    code = "agency_account_not_found"
    message = _("No account with this email.")


class DepartmentOutOfScope(InvalidInput):
    code = "agency_department_out_of_scope"
    message = _("You do not administer this department.")


class UnknownRegion(InvalidInput):
    code = "agency_unknown_region"
    message = _("There is no region with this code. Enter two digits, e.g. 77.")


class OfficeOutOfDepartment(InvalidInput):
    code = "agency_office_out_of_department"
    message = _("Choose an office of this department.")


class RegionOrOffice(InvalidInput):
    code = "agency_region_or_office"
    message = _("Limit the role to a region or to an office, not both.")


class AdministratorOfOffice(InvalidInput):
    code = "agency_administrator_of_office"
    message = _(
        "An agency administrator works for a whole department or region, not for one office."
    )


class AssignedElsewhere(PermissionDenied):
    code = "agency_assigned_elsewhere"
    message = _("This application is assigned to %(name)s: ask them or a supervisor.")


class CaseClosed(Conflict):
    code = "agency_case_closed"
    message = _("This application is decided or cancelled: there is nothing to take.")
