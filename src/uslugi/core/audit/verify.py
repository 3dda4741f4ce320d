"""Walking the chain to prove it intact, or to name the first broken entry."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from uslugi.core.audit.models import (
    GENESIS_HASH,
    HASHED_FIELDS,
    AuditChainHead,
    AuditEntry,
    entry_hash,
)


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of walking the chain; `problem` is empty when it is intact.

    `last_seq` and `last_hash` are those of the last entry found intact (the chain head
    when all is well); `broken_seq` names the first entry that is not.
    """

    checked: int
    last_seq: int
    last_hash: str
    broken_seq: int | None = None
    problem: str = ""
    message: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def audit_verify(
    *,
    from_seq: int = 1,
    batch_size: int = 2_000,
    anchors: Mapping[int, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> VerifyReport:
    """Walk the chain by seq and report the first broken entry, if any.

    Reads in keyset-paginated batches, so memory and transaction length stay flat on
    any journal size. `anchors` maps seqs to hashes kept outside the database: a chain
    rewritten from some entry on recomputes every later hash, but cannot match an anchor.
    `progress(seq)` is called after each batch with the last seq read.
    """
    if from_seq < 1 or batch_size < 1:
        raise ValueError("from_seq and batch_size must be positive")
    head = AuditChainHead.objects.filter(pk=1).values_list("last_seq", "last_hash").first()
    if head is None:
        first = AuditEntry.objects.order_by("seq").values_list("seq", flat=True).first()
        if first is None:
            return VerifyReport(checked=0, last_seq=0, last_hash=GENESIS_HASH)
        return _Walk(from_seq, GENESIS_HASH).broken(
            first, "head_missing", "the chain head is missing but entries exist"
        )
    end_seq, end_hash = head
    anchors = dict(anchors or {})
    if from_seq > max(end_seq, 1) or any(not from_seq <= s <= end_seq for s in anchors):
        raise ValueError(f"from_seq and anchors must lie within the journal (1 to {end_seq})")

    walk = _Walk(from_seq, GENESIS_HASH)
    if from_seq > 1:
        before = AuditEntry.objects.filter(seq=from_seq - 1).values_list("hash", flat=True)
        walk.expected_prev = before.first() or ""
        if not walk.expected_prev:
            return walk.broken(
                from_seq - 1,
                "missing",
                f"entry {from_seq - 1}, the one before the starting point, is missing (deleted)",
            )
    for values in _rows(from_seq, end_seq, batch_size, progress):
        problem = walk.step(values, anchors)
        if problem is not None:
            return problem
    return walk.finish(end_seq, end_hash)


class _Walk:
    """What the next entry must be, and the checks on it."""

    def __init__(self, expected_seq: int, expected_prev: str) -> None:
        self.checked = 0
        self.expected_seq = expected_seq
        self.expected_prev = expected_prev

    def broken(self, seq: int, problem: str, message: str) -> VerifyReport:
        return VerifyReport(
            checked=self.checked,
            last_seq=self.expected_seq - 1,
            last_hash=self.expected_prev,
            broken_seq=seq,
            problem=problem,
            message=message,
        )

    def step(self, values: dict[str, Any], anchors: Mapping[int, str]) -> VerifyReport | None:
        seq = values["seq"]
        if seq != self.expected_seq:
            return self.broken(
                self.expected_seq,
                "missing",
                f"entry {_span(self.expected_seq, seq - 1)} is missing (deleted): "
                f"the chain jumps to {seq}",
            )
        if values["prev_hash"] != self.expected_prev:
            return self.broken(
                seq,
                "prev_hash_mismatch",
                f"entry {seq} does not link to entry {seq - 1}: its previous hash differs "
                f"(entry {seq - 1} was rewritten, or entries were inserted or reordered)",
            )
        if entry_hash(values) != values["hash"]:
            return self.broken(
                seq, "hash_mismatch", f"entry {seq} does not match its hash (it was edited)"
            )
        if seq in anchors and anchors[seq] != values["hash"]:
            return self.broken(
                seq,
                "anchor_mismatch",
                f"entry {seq} differs from its anchor hash (the chain was rewritten)",
            )
        self.expected_seq, self.expected_prev = seq + 1, values["hash"]
        self.checked += 1
        return None

    def finish(self, end_seq: int, end_hash: str) -> VerifyReport:
        if self.expected_seq <= end_seq:
            return self.broken(
                self.expected_seq,
                "missing",
                f"entry {_span(self.expected_seq, end_seq)} is missing (deleted): "
                f"the chain head says the journal ends at {end_seq}",
            )
        if self.expected_prev != end_hash:
            return self.broken(
                end_seq,
                "head_mismatch",
                f"entry {end_seq}, the last one, does not match the chain head's hash",
            )
        # The highest seq is read before the head: an append commits its entry and the
        # head together, so a head read later is never behind a committed entry.
        highest = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
        head_now = AuditChainHead.objects.filter(pk=1).values_list("last_seq", flat=True).first()
        if head_now is None or (highest or 0) > head_now:
            beyond = (head_now or 0) + 1
            return self.broken(
                beyond,
                "beyond_head",
                f"entry {beyond} lies beyond the chain head "
                "(written without audit_record, or the head was moved back)",
            )
        return VerifyReport(checked=self.checked, last_seq=end_seq, last_hash=end_hash)


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first} to {last}"


def _rows(
    from_seq: int,
    end_seq: int,
    batch_size: int,
    progress: Callable[[int], None] | None,
) -> Iterator[dict[str, Any]]:
    """Entries from `from_seq` to `end_seq` in seq order, fetched a batch at a time."""
    names = (*HASHED_FIELDS, "hash")
    after = from_seq - 1
    while after < end_seq:
        rows = list(
            AuditEntry.objects.filter(seq__gt=after, seq__lte=end_seq)
            .order_by("seq")
            .values_list(*names)[:batch_size]
        )
        if not rows:
            return
        for row in rows:
            yield dict(zip(names, row, strict=True))
        after = rows[-1][0]
        if progress is not None:
            progress(after)
