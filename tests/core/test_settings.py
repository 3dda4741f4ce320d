"""Configuration from the environment: production refuses to start without secrets."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = ["SECRET_KEY", "ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"]
GOOD = {
    "SECRET_KEY": "x" * 50,
    "ALLOWED_HOSTS": "uslugi.example",
    "FIELD_ENCRYPTION_KEYS": "k1:" + "A" * 43 + "=",
    "BLIND_INDEX_KEY": "B" * 43 + "=",
}


def _clean_env() -> dict[str, str]:
    """Only what a process needs to start: no settings leak in from the test runner."""
    return {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}


def run_check(env_overrides: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = _clean_env()
    env.update(
        {
            "USLUGI_ENV_FILE": "/nonexistent",  # ignore a developer's .env
            "USLUGI_DATA_DIR": str(Path(tempfile.gettempdir()) / "uslugi-settings-test"),
            "DATABASE_URL": "",
        }
    )
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-m", "uslugi", "check", "--deploy", "--fail-level", "ERROR"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.parametrize("missing", REQUIRED)
def test_production_refuses_to_start_without_a_required_variable(missing: str) -> None:
    values = {k: v for k, v in GOOD.items() if k != missing}
    result = run_check({"USLUGI_ENV": "production", **values})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert missing in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_production_is_the_default_mode() -> None:
    result = run_check({})
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr


@pytest.mark.slow
def test_unknown_mode_is_refused_in_one_line() -> None:
    result = run_check({"USLUGI_ENV": "staging"})
    assert result.returncode == 2
    assert "USLUGI_ENV" in result.stderr.strip()


@pytest.mark.slow
def test_production_starts_with_all_required_variables() -> None:
    result = run_check({"USLUGI_ENV": "production", **GOOD})
    assert result.returncode == 0, result.stderr


def test_production_security_settings_are_on_by_default() -> None:
    """The values a production process computes (read through a fresh interpreter)."""
    code = (
        "import django; from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
        "s.X_FRAME_OPTIONS, s.SECURE_REFERRER_POLICY, s.SESSION_COOKIE_HTTPONLY)"
    )
    env = _clean_env()
    env.update(
        {
            "USLUGI_ENV": "production",
            "USLUGI_ENV_FILE": "/nonexistent",
            "DJANGO_SETTINGS_MODULE": "uslugi.settings",
            **GOOD,
        }
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.split()
    assert out == [
        "False",
        "True",
        "True",
        "31536000",
        "DENY",
        "strict-origin-when-cross-origin",
        "True",
    ]
