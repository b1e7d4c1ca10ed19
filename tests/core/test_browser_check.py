"""``make test`` finds a browser before any test, installs one, or stops with what to run."""

from pathlib import Path

import pytest

from tests.support import chromium
from tests.support.chromium import ERROR_INSTALL_FAILED, ERROR_MISSING, HELP, ensure_browser


@pytest.fixture(autouse=True)
def no_chromium_path(monkeypatch):
    monkeypatch.delenv("CHROMIUM_PATH", raising=False)


def test_a_found_browser_is_used_and_nothing_is_installed(capsys):
    ran = []
    assert ensure_browser(find=lambda: "/usr/bin/chromium", run=ran.append) == 0
    assert ran == []
    assert "Browser tests use /usr/bin/chromium" in capsys.readouterr().out


def test_no_browser_tries_each_install_until_one_is_found(capsys):
    found: list[str] = []
    ran = []

    def run(command):
        ran.append(command)
        if command[-1] == "chromium" and command[0] == "apt-get":
            found.append("/usr/bin/chromium")
        return True

    commands = [["apt-get", "update"], ["apt-get", "install", "chromium"], ["pw", "chromium"]]
    status = ensure_browser(
        find=lambda: found[0] if found else None, run=run, commands=lambda: commands
    )
    assert status == 0
    assert ran == commands[:2]  # stopped once a browser appeared


def test_failed_installs_stop_with_one_message_that_says_what_to_run(capsys):
    status = ensure_browser(find=lambda: None, run=lambda c: False, commands=lambda: [["x"]])
    assert status == 1
    err = capsys.readouterr().err
    assert err.startswith(ERROR_INSTALL_FAILED)
    assert "sudo apt-get install chromium" in err
    assert ".venv/bin/playwright install chromium" in err
    assert HELP in err


def test_a_wrong_chromium_path_is_reported_without_installing(monkeypatch, capsys):
    monkeypatch.setenv("CHROMIUM_PATH", "/nowhere/chrome")
    ran = []
    assert ensure_browser(find=chromium.browser_found, run=ran.append) == 1
    assert ran == []
    assert ERROR_MISSING.format(path="/nowhere/chrome") in capsys.readouterr().err


def test_chromium_path_wins_over_debian(monkeypatch, tmp_path: Path):
    binary = tmp_path / "chrome"
    binary.write_text("")
    monkeypatch.setenv("CHROMIUM_PATH", str(binary))
    assert chromium.browser_found() == str(binary)


def test_installs_end_with_playwright_and_use_apt_only_as_root_on_debian(monkeypatch):
    monkeypatch.setattr(chromium.os, "geteuid", lambda: 1000)
    commands = chromium.install_commands()
    assert [c[1:] for c in commands] == [["install", "chromium"]]
    assert commands[0][0].endswith("/playwright")
