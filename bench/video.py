"""Time and memory of the session video stages (upload, probe, proxy) on a long, large video. Prints figures.

    .venv/bin/python bench/video.py                        # 10 minutes of 1920x1080 at 30 frames a second
    .venv/bin/python bench/video.py --minutes 2 --height 720
    .venv/bin/python bench/video.py --minutes 1 --height 360 # a quick look; --no-upload skips the server

The source video is made once with attunement.reflection.sample_video (libx264 ultrafast, AAC sound) and kept
in var/bench/ (or --cache-dir) for the next run. A band of changing noise along the top (--noise, a fraction of the
height) gives it a bit rate near a phone's (about 16-20 Mbit/s at 1080p) so that reading and decoding cost what
they would for a real recording.

Each stage runs in a fresh child process (multiprocessing "spawn": a new interpreter, as a worker would be), so
its peak resident memory is its own; the child reports resource.getrusage(RUSAGE_SELF).ru_maxrss. To add a stage,
write a module-level function and call measure_stage("name", function, arguments...).

The upload goes through the real path end to end: a throw-away SQLite database, media folder and upload folder in a
temporary directory, a practitioner, a person with consent to video and a session made with the app's own
services, and gunicorn (one sync worker) serving the app on 127.0.0.1. The client (the stage's child process) asks
for the upload page as the logged-in practitioner, then posts the file as the page's script does (multipart form
with the CSRF token, Accept: application/json), streamed from disk 1 MB at a time. Its time runs from the first
byte sent to the JSON answer, so it includes the server's check that the file decodes as a video (a probe) and
the move into storage; the proxy is only queued (TASKS_BACKEND is the database queue, and no worker runs). Its
peak memory is the server worker's (VmHWM in /proc/<pid>/status), which must not grow with the file's size.
"""

import argparse
import http.client
import http.cookies
import json
import os
import platform
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
# Also when this file is run by path from another interpreter (the upload's fixture), not only as a script.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from stages import measure_stage  # noqa: E402

BUDGET_MB = 500
UPLOAD_CHUNK = 1024 * 1024  # the client reads and sends the file 1 MB at a time


# --- Stages: module-level functions so that a spawned child can import and run them ------------------------------


def make_source(path: str, seconds: float, width: int, height: int, fps: int, noise: float) -> str:
    from attunement.reflection.sample_video import write_sample_video

    partial = Path(path).with_suffix(".partial.mp4")
    write_sample_video(partial, seconds=seconds, width=width, height=height, fps=fps, noise=noise)
    partial.replace(path)
    return path


def probe_stage(path: str):
    from attunement.media import probe

    return probe(path)


def proxy_stage(path: str, work_dir: str):
    from attunement.media import make_proxy

    calls = []
    proxy, poster = Path(work_dir) / "proxy.mp4", Path(work_dir) / "poster.jpg"
    result = make_proxy(path, proxy, poster, on_progress=calls.append)
    return {
        "result": result,
        "proxy_bytes": proxy.stat().st_size,
        "poster_bytes": poster.stat().st_size,
        "progress_calls": len(calls),
        "progress_rises": all(a <= b for a, b in zip(calls, calls[1:], strict=False)) and calls[-1] == 1.0,
    }


def upload_fixture() -> None:
    """Run in its own interpreter with the upload stage's environment: make, with the app's own services, what an
    upload needs (an organisation, a practitioner assigned to a person who consents to video, a session) and a
    logged-in browser session; print their ids and the session cookie as JSON."""
    import django

    django.setup()
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from attunement.learners.models import Assignment, CommunicationProfile, Learner
    from attunement.organisations.models import Role, Setting
    from attunement.organisations.services import membership_add
    from attunement.practice.services import SessionDetails, session_record
    from attunement.privacy.models import Consent
    from attunement.setup.services import organisation_create

    organisation = organisation_create(name="Video benchmark", setting=Setting.SCHOOL)
    user = get_user_model().objects.create_user(email="bench-video@example.org", first_name="Bench")
    member = membership_add(organisation=organisation, user=user, role=Role.PRACTITIONER)
    learner = Learner.objects.create(organisation=organisation, first_name="Vida", last_name="Bench")
    CommunicationProfile.objects.create(learner=learner)
    Assignment.objects.create(learner=learner, user=user)
    today = timezone.localdate()
    Consent.objects.create(
        learner=learner,
        purpose="video",
        given_by="person",
        starts_on=today - timedelta(days=1),
        review_on=today + timedelta(days=365),
    )
    details = SessionDetails(started_at=timezone.now() - timedelta(minutes=20), minutes=12, place="Sensory room")
    session = session_record(actor=member, learner=learner, details=details).session
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    ids = {"learner_id": learner.pk, "session_id": session.pk}
    print(json.dumps({**ids, "sessionid": client.cookies["sessionid"].value}))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _vm_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(f"{field} not in /proc/{pid}/status")


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _cookies(response) -> dict:
    jar = http.cookies.SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def _start_server(env: dict, port: int, log) -> tuple[subprocess.Popen, int]:
    """gunicorn with one sync worker (as small a server as there is); returns it and its worker's process id."""
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "attunement.config.wsgi",
            "--chdir",
            "src",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--worker-class",
            "sync",
            "--timeout",
            "1800",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start (exit code {server.returncode})")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/accounts/login/")
            connection.getresponse().read()
            connection.close()
            workers = _children(server.pid)
            if len(workers) == 1:
                return server, workers[0]
        except OSError:
            pass
        time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not answer within 60 s")


