"""The `uslugi` command: Django's management commands (`uslugi migrate`, `uslugi serve`,
`uslugi worker`, `uslugi audit verify`, ...). A configuration error prints one line."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uslugi.settings")
    from uslugi.config import ConfigError

    try:
        from django.conf import settings
        from django.core.management import execute_from_command_line

        settings.INSTALLED_APPS  # noqa: B018 - load settings now, to report errors in one line

        execute_from_command_line(["uslugi", *(sys.argv[1:] if argv is None else argv)])
    except ConfigError as exc:
        sys.stderr.write(f"uslugi: configuration error: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
