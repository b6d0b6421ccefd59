"""Analyse a session video in one pass: :func:`analyse` decodes the pictures once while a child process decodes
the sound (see :func:`sound_features`), and returns an :class:`~attunement.analysis.result.AnalysisResult`, every
decision already made (beyond chance, who led), stored as JSON with its ``to_json()``.

The file is first checked with :func:`attunement.media.probe` (the same rules as an upload: a real,
complete video, not a picture or a sound recording), so a bad file raises
:class:`~attunement.media.MediaProblem` with a plain sentence. Only local files and a fixed list of
video containers are opened.
"""

from __future__ import annotations

import ctypes
import math
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import av
import av.error
import numpy as np

from attunement.analysis import ENGINE_VERSION, moments, motion, result, synchrony, vocal
from attunement.analysis.motion import Region, RegionProblem
from attunement.media import (
    DAMAGED,
    VIDEO_OPEN_OPTIONS,
    MediaProblem,
    audio_stream,
    decoded_frames,
    probe,
    rotation_of,
    video_stream,
)

RATE = 10.0  # Hz: motion is averaged into 0.1 s bins for synchrony and for the JSON series

__all__ = ["analyse", "MediaProblem", "RegionProblem", "Region", "PRESETS"]
PRESETS = synchrony.PRESETS


def _region(value) -> Region | None:
    if value is None or isinstance(value, Region):
        return value
    if isinstance(value, str):
        return Region.parse(value)
    return Region(*(int(v) for v in value))


def _number(value, digits: int = 4):
    """A float rounded for JSON, or None for NaN, infinity and None."""
    if value is None:
        return None
    value = float(value)
    return round(value, digits) if math.isfinite(value) else None


class _Progress:
    """Passes fractions 0..0.95 on at most four times a second of work, never going down."""

    def __init__(self, duration: float, callback: Callable[[float], None] | None):
        self.duration, self.callback = max(duration, 1e-6), callback
        self.last_wall, self.last = time.monotonic(), 0.0
        if callback is not None:
            callback(0.0)

    def at(self, seconds: float) -> None:
        if self.callback is None:
            return
        now = time.monotonic()
        if now - self.last_wall < 0.25:
            return
        fraction = min(0.95, max(self.last, seconds / self.duration))
        self.last_wall, self.last = now, fraction
        self.callback(fraction)


