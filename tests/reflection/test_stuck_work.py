"""Work whose worker died: video proxies, clips and analyses show signs of life while they run; work that stops
showing them is queued again a few times and then fails with a plain message and a "Try again" button; the
analysis's sound-measuring process ends with its parent. Workers here are real processes, killed with SIGKILL."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import av
import numpy as np
import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from attunement.interaction.models import AnalysisStatus, VideoAnalysis
from attunement.interaction.tasks import video_analyse
from attunement.organisations.models import AuditEntry, Role
from attunement.reflection import tasks
from attunement.reflection.models import Clip, SessionVideo, VideoStatus
from attunement.reflection.tasks import clip_file_make, recover_stalled_work, video_proxy_make
from attunement.reflection.video_services import video_upload

from ..conftest import login
from .conftest import a_session
from .videos import consent, sample_bytes, uploaded

ROOT = Path(__file__).resolve().parents[2]
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
PROXY_GAVE_UP = (
    "The computer stopped while making this video ready three times. "
    "Try again, or ask your administrator if it keeps happening."
)
ANALYSIS_GAVE_UP = (
    "The computer stopped while measuring this video three times. "
    "Try again, or ask your administrator if it keeps happening."
)
on_linux = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def words(response) -> str:
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


def until(condition, *, what: str, timeout: float = 90.0, worker=None):
    """Wait for ``condition()`` to be true; fail if it is not by ``timeout``, or if ``worker`` exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if worker is not None and worker.poll() is not None:
            pytest.fail(f"the worker exited ({worker.returncode}) before {what}: {worker.log.read_text()[-2000:]}")
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


# --- Processes -------------------------------------------------------------------------------------------


def _parents() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    return children


def descendants(pid: int) -> list[int]:
    children, found, todo = _parents(), [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    """Running (a zombie waiting to be collected has already ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def write_long_sound_video(path: Path, seconds: int) -> Path:
    """A video with one tiny picture a second and a long PCM sound track with a tone every third second: quick
    to write, while measuring its sound keeps the analysis's child process busy for several seconds."""
    rate, rng = 16000, np.random.default_rng(0)
    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=1)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        video.codec_context.options = {"preset": "ultrafast"}
        sound = container.add_stream("pcm_s16le", rate=rate)
        sound.layout = "mono"
        for second in range(seconds):
            picture = av.VideoFrame.from_ndarray(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8), format="rgb24")
            picture.pts = second
            container.mux(video.encode(picture))
        container.mux(video.encode(None))
        tone = 0.3 * np.sin(2 * np.pi * 220 * np.arange(rate) / rate)
        for second in range(seconds):
            samples = rng.normal(0, 0.001, rate) + (tone if second % 3 == 0 else 0)
            frame = av.AudioFrame.from_ndarray(
                (samples * 32767).astype(np.int16).reshape(1, -1), format="s16", layout="mono"
            )
            frame.sample_rate, frame.pts = rate, second * rate
            container.mux(sound.encode(frame))
        container.mux(sound.encode(None))
    return path


@on_linux
def test_the_sound_process_ends_when_the_analysis_is_killed(tmp_path):
    video = write_long_sound_video(tmp_path / "long.mov", 9600)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    analysis = subprocess.Popen(
        [sys.executable, "-m", "attunement.analysis.cli", str(video), "--surrogates", "5"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    family: list[int] = []
    try:
        child = until(
            lambda: next((p for p in descendants(analysis.pid) if "spawn_main" in command_line(p)), None),
            what="the sound-measuring process to start",
            timeout=60,
        )
        time.sleep(0.3)  # it is measuring now
        family = descendants(analysis.pid)
        assert analysis.poll() is None, "the analysis finished before it could be killed: make the video longer"
        assert child in family and alive(child)

        os.kill(analysis.pid, signal.SIGKILL)
        analysis.wait(10)
        deadline = time.monotonic() + 20  # the kernel ends it at once; a busy machine may take a moment
        while time.monotonic() < deadline and any(alive(p) for p in family):
            time.sleep(0.05)
        left = [f"{p}: {command_line(p)}" for p in family if alive(p)]
        assert not left, f"still running after the analysis was killed: {left}"
    finally:
        if analysis.poll() is None:
            analysis.kill()
            analysis.wait(10)
        for pid in family:  # never leave this test's own processes behind, even when it fails
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


# --- The worker, killed mid-proxy ------------------------------------------------------------------------


def database_url() -> str:
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Workers:
    """Starts the product's task worker (run_worker) on the test database and media folder."""

    def __init__(self, tmp_path: Path, media: Path):
        self.tmp_path, self.started = tmp_path, []
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "ATTUNEMENT_VAR_DIR": str(tmp_path / "var"),
            "MEDIA_ROOT": str(media),
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "DJANGO_SETTINGS_MODULE": "attunement.config.settings",
        }

    def start(self, *options: str) -> subprocess.Popen:
        log = self.tmp_path / f"worker-{len(self.started)}.log"
        command = [sys.executable, str(ROOT / "manage.py"), "run_worker", "--no-reload", "--no-startup-delay"]
        with log.open("w") as out:
            worker = subprocess.Popen(
                [*command, "--interval", "0.2", *options], env=self.env, cwd=ROOT, stdout=out, stderr=out
            )
        worker.log = log
        self.started.append(worker)
        return worker

    def kill_mid_proxy(self, video: SessionVideo, attempt: int) -> None:
        """Start a worker, wait until it is part-way through the proxy's run number ``attempt``, and SIGKILL it."""
        worker = self.start()
        try:
            until(
                lambda: SessionVideo.objects.filter(
                    pk=video.pk, status=VideoStatus.PROCESSING, attempts=attempt, progress__gt=0
                ).exists(),
                what=f"run {attempt} of the proxy to be under way",
                worker=worker,
            )
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)

    def run_one_task(self) -> None:
        worker = self.start("--batch", "--max-tasks", "1")
        assert worker.wait(180) == 0, worker.log.read_text()[-2000:]

    def stop_all(self) -> None:
        for worker in self.started:
            if worker.poll() is None:
                worker.kill()
                worker.wait(10)


