"""The pathway's intervals come from the environment, like every other setting."""

import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
READ = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.SAFETY_REALERT_MINUTES, settings.SAFETY_RESCREEN_DAYS)"
)


def _settings(**env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SAFETY_")}
    environ |= {"DJANGO_SETTINGS_MODULE": "openrecovery.settings.test", "PYTHONPATH": str(SRC)}
    return subprocess.run(
        [sys.executable, "-c", READ], env=environ | env, capture_output=True, text=True, timeout=60
    )


def test_defaults_and_values_from_the_environment():
    assert _settings().stdout.split() == ["15", "7"]
    done = _settings(SAFETY_REALERT_MINUTES="5", SAFETY_RESCREEN_DAYS="3")
    assert done.stdout.split() == ["5", "3"]


def test_a_bad_value_stops_startup():
    done = _settings(SAFETY_REALERT_MINUTES="0")
    assert done.returncode != 0 and "SAFETY_REALERT_MINUTES must be positive" in done.stderr
