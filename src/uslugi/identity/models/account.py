"""The account: one per person for every service (the ESIA of Uslugi)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils.translation import gettext_lazy as _

from uslugi.core import clock
from uslugi.core.fields import EncryptedTextField
from uslugi.core.ids import new_id
from uslugi.identity.constants import LEVEL_ORDER, ConfirmationMethod, Level, SecondFactor


class AccountManager(BaseUserManager["Account"]):
    def create_user(self, email: str | None, password: str | None = None, **extra: Any) -> Account:
        account = self.model(email=self.normalize_email(email) if email else None, **extra)
        account.set_password(password)
        account.save(using=self._db)
        return account

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> Account:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class Account(AbstractBaseUser, PermissionsMixin):
    """A person's account: contacts, level of assurance and sign-in settings.

    Verified personal data lives in `PersonalData` (encrypted, loaded only when needed),
    so the account read on every request carries none of it.
    """

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    email = models.EmailField(_("email"), unique=True, null=True, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=16, unique=True, null=True, blank=True)
    surname = models.CharField(_("surname"), max_length=100, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    level = models.CharField(
        _("level"), max_length=16, choices=Level.choices, default=Level.SIMPLIFIED
    )
    level_changed_at = models.DateTimeField(_("level changed"), null=True, blank=True)
    confirmation_method = models.CharField(
        _("confirmation method"), max_length=16, choices=ConfirmationMethod.choices, blank=True
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    second_factor = models.CharField(
        _("second sign-in step"), max_length=8, choices=SecondFactor.choices, blank=True
    )
    totp_secret = EncryptedTextField(_("authenticator secret"), null=True, blank=True)
    # The last accepted authenticator time step: a code is never accepted twice.
    totp_last_step = models.BigIntegerField(null=True, blank=True, editable=False)
    must_change_password = models.BooleanField(_("must change password"), default=False)
    password_changed_at = models.DateTimeField(_("password changed"), null=True, blank=True)
    is_staff = models.BooleanField(_("staff"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=clock.now)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    objects: ClassVar[AccountManager] = AccountManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return self.get_full_name() or str(self.id)

    def get_full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.first_name, self.patronymic) if p)

    def get_short_name(self) -> str:
        return self.first_name

    @property
    def level_rank(self) -> int:
        return LEVEL_ORDER[Level(self.level)]

    def has_level(self, level: Level) -> bool:
        return self.level_rank >= LEVEL_ORDER[level]