@pytest.fixture
def workers(settings, tmp_path):
    settings.TASKS = DB_TASKS
    started = Workers(tmp_path, settings.MEDIA_ROOT)
    yield started
    started.stop_all()


def long_upload(world, tmp_path, actor=None) -> SessionVideo:
    """A 40-second video added through the service; its proxy is only queued (tasks go to the database)."""
    consent(world.mine)
    session = a_session(world)
    path = tmp_path / "long.mp4"
    path.write_bytes(sample_bytes(40.0, noise=0.3))
    return video_upload(
        actor=actor or world.practitioner,
        session=session,
        path=str(path),
        size=path.stat().st_size,
        original_name="long.mp4",
    )


def entries(task, pk: int, *statuses) -> list[DBTaskResult]:
    return [
        row
        for row in DBTaskResult.objects.filter(task_path=task.module_path, status__in=statuses)
        if row.args_kwargs["args"] == [pk]
    ]


def part_files(video: SessionVideo) -> list[str]:
    return sorted(p.name for p in Path(video.original.path).parent.glob("*.part*"))


@pytest.mark.django_db(transaction=True)
def test_a_proxy_whose_worker_is_killed_is_queued_again_and_finished_by_the_next_worker(world, workers, tmp_path):
    video = long_upload(world, tmp_path)
    workers.kill_mid_proxy(video, attempt=1)
    video.refresh_from_db()
    assert (video.status, video.attempts) == (VideoStatus.PROCESSING, 1)
    assert timezone.now() - video.heartbeat_at < timedelta(seconds=30)
    stuck = entries(video_proxy_make, video.pk, TaskResultStatus.RUNNING)
    assert len(stuck) == 1  # what a dead worker leaves behind: "running" for ever
    assert recover_stalled_work() == {"queued_again": 0, "failed": 0, "entries_failed": 0}  # not stale yet

    time.sleep(1.2)
    assert recover_stalled_work(stale_after=timedelta(seconds=1)) == {
        "queued_again": 1,
        "failed": 0,
        "entries_failed": 1,
    }
    stuck[0].refresh_from_db()
    assert stuck[0].status == TaskResultStatus.FAILED and "WorkerStopped" in stuck[0].exception_class_path
    assert len(entries(video_proxy_make, video.pk, TaskResultStatus.READY)) == 1
    video.refresh_from_db()
    assert (video.status, video.progress, video.heartbeat_at) == (VideoStatus.PROCESSING, 0.0, None)
    time.sleep(1.2)
    assert recover_stalled_work(stale_after=timedelta(seconds=1))["queued_again"] == 0  # waiting its turn

    workers.run_one_task()
    video.refresh_from_db()
    assert (video.status, video.attempts, video.progress) == (VideoStatus.READY, 2, 1.0)
    assert Path(video.proxy.path).stat().st_size > 0 and part_files(video) == []
    assert not entries(video_proxy_make, video.pk, TaskResultStatus.READY, TaskResultStatus.RUNNING)


