"""Demo data: the shipped service definitions under services/, published (development only)."""

from __future__ import annotations

from typing import TextIO

from uslugi.forms.services import definitions_load


def load(stdout: TextIO) -> None:
    report = definitions_load(publish=True)
    for problem in report.problems:
        stdout.write(f"service definitions: {problem}\n")
    stdout.write(
        f"service definitions: {len(report.created)} new, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged (published for the demo)\n"
    )
