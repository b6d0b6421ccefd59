"""The systemd units shipped for production are read by systemd itself, and ask for what the service needs."""

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest

UNITS = Path(__file__).resolve().parent.parent / "deploy" / "systemd"
INSTALLED_AT = "opt/attunement/.venv/bin"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(UNITS / name)
    return parser


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_reads_every_unit_without_a_complaint(tmp_path):
    # A throw-away root with the programs the units start, so systemd checks them as it would on a server.
    programs = tmp_path / INSTALLED_AT
    programs.mkdir(parents=True)
    for program in ("python", "gunicorn"):
        (programs / program).write_text("#!/bin/sh\n")
        (programs / program).chmod(0o755)
    system = tmp_path / "etc/systemd/system"
    system.mkdir(parents=True)
    names = sorted(p.name for p in UNITS.iterdir() if p.suffix in {".service", ".timer"})
    for name in names:
        shutil.copy(UNITS / name, system / name)
    result = subprocess.run(
        ["systemd-analyze", "verify", f"--root={tmp_path}", *(f"/etc/systemd/system/{n}" for n in names)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    # The bare root has none of the system's own targets; anything else said is a fault in our units.
    complaints = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line.strip() and not re.search(r"Unit [\w.-]+\.target not found", line)
    ]
    assert complaints == []
    assert {"attunement-web.service", "attunement-worker.service", "attunement-retention.timer"} <= set(names)


def test_the_long_running_processes_are_restarted_and_write_only_private_files():
    for name in ("attunement-web.service", "attunement-worker.service"):
        service = unit(name)["Service"]
        assert service["Restart"] == "always", name
        assert service["UMask"] == "0077", name
        assert service["NoNewPrivileges"] == "true", name
        assert service["User"] != "root", name
    assert "run_worker" in unit("attunement-worker.service")["Service"]["ExecStart"]
    assert unit("attunement-retention.service")["Service"]["UMask"] == "0077"