@pytest.mark.django_db(transaction=True)
def test_after_three_stopped_runs_the_video_fails_plainly_and_try_again_makes_it(world, workers, client, tmp_path):
    video = long_upload(world, tmp_path)
    for attempt in (1, 2, 3):
        workers.kill_mid_proxy(video, attempt=attempt)
        time.sleep(1.2)
        counts = recover_stalled_work(stale_after=timedelta(seconds=1))
        assert counts == {"queued_again": int(attempt < 3), "failed": int(attempt == 3), "entries_failed": 1}
    video.refresh_from_db()
    assert (video.status, video.problem) == (VideoStatus.FAILED, PROXY_GAVE_UP)
    assert not entries(video_proxy_make, video.pk, TaskResultStatus.READY, TaskResultStatus.RUNNING)
    time.sleep(1.2)
    assert recover_stalled_work(stale_after=timedelta(seconds=1))["failed"] == 0  # given up on: left alone

    retry = reverse("reflection:video_retry", args=[video.pk])
    player = reverse("reflection:video", args=[video.pk])
    therapist = world.members[Role.THERAPIST]  # works with the person and watches the video; did not add it
    login(client, therapist)
    page = words(client.get(player))
    assert PROXY_GAVE_UP in page and retry not in page
    assert client.post(retry).status_code == 403
    login(client, world.coordinator)
    assert retry in words(client.get(player))
    login(client, world.practitioner)  # the uploader
    page = words(client.get(player))
    assert PROXY_GAVE_UP in page and retry in page and "Try again" in page
    assert client.get(retry).status_code == 405
    video.refresh_from_db()
    assert video.status == VideoStatus.FAILED  # refusals changed nothing

    response = client.post(retry)
    assert response.status_code == 302 and response["Location"] == player
    video.refresh_from_db()
    assert (video.status, video.problem, video.attempts) == (VideoStatus.PROCESSING, "", 0)
    assert AuditEntry.objects.filter(action="video.retried", target_id=video.pk).count() == 1
    again = client.post(retry)  # a second press while it is being prepared
    assert again.status_code == 302 and "not waiting for another try" in words(client.get(player))
    assert len(entries(video_proxy_make, video.pk, TaskResultStatus.READY)) == 1

    workers.run_one_task()
    video.refresh_from_db()
    assert (video.status, video.attempts) == (VideoStatus.READY, 1)
    assert part_files(video) == []
    assert b"proxy.mp4" in client.get(player).content


# --- Recovery rules, without killing anything ------------------------------------------------------------


def ready_video(world, tmp_path) -> SessionVideo:
    """A playable video (tasks run at once), measured once."""
    consent(world.mine)
    consent(world.mine, "training")
    return uploaded(world, a_session(world), tmp_path)


def claimed(task, pk: int, started: timedelta):
    """Queue the task in the database and mark it taken by a worker, ``started`` ago."""
    result = task.enqueue(pk)
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim("a-worker-that-died")
    DBTaskResult.objects.filter(pk=row.pk).update(started_at=timezone.now() - started)
    return row


@pytest.mark.django_db(transaction=True)
def test_recovery_queues_again_only_work_that_stopped_and_gives_up_after_three_starts(world, settings, tmp_path):
    video = ready_video(world, tmp_path)
    settings.TASKS = DB_TASKS
    long_ago, just_now = timezone.now() - timedelta(minutes=10), timezone.now() - timedelta(seconds=20)

    def analysis(**fields):
        return VideoAnalysis.objects.create(video=video, queued_at=long_ago, **fields)

    waiting = analysis()  # in the queue behind other work: no sign of life, but nothing is wrong
    video_analyse.enqueue(waiting.pk)
    alive_and_well = analysis(status=AnalysisStatus.RUNNING, attempts=1, heartbeat_at=just_now, progress=0.4)
    claimed(video_analyse, alive_and_well.pk, timedelta(minutes=5))
    stopped = analysis(status=AnalysisStatus.RUNNING, attempts=1, heartbeat_at=long_ago, progress=0.2)
    stopped_entry = claimed(video_analyse, stopped.pk, timedelta(minutes=10))
    never_began = analysis()  # its worker took it and died before the first sign of life
    claimed(video_analyse, never_began.pk, timedelta(minutes=4))
    lost = analysis(status=AnalysisStatus.RUNNING, attempts=2, heartbeat_at=long_ago)  # its entry failed outright
    third_time = analysis(status=AnalysisStatus.RUNNING, attempts=3, heartbeat_at=long_ago, progress=0.7)
    claimed(video_analyse, third_time.pk, timedelta(minutes=10))
    clip = Clip.objects.create(
        video=video, start=0, end=2, title="Waiting", attempts=1, heartbeat_at=long_ago, queued_at=long_ago
    )
    claimed(clip_file_make, clip.pk, timedelta(minutes=10))

    call_command("recover_stalled_work")

    def fresh(record):
        record.refresh_from_db()
        return record

    assert fresh(waiting).status == AnalysisStatus.QUEUED and fresh(waiting).queued_at == long_ago
    assert (fresh(alive_and_well).status, alive_and_well.progress) == (AnalysisStatus.RUNNING, 0.4)
    for record in (stopped, never_began, lost):
        assert (fresh(record).status, record.progress, record.heartbeat_at) == (AnalysisStatus.QUEUED, 0.0, None)
        assert len(entries(video_analyse, record.pk, TaskResultStatus.READY)) == 1
    assert fresh(third_time).status == AnalysisStatus.FAILED and third_time.problem == ANALYSIS_GAVE_UP
    assert not entries(video_analyse, third_time.pk, TaskResultStatus.READY, TaskResultStatus.RUNNING)
    assert fresh(clip).queued_at > long_ago and len(entries(clip_file_make, clip.pk, TaskResultStatus.READY)) == 1
    stopped_entry.refresh_from_db()
    assert stopped_entry.status == TaskResultStatus.FAILED and stopped_entry.finished_at is not None
    assert len(entries(video_analyse, alive_and_well.pk, TaskResultStatus.RUNNING)) == 1

    clip_file_make.call(clip.pk)  # what the next worker does with it
    assert fresh(clip).file and clip.attempts == 2
    Clip.objects.filter(pk=clip.pk).update(file="", attempts=3, heartbeat_at=long_ago, queued_at=long_ago)
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).delete()
    recover_stalled_work()
    assert fresh(clip).problem.startswith("The computer stopped while cutting this clip three times.")


