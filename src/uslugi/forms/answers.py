"""A registry's answer to an information service, laid out for people."""

from __future__ import annotations

from typing import Any


def answer_blocks(response: dict[str, Any]) -> list[dict[str, Any]]:
    """A registry's answer as summary lists: one per listed item, one for the totals."""
    blocks: list[dict[str, Any]] = []
    totals = []
    for key, value in response.items():
        if isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    rows = [
                        {"key": k, "value": "" if v is None else str(v)} for k, v in item.items()
                    ]
                    blocks.append({"title": key, "rows": rows})
        else:
            totals.append({"key": key, "value": "" if value is None else str(value)})
    if totals:
        blocks.append({"title": "", "rows": totals})
    return blocks
