"""Postal-service adapters as plugins: `outbox` (development: letters into the database,
shown on /dev/post-outbox and in the admin). The setting POSTAL_SERVICE chooses one."""

from uslugi.identity.post.base import PostalError, PostalService, register, service

__all__ = ["PostalError", "PostalService", "register", "service"]