@pytest.mark.django_db
def test_a_run_that_was_started_again_elsewhere_stops_and_leaves_nothing_behind(world, settings, tmp_path, monkeypatch):
    settings.TASKS = DB_TASKS
    consent(world.mine)
    session = a_session(world)
    path = tmp_path / "upload.mp4"
    path.write_bytes(sample_bytes(3.0))
    video = video_upload(
        actor=world.practitioner, session=session, path=str(path), size=path.stat().st_size, original_name="phone.mp4"
    )
    real_make_proxy = tasks.make_proxy

    def taken_over_part_way(source, proxy, poster, *, on_progress):
        def progress(fraction):
            if fraction > 0:  # meanwhile the work was given up on and another worker started it
                SessionVideo.objects.filter(pk=video.pk).update(attempts=F("attempts") + 1)
            on_progress(fraction)

        return real_make_proxy(source, proxy, poster, on_progress=progress)

    monkeypatch.setattr(tasks, "make_proxy", taken_over_part_way)
    monkeypatch.setattr(tasks, "PROGRESS_EVERY_SECONDS", 0.0)
    assert video_proxy_make.call(video.pk) == {"made": False}
    video.refresh_from_db()
    assert (video.status, video.proxy.name) == (VideoStatus.PROCESSING, "")
    assert video.progress == 0.0  # the old run's progress after the takeover was not written
    assert sorted(p.name for p in Path(video.original.path).parent.iterdir()) == ["original.mp4"]


@pytest.mark.django_db(transaction=True)
def test_a_failed_measurement_can_be_tried_again_from_the_video_page(world, settings, client, tmp_path):
    video = ready_video(world, tmp_path)
    failed = VideoAnalysis.objects.create(
        video=video, status=AnalysisStatus.FAILED, problem=ANALYSIS_GAVE_UP, attempts=3
    )
    retry = reverse("reflection:video_analysis_retry", args=[video.pk, failed.pk])
    player = reverse("reflection:video", args=[video.pk])
    status = reverse("reflection:video_status", args=[video.pk])
    login(client, world.practitioner)
    page = words(client.get(player))
    assert ANALYSIS_GAVE_UP in page and retry in page
    assert client.get(status).json()["analysis"] == {
        "status": "failed",
        "label": "Could not be measured",
        "progress": 0.0,
        "problem": ANALYSIS_GAVE_UP,
    }
    login(client, world.members[Role.FAMILY])
    assert client.post(retry).status_code in (403, 404)
    failed.refresh_from_db()
    assert failed.status == AnalysisStatus.FAILED

    settings.TASKS = DB_TASKS
    login(client, world.practitioner)
    assert client.post(retry).status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.problem, failed.attempts) == (AnalysisStatus.QUEUED, "", 0)
    assert "being measured" in words(client.get(player, follow=True))
    client.post(retry)  # a second press while it waits
    assert "already being measured" in words(client.get(player))
    assert len(entries(video_analyse, failed.pk, TaskResultStatus.READY)) == 1

    assert video_analyse.call(failed.pk) == {"done": True}
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (AnalysisStatus.DONE, 1) and failed.results["video"]["width"] == 320
