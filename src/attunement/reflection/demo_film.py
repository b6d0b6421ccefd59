"""A made-up film of an Intensive Interaction session for the demo: two figures, the person supported on the
left and their partner on the right, and two voices. The person starts things (a sway, a sound) and the
partner joins in a moment later, as the approach hopes, so the interaction analysis has something real to find.
No Django; PyAV and NumPy only."""

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

SAMPLE_RATE = 48000


def _bouts(seconds: float, fps: int, rng: np.random.Generator) -> np.ndarray:
    """When the person is active, frame by frame: bouts of 1–3 s with pauses of 1–4 s."""
    active = np.zeros(int(seconds * fps), dtype=bool)
    t = rng.uniform(0.5, 2.0)
    while t < seconds:
        length = rng.uniform(1.0, 3.0)
        active[int(t * fps) : int((t + length) * fps)] = True
        t += length + rng.uniform(1.0, 4.0)
    return active


def _figure(height: int) -> np.ndarray:
    """A figure's silhouette: a head over a body, as a boolean mask."""
    h, w = height * 3 // 5, height * 3 // 10
    yy, xx = np.mgrid[0:h, 0:w]
    head = (xx - w / 2) ** 2 + (yy - h * 0.18) ** 2 <= (w * 0.28) ** 2
    body = ((xx - w / 2) / (w * 0.48)) ** 2 + ((yy - h * 0.7) / (h * 0.34)) ** 2 <= 1
    return head | body


def _voice(pitch: float, seconds: float, rng: np.random.Generator) -> np.ndarray:
    """A voiced sound: a few harmonics with a gentle pitch glide and soft edges."""
    n = int(seconds * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    glide = pitch * (1 + 0.08 * np.sin(2 * np.pi * rng.uniform(0.5, 1.5) * t))
    phase = 2 * np.pi * np.cumsum(glide) / SAMPLE_RATE
    sound = sum(np.sin(k * phase) / k for k in (1, 2, 3))
    edge = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.04)
    return (0.25 * sound * edge).astype(np.float32)


def write_demo_film(
    path,
    *,
    seconds: float = 60.0,
    width: int = 640,
    height: int = 360,
    fps: int = 25,
    follow_s: float | None = 0.8,
    seed: int = 5,
) -> Path:
    """Write the film to ``path`` (MP4, H.264 and AAC). The partner repeats the person's movement ``follow_s``
    seconds later (None: the partner moves on their own, not following), and answers each of the person's
    sounds with a lower voice after a short pause."""
    path = Path(path)
    rng = np.random.default_rng(seed)
    learner = _bouts(seconds, fps, rng)
    if follow_s is None:
        partner = _bouts(seconds, fps, rng)
    else:
        partner = np.roll(learner, int(follow_s * fps))
        partner[: int(follow_s * fps)] = False
    figure = _figure(height)
    fh, fw = figure.shape
    texture = (60 + rng.integers(0, 12, (height, width))).astype(np.uint8)
    homes = [(width // 4 - fw // 2, height - fh - 10), (3 * width // 4 - fw // 2, height - fh - 10)]
    chroma = np.full((height // 2, width // 2), 128, np.uint8)

    sound = rng.normal(0, 0.002, int(seconds * SAMPLE_RATE)).astype(np.float32)
    t = rng.uniform(1.0, 2.0)
    while t < seconds - 3:
        for pitch, start in ((rng.uniform(380, 460), t), (rng.uniform(160, 200), None)):
            length = rng.uniform(0.4, 1.0)
            start = start if start is not None else t + rng.uniform(0.5, 1.2)
            part = _voice(pitch, length, rng)
            at = int(start * SAMPLE_RATE)
            sound[at : at + part.size] += part[: max(0, sound.size - at)]
            t = start + length
        t += rng.uniform(1.5, 4.0)

    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.codec_context.time_base = Fraction(1, fps)
        video.codec_context.options = {"preset": "veryfast", "crf": "23"}
        audio = container.add_stream("aac", rate=SAMPLE_RATE)
        audio.layout, audio.format = "mono", "fltp"
        for index in range(learner.size):
            luma = texture.copy()
            for who, (home_x, home_y) in zip((learner, partner), homes, strict=True):
                sway = int(14 * np.sin(index / fps * 2 * np.pi * 1.5)) if who[index] else 0
                bob = int(6 * abs(np.sin(index / fps * 2 * np.pi * 0.75))) if who[index] else 0
                x, y = home_x + sway, home_y - bob
                luma[y : y + fh, x : x + fw][figure] = 200
            frame = av.VideoFrame(width, height, "yuv420p")
            for plane, data in zip(frame.planes, (luma, chroma, chroma), strict=True):
                rows = np.zeros((data.shape[0], plane.line_size), np.uint8)
                rows[:, : data.shape[1]] = data
                plane.update(rows.tobytes())
            frame.pts = index
            container.mux(video.encode(frame))
        for start in range(0, sound.size, 1024):
            chunk = sound[start : start + 1024].reshape(1, -1)
            samples = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="mono")
            samples.sample_rate, samples.pts = SAMPLE_RATE, start
            container.mux(audio.encode(samples))
        container.mux(video.encode(None))
        container.mux(audio.encode(None))
    return path
