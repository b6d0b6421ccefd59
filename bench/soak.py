"""The mixed load that once stopped the service, run against the real thing for a while.

Usage:  .venv/bin/python bench/soak.py [--seconds 180] [--users 20]

Starts Attunement the way `make run` does (scripts/run.sh: supervisor running gunicorn, the task worker and
the retention run) on a throw-away SQLite database, then at the same time: practitioners save quick-log
sessions, two import a 3.5 MB coding CSV again and again, a co-ordinator exports everything held about a
person (with a video) again and again, and the worker analyses a video. Prints the saves, the errors, the
saves lost and duplicated, the 95th percentile time of a save, and whether the service answered throughout.
The test suite runs the same load for a shorter time (tests/test_availability.py).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.cookiejar
import json
import os
import signal
import socket
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
PASSWORD = "a-long-soak-password"
TOTP_SECRET = "JBSWY3DPEHPK3PXPSOAKSECRETKEYABC"
IMPORT_BYTES = 3_500_000
# The login page is asked for every half second; an answer slower than this counts as the service not answering.
PROBE_TIMEOUT = 30.0

SETUP = """
import json, sys, tempfile
from datetime import timedelta
from pathlib import Path
from django.contrib.auth import get_user_model
from django.utils import timezone
from attunement.accounts.two_factor import enrol_authenticator
from attunement.learners.models import Assignment, CommunicationProfile, Learner
from attunement.organisations.models import Role, Setting
from attunement.organisations.services import membership_add
from attunement.setup.services import organisation_create
from attunement.practice.services import SessionDetails, session_record
from attunement.privacy.services import consent_record
from attunement.reflection.sample_video import write_sample_video
from attunement.reflection.video_services import video_upload

users, password, secret, video_seconds = {users}, {password!r}, {secret!r}, {video_seconds}
User = get_user_model()
school = organisation_create(name="Soak School", setting=Setting.SCHOOL)
coordinator = membership_add(
    organisation=school, user=User.objects.create_user(email="coordinator@soak.example", password=password),
    role=Role.COORDINATOR,
)
enrol_authenticator(coordinator.user, secret)
people = []
for n in range(users):
    user = User.objects.create_user(email=f"practitioner{{n}}@soak.example", password=password)
    member = membership_add(organisation=school, user=user, role=Role.PRACTITIONER)
    learner = Learner.objects.create(organisation=school, first_name=f"Person{{n}}", last_name="Soak")
    CommunicationProfile.objects.create(learner=learner)
    Assignment.objects.create(learner=learner, user=user)
    people.append((member, learner))
