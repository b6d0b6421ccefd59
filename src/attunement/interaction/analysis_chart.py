"""Geometry of the interaction time course drawn under a video: each person's movement, how far they move in
step in each window, and who is making sounds, on one time axis. Every mark carries its time, so choosing it
moves the video there (player.js handles `data-seek`). The same figures are in tables on the page. How strongly
each window is coloured is the engine's judgement (attunement.analysis.result.window_strength)."""

from attunement.analysis.result import AnalysisResult, Sound

WIDTH = 680
LABELS = 88  # room on the left for the row names
MOTION_TOP, MOTION_HEIGHT = 8, 70
SYNC_TOP, SYNC_HEIGHT = 92, 22
VOICE_TOP, VOICE_HEIGHT = 124, 22
HEIGHT = 156
MOST_POINTS = 400


def _x(seconds: float, duration: float) -> float:
    return round(LABELS + (WIDTH - LABELS - 4) * min(max(seconds / duration, 0.0), 1.0), 1)


def _line(values, rate: float, duration: float, top_value: float) -> str:
    """An SVG path of a series, averaged into at most MOST_POINTS points."""
    if not values:
        return ""
    step = max(1, len(values) // MOST_POINTS)
    points = []
    for start in range(0, len(values), step):
        block = values[start : start + step]
        seconds = (start + len(block) / 2) / rate
        height = MOTION_HEIGHT * min(sum(block) / len(block) / top_value, 1.0)
        points.append(f"{_x(seconds, duration)},{round(MOTION_TOP + MOTION_HEIGHT - height, 1)}")
    return "M" + " L".join(points)


def time_course(result: AnalysisResult, segments: tuple[Sound, ...]) -> dict:
    duration = max(result.video.length_s, 0.1)
    motion = result.motion
    learner, partner = motion.learner.values, motion.partner.values
    top_value = max((*learner, *partner, 0.01))
    windows = [
        {
            "x": _x(w.start_s, duration),
            "width": max(_x(w.end_s, duration) - _x(w.start_s, duration) - 1, 1),
            "start": w.start_s,
            "end": w.end_s,
            "z": w.peak_z,
            "strength": w.strength,
        }
        for w in result.synchrony.windows
        if w.start_s is not None and w.end_s is not None
    ]
    voices = [
        {
            "x": _x(s.start_s, duration),
            "width": max(_x(s.end_s, duration) - _x(s.start_s, duration), 1.5),
            "start": s.start_s,
            "speaker": s.speaker,
        }
        for s in segments
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "labels": LABELS,
        "motion_top": MOTION_TOP,
        "motion_bottom": MOTION_TOP + MOTION_HEIGHT,
        "sync_top": SYNC_TOP,
        "sync_height": SYNC_HEIGHT,
        "voice_top": VOICE_TOP,
        "voice_height": VOICE_HEIGHT,
        "learner_path": _line(learner, motion.rate_hz, duration, top_value),
        "partner_path": _line(partner, motion.rate_hz, duration, top_value),
        "windows": windows,
        # False for runs measured before each window was compared with chance on its own (engine 1.2).
        "windows_judged": _version(result.engine_version) >= (1, 2),
        "voices": voices,
        "ticks": _ticks(duration),
    }


def _version(text: str) -> tuple[int, ...]:
    parts = []
    for part in str(text).split("."):
        if not part.isdigit():
            break
        parts.append(int(part))
    return tuple(parts)


TICK_STEPS = (15, 30, 60, 120, 300, 600, 900, 1800, 3600)  # seconds
MOST_TICKS = 8


def _ticks(duration: float) -> list[dict]:
    """Times along the axis at a round step giving at most MOST_TICKS labels, none so near the right-hand end
    that its label would be cut off."""
    step = next((s for s in TICK_STEPS if duration / s <= MOST_TICKS), TICK_STEPS[-1])
    ticks = []
    for seconds in range(0, int(duration) + 1, step):
        x = _x(seconds, duration)
        if x <= WIDTH - 30:
            hours, rest = divmod(seconds, 3600)
            clock = f"{rest // 60}:{rest % 60:02d}" if not hours else f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
            ticks.append({"x": x, "label": clock})
    return ticks
