"""The service stays up while someone does something long: short write transactions, sessions that are
not written on every request, files only the service can read, and a worker that outlives a busy database."""

import os
import signal
import sqlite3
import subprocess
import time
from contextlib import closing
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attunement.accounts.middleware import LAST_SEEN_KEY


def _session_writes(queries) -> list[str]:
    return [q["sql"] for q in queries if "django_session" in q["sql"] and not q["sql"].lstrip().startswith("SELECT")]


@pytest.mark.django_db
class TestSessionWrites:
    def test_a_signed_in_page_writes_nothing_until_a_minute_has_passed(self, world, client):
        client.force_login(world.practitioner.user)
        assert client.get("/").status_code == 200  # the first request notes when the user was seen
        with CaptureQueriesContext(connection) as queries:
            for _ in range(3):
                assert client.get("/").status_code == 200
        assert _session_writes(queries.captured_queries) == []

        session = client.session
        session[LAST_SEEN_KEY] = time.time() - 90
        session.save()
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        assert len(_session_writes(queries.captured_queries)) == 1
        assert time.time() - client.session[LAST_SEEN_KEY] < 5

    def test_the_idle_timeout_still_counts_from_the_last_request_seen(self, world, client, settings):
        settings.IDLE_TIMEOUT_MINUTES = 30
        client.force_login(world.practitioner.user)
        client.get("/")
        session = client.session
        session[LAST_SEEN_KEY] = time.time() - 29 * 60  # active 29 minutes ago: still signed in, and seen now
        session.save()
        assert client.get("/").status_code == 200
        assert time.time() - client.session[LAST_SEEN_KEY] < 5
        session = client.session
        session[LAST_SEEN_KEY] = time.time() - 31 * 60
        session.save()
        response = client.get("/")
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


# --- Real processes -------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
HOUSEKEEPING_MODULE = """
from pathlib import Path

from attunement.config.settings import *  # noqa: F403

WORKER_HOUSEKEEPING = ["availability_probe.broken", "availability_probe.count"]
"""
PROBE_MODULE = """
import os
from pathlib import Path


def broken():
    raise RuntimeError("housekeeping that always fails")


def count():
    with open(Path(os.environ["ATTUNEMENT_VAR_DIR"]) / "housekeeping-calls", "a") as calls:
        calls.write("called\\n")
"""