member, learner = people[0]
consent_record(
    actor=coordinator, learner=learner, purpose="video", given_by="parent", giver_name="Ruth Soak",
    starts_on=timezone.localdate(), review_on=timezone.localdate() + timedelta(days=365),
)
details = SessionDetails(started_at=timezone.now() - timedelta(hours=1), minutes=10, place="Sensory room")
session = session_record(actor=member, learner=learner, details=details).session
folder = Path(tempfile.mkdtemp())
path = write_sample_video(folder / "film.mp4", seconds=video_seconds, width=320, height=240, noise=0.3)
video = video_upload(actor=member, session=session, path=str(path), size=path.stat().st_size, original_name="film.mp4")
print("SETUP " + json.dumps({{
    "coordinator": coordinator.user.email,
    "practitioners": [{{"email": m.user.email, "learner": l.pk}} for m, l in people],
    "session": session.pk,
    "learner": learner.pk,
    "video": video.pk,
}}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(var_dir: Path, port: int, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(ATTUNEMENT_VAR_DIR=str(var_dir), PORT=str(port), HOST="127.0.0.1", PYTHONUNBUFFERED="1", **extra)
    return env


def prepare(var_dir: Path, *, users: int = 20, video_seconds: float = 120.0) -> dict:
    """A fresh database with `users` practitioners (each working with one person), a co-ordinator with an
    authenticator, and a video waiting for the worker. The demo is then not loaded (the database is not empty)."""
    env = environment(var_dir, 0)
    subprocess.run([str(PYTHON), "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
    script = SETUP.format(users=users, password=PASSWORD, secret=TOTP_SECRET, video_seconds=video_seconds)
    done = subprocess.run(
        [str(PYTHON), "manage.py", "shell", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    line = next(line for line in done.stdout.splitlines() if line.startswith("SETUP "))
    return json.loads(line.removeprefix("SETUP "))


class Service:
    """scripts/run.sh in a process group of its own, as a person starts it with `make run`."""

    def __init__(self, var_dir: Path, port: int, log: Path, **env):
        self.var_dir, self.port, self.log_path = var_dir, port, log
        self.env = environment(var_dir, port, **env)
        self.base = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 180) -> None:
        self._log = open(self.log_path, "w")  # noqa: SIM115 - open for the life of the service
        self.process = subprocess.Popen(
            ["scripts/run.sh"],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while "Attunement is running at" not in self.log_path.read_text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"The service did not start:\n{self.log_path.read_text()[-3000:]}")
            time.sleep(0.5)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)  # what Ctrl-C does
            try:
                self.process.wait(timeout=90)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()

    def programs(self) -> dict[str, tuple[str, int | None]]:
        """Each supervised program's state and process id, as supervisorctl reports them."""
        done = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "supervisorctl"), "-c", "deploy/supervisord.conf", "status"],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
        )
        programs = {}
        for line in done.stdout.splitlines():
            parts = line.split()
            if len(parts) >= 2:
                pid = int(parts[3].rstrip(",")) if len(parts) > 3 and parts[2] == "pid" else None
                programs[parts[0]] = (parts[1], pid)
        return programs

    def database(self):
        return closing(sqlite3.connect(self.var_dir / "attunement.sqlite3", timeout=60))


def totp(secret: str, at: float | None = None) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Answer:
    status: int
    seconds: float
    location: str = ""
    body: bytes = b""


class Browser:
    """One person's browser: its own cookies, no automatic redirects, every answer timed."""

    def __init__(self, base: str, timeout: float = 120):
        self.base, self.timeout = base, timeout
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect)

    def _csrf(self) -> str:
        return next((c.value for c in self.cookies if c.name == "csrftoken"), "")

    def request(self, path: str, data: bytes | None = None, headers: dict | None = None) -> Answer:
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                body = response.read()
                return Answer(response.status, time.monotonic() - started, response.headers.get("Location", ""), body)
        except urllib.error.HTTPError as error:
            body = error.read()
            return Answer(error.code, time.monotonic() - started, error.headers.get("Location", ""), body)

    def get(self, path: str) -> Answer:
        return self.request(path)

    def post(self, path: str, fields: dict) -> Answer:
        fields = {"csrfmiddlewaretoken": self._csrf(), **fields}
        return self.request(
            path,
            urllib.parse.urlencode(fields, doseq=True).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )

    def post_file(self, path: str, fields: dict, name: str, filename: str, content: bytes) -> Answer:
        boundary = uuid.uuid4().hex
        parts = []
        for key, value in {"csrfmiddlewaretoken": self._csrf(), **fields}.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: text/csv\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(path, b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def log_in(self, email: str, *, second_step: bool = False) -> None:
        self.get("/accounts/login/")
        answer = self.post("/accounts/login/", {"login": email, "password": PASSWORD})
        if second_step:
            assert "/2fa/" in answer.location, (answer.status, answer.location)
            step = answer.location
            self.get(step)
            for _ in range(3):  # a busy server may check a code after its 30 seconds are up: try the next one
                answer = self.post(step, {"code": totp(TOTP_SECRET)})
                if answer.status == 302:
                    break
                time.sleep(30 - time.time() % 30 + 1)
        assert answer.status == 302 and "/accounts/" not in answer.location, (answer.status, answer.location)


def coding_csv(size: int = IMPORT_BYTES) -> bytes:
    lines = ["time,subject,code,kind,end,duration,modifiers,comment"]
    total, n = 0, 0
    while total < size:
        start = n * 0.5
        line = f"{start},learner,looks,state,{start + 0.4},0.4,,a note about this moment {n}"
        lines.append(line)
        total += len(line) + 1
        n += 1
    return ("\n".join(lines) + "\n").encode()


@dataclass
class Tally:
    saves: dict[str, Answer] = field(default_factory=dict)  # the note that makes each save unique → its answer
    others: list[tuple[str, Answer]] = field(default_factory=list)  # imports, exports, probes
    failures: list[str] = field(default_factory=list)  # anything that went wrong in a client
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, answer: Answer) -> None:
        with self.lock:
            self.others.append((kind, answer))


def _rounds(until: float):
    """At least one round, then more until the deadline: a slow service still gets every kind of request."""
    yield 0
    while time.monotonic() < until:
        yield 1


def _saver(service: Service, who: dict, number: int, until: float, tally: Tally) -> None:
    browser = Browser(service.base)
    browser.log_in(who["email"])
    path = f"/log/{who['learner']}/"
    n = 0
    for _ in _rounds(until):
        browser.get(path)
        note = f"soak {number} {n} {uuid.uuid4().hex[:8]}"
        started = datetime.now() - timedelta(minutes=20)
        answer = browser.post(
            path,
            {
                "submission_key": str(uuid.uuid4()),
                "started_at": started.strftime("%Y-%m-%dT%H:%M"),
                "minutes": "10",
                "place": "Garden",
                "planned": "false",
                "enjoyment": "3",
                "ending": "natural",
                "what_happened": note,
            },
        )
        with tally.lock:
            tally.saves[note] = answer
        n += 1
        time.sleep(0.5)


def _importer(service: Service, setup: dict, until: float, tally: Tally) -> None:
    browser = Browser(service.base)
    browser.log_in(setup["practitioners"][0]["email"])
    content = coding_csv()
    path = f"/reflection/learners/{setup['learner']}/sessions/{setup['session']}/coding/import/"
    for _ in _rounds(until):
        answer = browser.post_file(path, {"title": "Big import"}, "file", "big.csv", content)
        tally.add("import", answer)


def _exporter(service: Service, setup: dict, until: float, tally: Tally) -> None:
    browser = Browser(service.base)
    browser.log_in(setup["coordinator"], second_step=True)
    path = f"/privacy/learners/{setup['learner']}/export/"
    for _ in _rounds(until):
        browser.get(path)
        answer = browser.post(path, {})
        if answer.status == 200 and b"media/videos/" not in answer.body:
            tally.failures.append("an export came without the video")
        answer.body = b""
        tally.add("export", answer)


def _prober(service: Service, until: float, tally: Tally) -> None:
    browser = Browser(service.base, timeout=PROBE_TIMEOUT)
    while time.monotonic() < until:
        try:
            answer = browser.get("/accounts/login/")
        except OSError as error:
            answer = Answer(0, PROBE_TIMEOUT, body=str(error).encode())
        tally.add("probe", answer)
        time.sleep(0.5)


def _guarded(target, tally: Tally, *args) -> None:
    try:
        target(*args)
    except Exception as error:  # noqa: BLE001 - a client that fails is counted, not raised in its thread
        tally.failures.append(f"{target.__name__}: {error!r}")


def run_load(service: Service, setup: dict, seconds: float) -> Tally:
    """Run every part of the load at once for `seconds`, and wait for each part's last request to end."""
    tally = Tally()
    until = time.monotonic() + seconds
    jobs = [(_saver, service, who, n, until, tally) for n, who in enumerate(setup["practitioners"])]
    # Two people import at once, so that on the old code one waited for the other's long transaction.
    jobs += [(_importer, service, setup, until, tally), (_importer, service, setup, until, tally)]
    jobs += [(_exporter, service, setup, until, tally)]
    jobs += [(_prober, service, until, tally)]
    threads = [threading.Thread(target=_guarded, args=(job[0], tally, *job[1:])) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally


def stored_saves(service: Service) -> dict[str, int]:
    with service.database() as db:
        rows = db.execute(
            "SELECT what_happened, COUNT(*) FROM practice_session WHERE what_happened LIKE 'soak %' "
            "GROUP BY what_happened"
        ).fetchall()
    return dict(rows)


def analyses(service: Service, video: int) -> list[str]:
    with service.database() as db:
        return [r[0] for r in db.execute("SELECT status FROM reflection_videoanalysis WHERE video_id = ?", (video,))]


@dataclass
class Report:
    saves: int
    saved_ok: int
    errors: int
    server_errors: int
    lost: int
    duplicated: int
    p95_save_seconds: float
    median_save_seconds: float
    imports: int
    exports: int
    probes_unanswered: int
    slowest_probe_seconds: float
    client_failures: list[str]
    not_ok: dict[str, int]

    def lines(self) -> list[str]:
        return [
            f"saves attempted       {self.saves}",
            f"saves answered ok     {self.saved_ok}",
            f"errors (not ok)       {self.errors}  (of which 5xx: {self.server_errors})",
            f"lost                  {self.lost}",
            f"duplicated            {self.duplicated}",
            f"save time, median     {self.median_save_seconds:.2f} s",
            f"save time, 95th pct   {self.p95_save_seconds:.2f} s",
            f"imports (3.5 MB)      {self.imports}",
            f"exports with video    {self.exports}",
            f"probes unanswered     {self.probes_unanswered}  (slowest answer {self.slowest_probe_seconds:.1f} s)",
            f"client failures       {len(self.client_failures)} {self.client_failures[:3]}",
            f"answers not ok        {self.not_ok or 'none'}",
        ]


def report(service: Service, tally: Tally) -> Report:
    stored = stored_saves(service)
    ok = {note: a for note, a in tally.saves.items() if a.status == 302 and "/timeline/" in a.location}
    times = sorted(a.seconds for a in tally.saves.values()) or [0.0]
    everything = list(tally.saves.values()) + [a for _, a in tally.others]
    return Report(
        saves=len(tally.saves),
        saved_ok=len(ok),
        errors=len(tally.saves) - len(ok) + sum(1 for kind, a in tally.others if a.status not in {200, 302}),
        server_errors=sum(1 for a in everything if a.status >= 500),
        lost=sum(1 for note in ok if stored.get(note, 0) == 0),
        duplicated=sum(1 for count in stored.values() if count > 1),
        p95_save_seconds=times[min(len(times) - 1, int(len(times) * 0.95))],
        median_save_seconds=statistics.median(times),
        imports=sum(1 for kind, a in tally.others if kind == "import" and a.status == 302),
        exports=sum(1 for kind, a in tally.others if kind == "export" and a.status == 200),
        probes_unanswered=sum(1 for kind, a in tally.others if kind == "probe" and a.status != 200),
        slowest_probe_seconds=max((a.seconds for kind, a in tally.others if kind == "probe"), default=0.0),
        client_failures=tally.failures,
        not_ok=_not_ok(tally),
    )


def _not_ok(tally: Tally) -> dict[str, int]:
    counts: dict[str, int] = {}
    answers = [("save", a) for a in tally.saves.values()] + tally.others
    for kind, answer in answers:
        if answer.status not in {200, 302}:
            key = f"{kind} {answer.status or answer.body.decode(errors='replace')[:60]}"
            counts[key] = counts.get(key, 0) + 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=180, help="how long the load runs (default 180)")
    parser.add_argument("--users", type=int, default=20, help="practitioners saving sessions (default 20)")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="attunement-soak-") as folder:
        var_dir = Path(folder) / "var"
        print(f"Preparing {arguments.users} practitioners, a co-ordinator and a video ...", flush=True)
        setup = prepare(var_dir, users=arguments.users, video_seconds=max(60.0, arguments.seconds))
        service = Service(var_dir, free_port(), Path(folder) / "service.log")
        service.start()
        try:
            worker_before = service.programs().get("worker")
            print(f"Running the mixed load for {arguments.seconds:.0f} s ...", flush=True)
            tally = run_load(service, setup, arguments.seconds)
            result = report(service, tally)
            worker_after = service.programs().get("worker")
            for line in result.lines():
                print(line)
            print(f"worker                before {worker_before}, after {worker_after}")
            print(f"video analyses        {analyses(service, setup['video'])}")
        finally:
            service.stop()
    sys.exit(0 if not (result.lost or result.duplicated or result.server_errors) else 1)


if __name__ == "__main__":
    main()
