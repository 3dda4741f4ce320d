"""The audit journal: an append-only, hash-chained record of who did what, to which
object, when and from where.

Write with `audit_record(action=..., ...)`; check with `audit_verify()` (the command
`uslugi audit verify`). Each entry's hash covers its own fields and the previous entry's
hash, so editing, deleting, inserting or reordering entries breaks the chain at a place
`audit_verify` names. A singleton `AuditChainHead` row holds the last seq and hash:
locking it serialises appends (one chain, no forks) and lets verification notice entries
cut off the end. See docs/adr/0006-audit-journal.md.
"""

from uslugi.core.audit.context import (
    SYSTEM,
    Actor,
    AuditContextMiddleware,
    current_request,
    request_context,
)
from uslugi.core.audit.guard import (
    append_only_trigger_installed,
    ensure_append_only_trigger,
    install_append_only_trigger,
    uninstall_append_only_trigger,
)
from uslugi.core.audit.models import (
    GENESIS_HASH,
    AppendOnlyError,
    AuditChainHead,
    AuditEntry,
    entry_hash,
)
from uslugi.core.audit.record import audit_record
from uslugi.core.audit.scrub import REDACTED, is_secret_key, mask_identifier, scrub_details
from uslugi.core.audit.verify import VerifyReport, audit_verify

__all__ = [
    "GENESIS_HASH",
    "REDACTED",
    "SYSTEM",
    "Actor",
    "AppendOnlyError",
    "AuditChainHead",
    "AuditContextMiddleware",
    "AuditEntry",
    "VerifyReport",
    "append_only_trigger_installed",
    "audit_record",
    "audit_verify",
    "current_request",
    "ensure_append_only_trigger",
    "entry_hash",
    "install_append_only_trigger",
    "is_secret_key",
    "mask_identifier",
    "request_context",
    "scrub_details",
    "uninstall_append_only_trigger",
]
