"""Reading and validating configuration from the environment.

Settings come from environment variables only (a `.env` file in development). In
production mode a missing required variable stops the process with one line naming it.
"""

from __future__ import annotations

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

PRODUCTION = "production"
DEVELOPMENT = "development"
TEST = "test"
MODES = (PRODUCTION, DEVELOPMENT, TEST)


class ConfigError(ImproperlyConfigured):
    """A setting is missing or wrong; the message is one line that names the variable."""


def project_dir() -> Path:
    """The checkout's root (holds `.env`, `var/`, `build/`)."""
    return Path(__file__).resolve().parents[2]


def load_env() -> environ.Env:
    """Read `.env` (if present, without overriding real variables) and return the reader.

    The test suite (USLUGI_ENV=test set by the runner) never reads `.env`, so a developer's
    local settings cannot leak into tests.
    """
    if os.environ.get("USLUGI_ENV") == TEST:
        return environ.Env()
    env_file = Path(os.environ.get("USLUGI_ENV_FILE", project_dir() / ".env"))
    if env_file.is_file():
        environ.Env.read_env(str(env_file), overwrite=False)
    return environ.Env()


def mode(env: environ.Env) -> str:
    value = env.str("USLUGI_ENV", default=PRODUCTION)
    if value not in MODES:
        raise ConfigError(f"USLUGI_ENV must be one of {', '.join(MODES)}, got {value!r}")
    return value


def require(env: environ.Env, names: list[str]) -> None:
    """Stop with one line naming every required variable that is unset or empty."""
    missing = [name for name in names if not env.str(name, default="").strip()]
    if missing:
        raise ConfigError(
            "missing required environment variable"
            + ("s" if len(missing) > 1 else "")
            + ": "
            + ", ".join(missing)
            + " (see .env.example)"
        )