def process_env(var_dir: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(ATTUNEMENT_VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1", **extra)
    return env


def manage(var_dir: Path, *args: str, **env) -> str:
    done = subprocess.run(
        [str(PYTHON), "manage.py", *args],
        cwd=ROOT,
        env=process_env(var_dir, **env),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


# How long to wait for a process to reach a state. A quiet machine takes a few seconds; one whose cores are all
# busy takes far longer to start Python, Django, supervisor and gunicorn, so the limit is generous.
BUSY_MACHINE_WAIT_S = 180


def wait_for(condition, what: str, timeout: float = BUSY_MACHINE_WAIT_S):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"Still waiting after {timeout} s: {what}")


def task_status(var_dir: Path, task_id: str) -> str | None:
    with closing(sqlite3.connect(var_dir / "attunement.sqlite3", timeout=30)) as db:
        row = db.execute("SELECT status FROM django_tasks_database_dbtaskresult WHERE id = ?", (task_id,)).fetchone()
    return row[0] if row else None


ENQUEUE = (
    "from attunement.privacy.tasks import media_withdrawn_consent_cleanup as t; "
    "print(t.enqueue(999999, 'video').id.replace('-', ''))"
)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("var")
    manage(var_dir, "migrate", "--no-input", "-v", "0")
    return var_dir


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="about SQLite's write lock")
def test_the_worker_waits_out_a_locked_database_and_keeps_working(migrated, tmp_path):
    (tmp_path / "availability_probe.py").write_text(PROBE_MODULE)
    (tmp_path / "availability_settings.py").write_text(HOUSEKEEPING_MODULE)
    env = process_env(
        migrated,
        SQLITE_BUSY_TIMEOUT_SECONDS="1",
        DJANGO_SETTINGS_MODULE="availability_settings",
        PYTHONPATH=f"{tmp_path}{os.pathsep}{ROOT / 'src'}",
    )
    log = tmp_path / "worker.log"
    with open(log, "w") as out:
        worker = subprocess.Popen(
            [str(PYTHON), "manage.py", "run_worker", "--interval", "0.2", "--no-startup-delay"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    calls = migrated / "housekeeping-calls"
    try:
        wait_for(calls.exists, "housekeeping at start")
        assert "housekeeping that always fails" in log.read_text()  # logged, and the next one still ran

        # Someone holds the write lock until the worker has met it, then a while longer (its busy timeout is 1 s).
        with closing(sqlite3.connect(migrated / "attunement.sqlite3", isolation_level=None)) as holder:
            holder.execute("BEGIN IMMEDIATE")
            wait_for(lambda: "database is locked" in log.read_text(), "the worker to meet the locked database")
            time.sleep(3)
            assert worker.poll() is None, log.read_text()
            holder.execute("ROLLBACK")

        task_id = manage(migrated, "shell", "-c", ENQUEUE).strip().splitlines()[-1]
        assert wait_for(lambda: task_status(migrated, task_id) == "SUCCESSFUL", "the task to run")
        assert worker.poll() is None
    finally:
        worker.terminate()
        worker.wait(timeout=60)


# --- The whole service under the load that once stopped it ----------------------------------------------

LOAD_SECONDS = 25


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("runs the service on its own SQLite database")
    from bench import soak

    folder = tmp_path_factory.mktemp("service")
    var_dir = folder / "var"
    setup = soak.prepare(var_dir, users=20, video_seconds=20)
    running = soak.Service(var_dir, soak.free_port(), folder / "service.log")
    running.start()
    running.setup = setup
    # supervisor calls a program RUNNING once it has stayed up for its startsecs (2 s); a busy machine takes longer
    wait_for(
        lambda: all(running.programs()[name][0] == "RUNNING" for name in ("web", "worker")),
        "the web server and the worker to be running",
    )
    yield running
    running.stop()


@pytest.mark.e2e
def test_a_long_import_and_exports_while_twenty_people_save_lose_nothing_and_stop_nothing(service):
    from bench import soak

    worker_before = service.programs()["worker"]
    assert worker_before[0] == "RUNNING"
    tally = soak.run_load(service, service.setup, LOAD_SECONDS)
    result = soak.report(service, tally)
    summary = "\n".join(result.lines())

    assert result.client_failures == [], summary
    assert result.server_errors == 0, summary
    assert result.saves >= 20 and result.saved_ok == result.saves, summary
    assert result.lost == 0 and result.duplicated == 0, summary
    assert set(soak.stored_saves(service).values()) == {1}
    assert result.imports >= 1 and result.exports >= 1, summary
    assert result.probes_unanswered == 0, summary
    # The worker never stopped, and it measured the video while all this went on.
    assert service.programs()["worker"] == worker_before
    wait_for(lambda: "done" in soak.analyses(service, service.setup["video"]), "the video's analysis")
    log = service.log_path.read_text()
    assert "database is locked" not in log and "Traceback" not in log, log[-3000:]


@pytest.mark.e2e
def test_everything_the_service_wrote_is_readable_by_its_own_user_only(service):
    # the upload, and the copy for watching that the worker makes
    wait_for(lambda: len(list(service.var_dir.rglob("*.mp4"))) >= 2, "the worker to make the copy")
    modes = {}
    for path in [service.var_dir, *service.var_dir.rglob("*")]:
        try:
            modes[path] = path.stat().st_mode & 0o777
        except FileNotFoundError:  # a -wal or -shm file removed as the last connection closed
            pass
    assert service.var_dir / "attunement.sqlite3" in modes
    assert [f"{oct(mode)} {path}" for path, mode in modes.items() if mode & 0o077] == []


@pytest.mark.e2e
def test_a_worker_that_dies_is_started_again_while_the_web_keeps_answering(service):
    from bench import soak

    state, pid = service.programs()["worker"]
    assert state == "RUNNING"
    browser = soak.Browser(service.base, timeout=BUSY_MACHINE_WAIT_S)
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + BUSY_MACHINE_WAIT_S
    while True:
        assert browser.get("/accounts/login/").status == 200
        now = service.programs()["worker"]
        if now[0] == "RUNNING" and now[1] != pid:
            break
        assert time.monotonic() < deadline, f"the worker was not started again: {now}"
        time.sleep(0.5)
    assert service.programs()["web"][0] == "RUNNING"

    # And the new worker does work.
    task_id = manage(service.var_dir, "shell", "-c", ENQUEUE).strip().splitlines()[-1]
    wait_for(lambda: task_status(service.var_dir, task_id) == "SUCCESSFUL", "the new worker to run a task")
