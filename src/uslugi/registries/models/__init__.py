"""Data of the sandbox agency registries, one module per agency, as each agency's own
registry holds it (each keeps its own copy of names and dates, as real agencies do).
Identifiers and dates of persons are encrypted; look-ups go through blind indexes."""

from uslugi.registries.models.egrul import Entrepreneur, Organisation
from uslugi.registries.models.faults import PopulationRun, RegistryFault
from uslugi.registries.models.fns import TaxDebt, Taxpayer
from uslugi.registries.models.fssp import EnforcementProceeding
from uslugi.registries.models.gibdd import DriverLicence, Fine, Vehicle
from uslugi.registries.models.mvd import ForeignDocument, Passport
from uslugi.registries.models.pfr import InsuredPerson, PensionAccount
from uslugi.registries.models.zags import BirthRecord, MarriageRecord

__all__ = [
    "BirthRecord",
    "DriverLicence",
    "EnforcementProceeding",
    "Entrepreneur",
    "Fine",
    "ForeignDocument",
    "InsuredPerson",
    "MarriageRecord",
    "Organisation",
    "Passport",
    "PensionAccount",
    "PopulationRun",
    "RegistryFault",
    "TaxDebt",
    "Taxpayer",
    "Vehicle",
]
