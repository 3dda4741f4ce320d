from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.contrib.auth import signals as auth_signals
from django.db import connections
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "uslugi.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from uslugi.core.audit import signals as audit_signals

        auth_signals.user_logged_in.connect(
            audit_signals.record_login, dispatch_uid="uslugi.audit.login"
        )
        auth_signals.user_logged_out.connect(
            audit_signals.record_logout, dispatch_uid="uslugi.audit.logout"
        )
        auth_signals.user_login_failed.connect(
            audit_signals.record_login_failed, dispatch_uid="uslugi.audit.login_failed"
        )
        post_migrate.connect(
            _ensure_audit_guard, sender=self, dispatch_uid="uslugi.audit.ensure_guard"
        )


def _ensure_audit_guard(sender: AppConfig, using: str, **kwargs: Any) -> None:
    # The migration installs the PostgreSQL guard; this covers databases built without
    # migrations (the test suite runs with --no-migrations) and a guard dropped since.
    from uslugi.core.audit import ensure_append_only_trigger

    ensure_append_only_trigger(connections[using])
