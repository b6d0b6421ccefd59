"""`pytest -m e2e` runs exactly the tests that start a real server, and `pytest -m "not e2e"` everything else."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECORDER = """
import json, os

chosen, left_out = [], []


def _describe(item):
    return {"id": item.nodeid, "fixtures": sorted(getattr(item, "fixturenames", ()))}


def pytest_deselected(items):
    left_out.extend(_describe(item) for item in items)


def pytest_collection_finish(session):
    chosen.extend(_describe(item) for item in session.items)
    with open(os.environ["MARKER_RECORD"], "w") as out:
        json.dump({"chosen": chosen, "left_out": left_out}, out)
"""


def starts_a_real_server(test: dict) -> bool:
    """Chromium against Django's live server, anything in tests/e2e, or the whole service under supervisor."""
    in_e2e = test["id"].startswith("tests/e2e/")
    whole_service = test["id"].startswith("tests/test_availability.py") and "service" in test["fixtures"]
    return in_e2e or whole_service or bool({"live_server", "browser"} & set(test["fixtures"]))


def test_the_e2e_marker_selects_every_test_that_starts_a_real_server_and_no_other(tmp_path):
    (tmp_path / "marker_record.py").write_text(RECORDER)
    record = tmp_path / "record.json"
    env = {**os.environ, "MARKER_RECORD": str(record), "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT / 'src'}"}
    env.pop("PYTEST_XDIST_WORKER", None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "marker_record", "-p", "no:randomly"]
        + ["-p", "no:xdist", "-m", "e2e", "tests"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    found = json.loads(record.read_text())
    chosen, left_out = found["chosen"], found["left_out"]

    assert len(chosen) >= 20 and len(left_out) >= 500  # both kinds exist in numbers
    assert [t["id"] for t in chosen if not starts_a_real_server(t)] == []
    assert [t["id"] for t in left_out if starts_a_real_server(t)] == []