class _Worker:
    """Measures motion in a second thread while the calling thread reads and decodes the pictures.

    The heavy NumPy work runs without Python's global lock, so it overlaps with decoding. The decoding thread
    hands over only the small downscaled luma of each picture (never whole pictures), through a bounded queue,
    so memory stays small whatever the picture size."""

    QUEUE = 8  # batches
    BATCH = 16  # pictures per batch: fewer hand-overs between the threads

    def __init__(self):
        self.meter: motion.MotionMeter | None = None
        self.error: BaseException | None = None
        self._queue: queue.Queue = queue.Queue(maxsize=self.QUEUE)
        self._batch: list = []
        self._thread = threading.Thread(target=self._run, name="attunement-analysis", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while (batch := self._queue.get()) is not None:
                for time_, small in batch:
                    self.meter.feed_small(time_, small)
        except BaseException as error:  # handed back to the decoding thread
            self.error = error
            while self._queue.get() is not None:  # let the decoding thread finish putting
                pass

    def put(self, item) -> None:
        """Hand over ``(seconds, small luma)`` of the next picture."""
        self._batch.append(item)
        if len(self._batch) >= self.BATCH:
            self._send()

    def _send(self) -> None:
        if self.error is not None:
            raise self.error
        if self._batch:
            self._queue.put(self._batch)
            self._batch = []

    def finish(self) -> None:
        """Hand over what is left, wait for the thread, and raise what it raised, if anything."""
        try:
            if self.error is None and self._batch:
                self._queue.put(self._batch)
        finally:
            self._batch = []
            self._queue.put(None)
            self._thread.join()
        if self.error is not None:
            raise self.error


def _open(path: Path):
    try:
        return av.open(str(path), "r", container_options=dict(VIDEO_OPEN_OPTIONS))
    except av.error.FFmpegError as error:
        raise MediaProblem(DAMAGED) from error


def sound_features(path: str, use_model: bool | None) -> vocal.VocalFeatures:
    """The vocal features of the file's sound (the stream :func:`analyse` uses), decoded on its own. Run in a
    child process by :func:`_decode` (see :class:`_SoundProcess`), so that it is not slowed by, and does not
    slow, the decoding of the pictures: PyAV holds Python's global lock between decoding calls, so two threads
    of one process decode largely in turn, while two processes use both cores."""
    with _open(Path(path)) as container:
        audio = audio_stream(container)
        audio.thread_type = "AUTO"
        meter = vocal.VocalMeter(use_model=use_model)
        for _, frame in decoded_frames(container, audio):
            meter.feed(frame)
        return meter.result()


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _end_with_parent(parent_pid: int) -> None:
    """Make this (child) process end as soon as the process that started it ends, however that ends.

    On Linux the kernel is asked to send this process SIGKILL when its parent dies (prctl PR_SET_PDEATHSIG).
    That is the robust way: it needs nothing from this process to keep running, so it works while the process
    is deep inside FFmpeg's C code, or holds Python's lock, and SIGKILL cannot be caught or delayed. Polling
    os.getppid() or watching a pipe needs a thread of ours to get a turn, and ends the process only at the next
    poll. The parent's id is checked once after asking, for a parent that died before the request was made.
    (The signal follows the parent *thread* that started the child; that thread waits for the child before it
    goes on, so the child never outlives it by design.) Elsewhere, a thread polls the parent's id each second.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            asked = libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
        except (OSError, AttributeError):
            asked = False
        if asked:
            if os.getppid() != parent_pid:
                os._exit(1)
            return

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="attunement-parent-watch", daemon=True).start()


def _sound_child(connection, parent_pid: int, path: str, use_model) -> None:
    """The child process's whole life: measure the sound and send back ``(True, features)`` or
    ``(False, error)``."""
    _end_with_parent(parent_pid)
    try:
        answer = (True, sound_features(path, use_model))
    except Exception as error:
        answer = (False, error)
    try:
        connection.send(answer)
    except Exception:  # an error that cannot be pickled is sent as a plain one
        connection.send((False, RuntimeError(f"{type(answer[1]).__name__}: {answer[1]}")))
    finally:
        connection.close()


class _SoundProcess:
    """:func:`sound_features` in a child process (``spawn``: a fresh interpreter, which is safe beside the
    decoding thread) that ends with its parent (:func:`_end_with_parent`), and that is killed, not waited for,
    when the analysis stops early with an error."""

    def __init__(self, path: Path, use_model):
        context = multiprocessing.get_context("spawn")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_sound_child,
            args=(send, os.getpid(), str(path), use_model),
            name="attunement-sound",
            daemon=True,
        )
        self._process.start()
        send.close()  # only the child holds the sending end: if it dies, receiving ends at once

    def result(self) -> vocal.VocalFeatures:
        try:
            ok, value = self._receive.recv()
        except EOFError:
            self._process.join()
            raise RuntimeError(
                f"The sound measuring process ended early (exit code {self._process.exitcode})."
            ) from None
        finally:
            self._receive.close()
        self._process.join()
        if not ok:
            raise value
        return value

    def stop(self) -> None:
        """Kill the child if it is still running (the analysis stopped early) and collect it."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._receive.close()


def _decode(path: Path, regions, threshold: int, analysis_size: int, use_model, progress: _Progress) -> dict:
    """The single pass over the pictures, with the sound measured alongside in a child process: returns the
    motion meter, the vocal features (None without sound), the first picture's time and the end of the last
    picture (seconds, as decoded)."""
    with _open(path) as container:
        video, audio = video_stream(container), audio_stream(container)
        if video is None:
            raise MediaProblem(DAMAGED)
        # One decoding thread: the other core is measuring the sound. (FFmpeg's frame threads gain little on
        # small pictures and would take that core.)
        video.thread_type = "NONE"
        sound = _SoundProcess(path, use_model) if audio is not None else None
        try:
            worker = _Worker()
            try:
                origin, last_end = _read(container, video, worker, regions, threshold, analysis_size, progress)
            finally:
                worker.finish()
            features = sound.result() if sound is not None else None
        finally:
            if sound is not None:
                sound.stop()
        rate = video.average_rate or video.guessed_rate
        return {
            "meter": worker.meter,
            "sound": features,
            "origin": origin,
            "end": last_end - origin,
            "fps": float(rate) if rate else None,
            "codec": video.codec_context.name,
        }


def _read(container, video, worker: _Worker, regions, threshold, analysis_size, progress) -> tuple[float, float]:
    """Demux and decode the pictures, passing the measuring on to ``worker``; returns the first picture's time
    and the end of the last one (seconds)."""
    rate = video.average_rate or video.guessed_rate
    nominal = 1 / float(rate) if rate else 1 / 25
    meter = None
    origin = last_end = None
    pictures = 0
    for _, frame in decoded_frames(container, video):
        if meter is None:
            meter = worker.meter = motion.MotionMeter(
                frame.width,
                frame.height,
                rotation=rotation_of(frame),
                learner=regions[0],
                partner=regions[1],
                threshold=threshold,
                analysis_size=analysis_size,
            )
            origin = frame.time or 0.0
        time_ = frame.time
        worker.put((time_, meter.small(frame)))
        if time_ is not None:
            last_end = time_ + nominal if last_end is None else max(last_end, time_ + nominal)
            pictures += 1
            if pictures % 25 == 0:
                progress.at(time_ - origin)
    if meter is None:
        raise MediaProblem(DAMAGED)
    return origin, last_end if last_end is not None else origin


def analyse(
    path,
    learner_region=None,
    partner_region=None,
    preset: str = "standard",
    on_progress: Callable[[float], None] | None = None,
    *,
    learner_voice: str = "higher",
    surrogates: int = 200,
    seed: int = 0,
    threshold: int = motion.DEFAULT_THRESHOLD,
    analysis_size: int = motion.DEFAULT_ANALYSIS_SIZE,
    use_model: bool | None = None,
    turn_gap_s: float = vocal.TURN_DEFAULTS["max_gap_s"],
    top_moments: int = moments.TOP,
) -> result.AnalysisResult:
    """Analyse the video at ``path`` and return the results (:class:`~attunement.analysis.result.AnalysisResult`,
    stored with its ``to_json()``).

    ``learner_region`` / ``partner_region``: :class:`Region`, ``"X,Y,W,H"`` or a 4-tuple, in pixels of the upright
    picture (default: left half learner, right half partner). ``preset``: ``"standard"`` (60 s windows every
    30 s, lags ±5 s) or ``"short"`` (30 s every 15 s, ±3 s), both with 0.5 s smoothing. ``learner_voice``: whether
    the learner is suggested as the ``"higher"`` (default: a child) or ``"lower"`` voice. ``surrogates`` and
    ``seed``: the chance test. ``threshold``: grey levels for a pixel to count as changed. ``use_model``: the WebRTC
    voice model (None: if installed). ``turn_gap_s``: the longest gap within a turn chain. ``top_moments``: how many
    moments to suggest.

    ``on_progress(fraction)`` is called with fractions 0..1 that never go down (at most four times a second of
    work while decoding) and finally 1.0.

    All times are seconds from the first picture. Lags are positive when the partner follows the learner. Raises
    :class:`MediaProblem` for a file that is not a usable video and :class:`RegionProblem` for a bad region.
    """
    if preset not in synchrony.PRESETS:
        raise ValueError(f"preset must be one of {', '.join(synchrony.PRESETS)}")
    path = Path(path)
    regions = (_region(learner_region), _region(partner_region))
    info = probe(path)
    progress = _Progress(info.duration, on_progress)
    try:
        decoded = _decode(path, regions, threshold, analysis_size, use_model, progress)
    except av.error.FFmpegError as error:
        raise MediaProblem(DAMAGED) from error
    meter: motion.MotionMeter = decoded["meter"]
    origin, duration = decoded["origin"], decoded["end"]
    series = meter.result()
    times = series.times - origin
    learner = motion.resample(times, series.learner, rate=RATE, start=0.0, end=duration)
    partner = motion.resample(times, series.partner, rate=RATE, start=0.0, end=duration)

    settings = synchrony.PRESETS[preset]
    sync = synchrony.synchrony(learner, partner, rate=RATE, surrogates=surrogates, seed=seed, **settings)
    table = sync.table
    alpha = sync.parameters["alpha"]
    peak_z, peak_lag = synchrony.window_peaks(table)
    chance = synchrony.window_chance(peak_z, sync.chance)
    windows = []
    for i, start in enumerate(table.starts_s):
        p_window, p_adjusted = _number(chance.p_value[i]), _number(chance.adjusted_p_value[i])
        windows.append(
            result.Window(
                start_s=_number(start, 3),
                end_s=_number(start + table.window_s, 3),
                peak_z=_number(peak_z[i]),
                peak_lag_s=_number(peak_lag[i], 3),
                lag0_z=_number(table.z[i, table.lag0]),
                strength=result.window_strength(p_window, p_adjusted, alpha),
                chance_mean_z=_number(chance.mean[i]),
                chance_sd_z=_number(chance.sd[i]),
                score=_number(chance.score[i], 3),
                p_value=p_window,
                adjusted_p_value=p_adjusted,
            )
        )

    vocal_result, exchange_times = _vocal(decoded["sound"], origin, duration, learner_voice, turn_gap_s)
    candidates = moments.synchrony_candidates(
        table.starts_s,
        table.window_s,
        peak_z,
        peak_lag,
        chance.score,
        chance.adjusted_p_value,
        alpha=alpha,
    ) + moments.exchange_candidates(
        exchange_times,
        duration_s=duration,
        window_s=settings["window_s"],
        step_s=settings["step_s"],
        min_exchanges=moments.MIN_EXCHANGES,
    )
    chosen = moments.pick(candidates, top=top_moments, min_score=moments.MIN_SCORE)

    upright = meter.coded_size if meter.rotation in (0, 180) else meter.coded_size[::-1]
    chance_mean, chance_sd = _number(sync.chance.mean), _number(sync.chance.sd)
    leader = {"a": result.LEARNER, "b": result.PARTNER}.get(sync.leader, result.NEITHER)
    best_lag_s = _number(sync.summary.best_lag_s, 3)
    p_value = _number(sync.chance.p_value)
    analysed = result.AnalysisResult(
        engine_version=ENGINE_VERSION,
        video=result.VideoInfo(
            duration_s=_number(info.duration, 3),
            analysed_s=_number(duration, 3),
            fps=_number(decoded["fps"], 3),
            width=upright[0],
            height=upright[1],
            rotation=meter.rotation,
            frames=meter.frames,
            codec=decoded["codec"],
            has_audio=decoded["sound"] is not None,
        ),
        regions=result.Regions(
            learner=result.Box(**meter.learner.as_dict()),
            partner=result.Box(**meter.partner.as_dict()),
            default=regions == (None, None),
        ),
        motion=result.Motion(
            rate_hz=RATE,
            start_s=0.0,
            learner=_person_motion(series.learner, learner),
            partner=_person_motion(series.partner, partner),
        ),
        synchrony=result.Synchrony(
            overall_z=_number(sync.summary.overall_z),
            overall_signed_z=_number(sync.summary.overall_signed_z),
            lag0_z=_number(sync.summary.lag0_z),
            best_lag_s=best_lag_s,
            peak_z=_number(sync.summary.peak_z),
            effect_size=_number(sync.chance.effect_size, 3),
            p_value=p_value,
            alpha=alpha,
            beyond_chance=synchrony.beyond_chance(p_value, alpha),
            leader=leader,
            leader_reason=sync.leader_reason.replace("b follows a", "the partner follows the learner").replace(
                "a follows b", "the learner follows the partner"
            ),
            follow_delay_s=result.follow_delay(leader, best_lag_s),
            surrogate_mean_z=chance_mean,
            surrogate_sd_z=chance_sd,
            windows_valid=sync.summary.valid_windows,
            lags_s=tuple(_number(v, 3) for v in table.lags_s),
            profile_z=tuple(_number(v) for v in sync.summary.profile),
            windows=tuple(windows),
        ),
        vocal=vocal_result,
        moments=tuple(
            result.Moment(
                start_s=_number(m["start_s"], 3),
                end_s=_number(m["end_s"], 3),
                kind=m["kind"],
                why=m["why"],
                detail=m["detail"],
                score=m["score"],
            )
            for m in chosen
        ),
        parameters=result.Parameters(
            preset=preset,
            **settings,
            details={
                "motion": {
                    "rate_hz": RATE,
                    "threshold_grey_levels": threshold,
                    "analysis_size_px": analysis_size,
                    "downscale_step": series.step,
                    "region_pixels_analysed": list(series.pixels),
                    "filter": "3x3 binary median (at least 5 of 9 neighbours changed) on the change mask",
                    "moving_fraction": motion.MOVING_FRACTION,
                },
                "synchrony": dict(sync.parameters),
                "lag_sign": "positive lag: the partner follows the learner (corr(learner[t], partner[t + lag]))",
                "overall_z": "mean of |Fisher z| over windows and lags; constant windows are NaN and left out",
                "vocal": {
                    **vocal.DETECTION_DEFAULTS,
                    "frame_s": vocal.FRAME_S,
                    "band_hz": list(vocal.BAND_HZ),
                    "pitch_range_hz": list(vocal.PITCH_HZ),
                    "pitch_tracker": f"Praat's To Pitch (ac), {vocal.praat_version()}",
                    "pitch_time_step_s": vocal.PITCH_STEP_S,
                    "pitch_octave_cost": vocal.PITCH_OCTAVE_COST,
                    "attribution": "two-voice Gaussian mixture over the session's vocalisations",
                    "learner_voice": learner_voice,
                    "min_separation_octaves": vocal.ATTRIBUTION_DEFAULTS["min_separation_octaves"],
                    "shape_weight": vocal.ATTRIBUTION_DEFAULTS["shape_weight"],
                    "turn_gap_s": turn_gap_s,
                },
                "windows": "each window's peak z against the same window's peaks in the surrogates; p-values "
                "adjusted for the number of windows by the maximum score over windows in each surrogate",
                "moments": {
                    "top": top_moments,
                    "movement_in_step": "windows whose p-value adjusted for the number of windows is at most alpha",
                    "min_score": moments.MIN_SCORE,
                    "min_exchanges": moments.MIN_EXCHANGES,
                },
            },
        ),
    )
    if on_progress is not None:
        on_progress(1.0)
    return analysed


def _person_motion(raw: np.ndarray, resampled: np.ndarray) -> result.PersonMotion:
    s = motion.summary(raw)
    return result.PersonMotion(
        mean=_number(s["mean"], 5),
        moving_proportion=_number(s["moving_proportion"]),
        values=tuple(round(float(v), 4) for v in resampled),
    )


def _vocal(sound: vocal.VocalFeatures | None, origin: float, duration: float, learner_voice: str, turn_gap_s: float):
    """The ``vocal`` part of the result, and the exchange times for the moments."""
    if sound is None:
        segments, detector = [], None
    else:
        features = sound.shifted(origin)
        segments = [s for s in vocal.detect_segments(features) if s.end_s > 0 and s.start_s < duration]
        for s in segments:
            s.start_s, s.end_s = max(0.0, s.start_s), min(duration, s.end_s)
        detector = sound.detector
    attribution = vocal.attribute(segments, learner_voice=learner_voice)
    rhythm = vocal.pauses(segments, duration)
    taking = vocal.turn_taking(segments, max_gap_s=turn_gap_s)
    vocal_result = result.Vocal(
        available=sound is not None,
        detector=detector,
        segments=tuple(
            result.Sound(
                start_s=_number(s.start_s, 3),
                end_s=_number(s.end_s, 3),
                speaker=s.speaker,
                confidence=_number(s.confidence, 3),
                pitch_hz=_number(s.pitch_hz, 1),
                level_db=_number(s.level_db, 1),
            )
            for s in segments
        ),
        vocal_time_s=_number(rhythm["vocal_time_s"], 3),
        vocal_proportion=_number(rhythm["vocal_proportion"]),
        by_speaker_s=result.SpeakerTimes(
            **{
                who: _number(sum(s.duration_s for s in segments if s.speaker == who), 3)
                for who in ("learner", "partner", "unknown")
            }
        ),
        pauses=result.Pauses(
            count=len(rhythm["pause_lengths_s"]),
            lengths_s=tuple(rhythm["pause_lengths_s"]),
            median_s=_number(rhythm["median_pause_s"], 3),
            mean_s=_number(rhythm["mean_pause_s"], 3),
            median_burst_s=_number(rhythm["median_burst_s"], 3),
            bursts_per_minute=_number(rhythm["bursts_per_minute"], 3),
        ),
        attribution=result.Attribution(
            learner_voice=learner_voice,
            attributed=attribution["attributed"],
            low_hz=_number(attribution["low_hz"], 1),
            high_hz=_number(attribution["high_hz"], 1),
            boundary_hz=_number(attribution["boundary_hz"], 1),
            note=attribution.get("note", ""),
        ),
        exchanges=taking["exchanges"],
        turns=taking["turns"],
        longest_chain=taking["longest_chain"],
        chains=tuple(
            result.Chain(
                start_s=_number(c["start_s"], 3), end_s=_number(c["end_s"], 3), turns=c["turns"], first=c["first"]
            )
            for c in taking["chains"]
        ),
        initiations=result.Initiations(**taking["initiations"]),
        turn_gap_s=turn_gap_s,
    )
    return vocal_result, vocal.exchange_times(segments, max_gap_s=turn_gap_s)
