"""Staff roles of the identity app, kept in step with the code after every migrate."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission

OPERATOR_GROUP = "Service-centre operators"


def ensure_roles(**kwargs: Any) -> None:
    """The operators' group with its permission (post_migrate; safe to repeat)."""
    permission = Permission.objects.filter(
        codename="operate_service_centre", content_type__app_label="identity"
    ).first()
    if permission is None:  # the permission is created by this same post_migrate
        return
    group, _ = Group.objects.get_or_create(name=OPERATOR_GROUP)
    group.permissions.add(permission)