def _stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _multipart(path: str, token: str) -> tuple[str, list, int]:
    """The parts of a form like the page's (token, then the file), as bytes and a file path, and their length."""
    boundary = f"----attunement-bench-{uuid.uuid4().hex}"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{Path(path).name}"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return boundary, [head, Path(path), tail], len(head) + Path(path).stat().st_size + len(tail)


def _body_chunks(parts):
    for part in parts:
        if isinstance(part, bytes):
            yield part
            continue
        with open(part, "rb") as file:
            while chunk := file.read(UPLOAD_CHUNK):
                yield chunk


def upload_stage(path: str) -> dict:
    """Upload the file at ``path`` to a real server as a logged-in practitioner; time it and read the server's
    peak memory. Runs in the stage's child process, which is the HTTP client."""
    size = Path(path).stat().st_size
    with tempfile.TemporaryDirectory(prefix="attunement-bench-upload-") as folder:
        folder = Path(folder)
        (folder / "media").mkdir()
        (folder / "uploads").mkdir()
        (folder / "var" / "static").mkdir(parents=True)  # what collectstatic would make; spares a warning
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "attunement.config.settings",
            "ATTUNEMENT_VAR_DIR": str(folder / "var"),
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            "MEDIA_ROOT": str(folder / "media"),
            "FILE_UPLOAD_TEMP_DIR": str(folder / "uploads"),
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",  # the proxy is queued, not made, during the upload
            "VIDEO_MAX_BYTES": str(max(3 * 1024**3, size + 1024**2)),
            "DEBUG": "false",
            "PYTHONPATH": str(ROOT / "src"),
        }
        python = sys.executable
        subprocess.run([python, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
        made = subprocess.run(
            [python, "-c", f"import runpy; runpy.run_path({str(Path(__file__).resolve())!r})['upload_fixture']()"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if made.returncode:
            raise RuntimeError(f"Making the person, session and login failed:\n{made.stderr[-3000:]}")
        fixture = json.loads(made.stdout.strip().splitlines()[-1])
        port = _free_port()
        with open(folder / "server.log", "w") as log:
            server, worker = _start_server(env, port, log)
        try:
            origin = f"http://127.0.0.1:{port}"
            page = f"/reflection/learners/{fixture['learner_id']}/sessions/{fixture['session_id']}/video/"
            cookies = {"sessionid": fixture["sessionid"]}

            # The page, as the browser would fetch it first: its form carries the CSRF token.
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1800)
            connection.request("GET", page, headers={"Cookie": f"sessionid={cookies['sessionid']}"})
            response = connection.getresponse()
            html = response.read().decode()
            if response.status != 200:
                raise RuntimeError(f"GET {page} answered {response.status}: {html[:500]}")
            cookies.update(_cookies(response))
            found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
            if not found or "csrftoken" not in cookies:
                raise RuntimeError("The upload page gave no CSRF token (is the person's consent to video in force?)")
            token = found.group(1)
            worker_before_kb = _vm_kb(worker, "VmHWM")

            boundary, parts, length = _multipart(path, token)
            connection.putrequest("POST", page)
            for header, value in {
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Content-Length": str(length),
                "Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items()),
                "X-CSRFToken": token,
                "Accept": "application/json",
                "Origin": origin,
                "Referer": origin + page,
            }.items():
                connection.putheader(header, value)
            started = time.perf_counter()
            connection.endheaders()
            for chunk in _body_chunks(parts):
                connection.send(chunk)
            sent = time.perf_counter()
            response = connection.getresponse()
            answer = response.read().decode(errors="replace")
            finished = time.perf_counter()
            connection.close()
            try:
                url = json.loads(answer)["url"] if response.status == 200 else None
            except (ValueError, KeyError, TypeError):
                url = None
            if not url:
                raise RuntimeError(f"The upload answered {response.status}, not a video's address: {answer[:2000]}")

            worker_peak_kb = _vm_kb(worker, "VmHWM")
            master_peak_kb = _vm_kb(server.pid, "VmHWM")
        finally:
            _stop_server(server)
            server_log = (folder / "server.log").read_text()

        stored = list((folder / "media" / "videos").glob("*/original*"))
        if len(stored) != 1 or stored[0].stat().st_size != size:
            raise RuntimeError(f"The stored original is not the file sent: {stored}")
        left_over = list((folder / "uploads").iterdir())
        with sqlite3.connect(folder / "bench.sqlite3") as database:
            queued = database.execute("SELECT count(*) FROM django_tasks_database_dbtaskresult").fetchone()[0]
        return {
            "url": url,
            "body_bytes": length,
            "seconds": finished - started,
            "send_seconds": sent - started,
            "answer_seconds": finished - sent,
            "worker_before_mb": worker_before_kb / 1024,
            "worker_peak_mb": worker_peak_kb / 1024,
            "master_peak_mb": master_peak_kb / 1024,
            "temporary_files_left": len(left_over),
            "tasks_queued": queued,
            "server_log": server_log.strip(),
        }


# --- Measuring ---------------------------------------------------------------------------------------------------


# --- Report ------------------------------------------------------------------------------------------------------


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--height", type=int, default=1080, help="picture height; width is 16:9 of it")
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--noise", type=float, default=0.04, help="fraction of the height filled with noise")
    parser.add_argument("--cache-dir", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--no-upload", action="store_true", help="skip the upload through a real server")
    args = parser.parse_args(argv)

    width = round(args.height * 16 / 9 / 2) * 2
    seconds = args.minutes * 60
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    name = f"sample-{args.minutes:g}min-{width}x{args.height}-{args.fps}fps-noise{args.noise:g}.mp4"
    source = args.cache_dir / name

    import av

    print("Attunement video benchmark")
    print(
        f"  machine:   {os.cpu_count()} CPU cores, {platform.machine()}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, PyAV {av.__version__}"
    )
    stages = []
    if source.exists():
        print(f"  source:    {source} (made earlier; delete it to make it again)")
    else:
        print(f"  source:    making {source}")
        stages.append(
            measure_stage("make sample", make_source, str(source), seconds, width, args.height, args.fps, args.noise)
        )
    size = source.stat().st_size

    uploaded = None
    if not args.no_upload:
        uploaded = measure_stage("upload", upload_stage, str(source))
        upload = uploaded["value"]
        print(
            f"    request {upload['seconds']:.1f} s (sending {upload['send_seconds']:.1f} s, then the answer "
            f"{upload['answer_seconds']:.1f} s); server worker peak {upload['worker_peak_mb']:.0f} MB "
            f"({upload['worker_before_mb']:.0f} MB before the upload), this client {uploaded['peak_mb']:.0f} MB",
            flush=True,
        )
        # In the table: the request's time, and the memory of the server process that received the file.
        stages.append({**uploaded, "seconds": upload["seconds"], "peak_mb": upload["worker_peak_mb"]})
    probed = measure_stage("probe", probe_stage, str(source))
    info = probed["value"]
    stages.append(probed)
    with tempfile.TemporaryDirectory(prefix="attunement-bench-") as work_dir:
        proxied = measure_stage("proxy", proxy_stage, str(source), work_dir)
    stages.append(proxied)
    proxy = proxied["value"]

    print()
    print(
        f"  source: {size / 1e6:,.0f} MB, {info.duration / 60:.1f} min, {info.width}x{info.height} "
        f"{info.frame_rate or 0:.0f} fps {info.video_codec} + {info.audio_codec or 'no sound'}, "
        f"{size * 8 / info.duration / 1e6:.1f} Mbit/s"
    )
    result = proxy["result"]
    print(
        f"  proxy:  {proxy['proxy_bytes'] / 1e6:,.1f} MB, {result.width}x{result.height}, "
        f"{result.duration:.2f} s (source {info.duration:.2f} s), "
        f"{proxy['proxy_bytes'] * 8 / result.duration / 1e6:.2f} Mbit/s; "
        f"poster {proxy['poster_bytes'] / 1e3:.0f} kB at {result.poster_time:.2f} s; "
        f"{proxy['progress_calls']} progress calls, {'rising to 1.0' if proxy['progress_rises'] else 'NOT monotonic'}"
    )
    if uploaded:
        upload = uploaded["value"]
        print(
            f"  upload: {upload['body_bytes'] / 1e6:,.0f} MB posted (multipart, {UPLOAD_CHUNK // 1024**2} MB "
            f"chunks) to gunicorn (1 sync worker) -> {upload['url']}; sending {upload['send_seconds']:.1f} s, "
            f"answer (probe and move into storage) {upload['answer_seconds']:.1f} s after the last byte; "
            f"worker peak {upload['worker_before_mb']:.0f} MB before -> {upload['worker_peak_mb']:.0f} MB after, "
            f"master {upload['master_peak_mb']:.0f} MB, client {uploaded['peak_mb']:.0f} MB; "
            f"{upload['tasks_queued']} proxy task queued, {upload['temporary_files_left']} temporary files left"
        )
        if upload["server_log"]:
            print(f"  server log:\n{upload['server_log']}")
    print()
    print(f"| stage | seconds | source MB/s | x real time | peak RSS MB | under {BUDGET_MB} MB |")
    print("|---|---:|---:|---:|---:|---|")
    for stage in stages:
        rate = size / 1e6 / stage["seconds"]
        speed = info.duration / stage["seconds"]
        verdict = "yes" if stage["peak_mb"] < BUDGET_MB else "**no**"
        print(
            f"| {stage['name']} | {stage['seconds']:.2f} | {rate:,.1f} | {speed:,.1f} | {stage['peak_mb']:.0f} | "
            f"{verdict} |"
        )
    if uploaded:
        print()
        print("  upload: seconds from the first byte sent to the answer; peak RSS of the server's worker process")


if __name__ == "__main__":
    main()
