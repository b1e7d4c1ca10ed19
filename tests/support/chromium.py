"""Find the Chromium the browser tests drive, install one if none is found, or say what to do.

``make test`` runs ``python -m tests.support.chromium`` before any test, so a machine
without a browser fails first, once, with one message that says exactly what to run,
instead of with an error in every browser test. Browser tests are never skipped.

Order: ``$CHROMIUM_PATH``, Debian's ``/usr/bin/chromium``, Playwright's own download.
When none is there: on Debian as root ``apt-get install chromium``, else (or if that
fails) ``playwright install chromium``.
"""

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

DEBIAN_CHROMIUM = "/usr/bin/chromium"
INSTALL_TIMEOUT = 600
ERROR_MISSING = "CHROMIUM_PATH names {path}, which does not exist."
ERROR_INSTALL_FAILED = "No Chromium was found for the browser tests, and installing one failed."
HELP = """\
Install one, then run `make test` again:
  Debian or Ubuntu:  sudo apt-get install chromium
  elsewhere:         .venv/bin/playwright install chromium
  or point CHROMIUM_PATH at a Chromium or Chrome binary: CHROMIUM_PATH=/path/to/chrome make test"""


def chromium_executable() -> str | None:
    """Return the Chromium to launch: CHROMIUM_PATH, Debian's, or None for Playwright's own."""
    configured = os.environ.get("CHROMIUM_PATH", "").strip()
    if configured:
        return configured
    if Path(DEBIAN_CHROMIUM).exists() or shutil.which("chromium") == DEBIAN_CHROMIUM:
        return DEBIAN_CHROMIUM
    return None


def playwright_chromium() -> str | None:
    """Return the path of Playwright's own Chromium if it is downloaded, else None."""
    from playwright.sync_api import Error, sync_playwright

    try:
        with sync_playwright() as playwright:
            path = playwright.chromium.executable_path
    except Error:
        return None
    return path if path and Path(path).exists() else None


def browser_found() -> str | None:
    """Return the browser the tests will use, or None when there is none."""
    executable = chromium_executable()
    if executable:
        return executable if Path(executable).exists() else None
    return playwright_chromium()


def _run(command: list[str]) -> bool:
    print("$", " ".join(command), flush=True)
    try:
        return subprocess.run(command, timeout=INSTALL_TIMEOUT, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"  failed: {exc}", flush=True)
        return False


def install_commands() -> list[list[str]]:
    """Return the installs to try, in order, on this machine."""
    commands = []
    if Path("/etc/debian_version").exists() and os.geteuid() == 0 and shutil.which("apt-get"):
        commands.append(["apt-get", "update", "-qq"])
        commands.append(["apt-get", "install", "-y", "-qq", "chromium"])
    commands.append([str(Path(sys.executable).parent / "playwright"), "install", "chromium"])
    return commands


def ensure_browser(
    find: Callable[[], str | None] = browser_found,
    run: Callable[[list[str]], bool] = _run,
    commands: Callable[[], list[list[str]]] = install_commands,
) -> int:
    """Find a browser, installing one if needed; return 0, or 1 after printing what to run."""
    if os.environ.get("CHROMIUM_PATH", "").strip() and find() is None:
        print(
            ERROR_MISSING.format(path=os.environ["CHROMIUM_PATH"]), HELP, sep="\n", file=sys.stderr
        )
        return 1
    found = find()
    if found is None:
        print("No Chromium for the browser tests; trying to install one.", flush=True)
        for command in commands():
            if run(command) and (found := find()):
                break
    if found is None:
        print(ERROR_INSTALL_FAILED, HELP, sep="\n", file=sys.stderr)
        return 1
    print(f"Browser tests use {found}")
    return 0


if __name__ == "__main__":
    sys.exit(ensure_browser())
