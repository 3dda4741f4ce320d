from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from uslugi.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied


class ApplicationNotFound(NotFound):
    code = "application_not_found"
    message = _("No such application.")


class TransitionRefused(Conflict):
    code = "application_transition_refused"
    message = _("An application that is “%(source)s” cannot become “%(target)s”.")


class EventIdReused(Conflict):
    code = "event_id_reused"
    message = _(
        "This event id was already used for another event of this application: give a new "
        "event a new id."
    )


class NotAnApplicationService(InvalidInput):
    code = "not_an_application_service"
    message = _("This service answers at once; it has no application to send.")


class AnswersIncomplete(InvalidInput):
    code = "application_answers_incomplete"
    message = _("Some answers are missing or need changing.")


class LevelTooLow(PermissionDenied):
    code = "account_level_too_low"
    message = _("Your account's level is too low for this service.")


class DraftNotFound(NotFound):
    code = "draft_not_found"
    message = _("No such draft.")
