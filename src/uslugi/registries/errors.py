"""Domain errors of the sandbox registries' commands."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from uslugi.core.errors import Conflict


class PopulationExists(Conflict):
    code = "population_exists"
    message = _("The registries already hold a generated population; add --reset to replace it.")
