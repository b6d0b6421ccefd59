"""Small real videos with known movement and sound, for the analysis tests (PyAV and NumPy only).

The picture is dark grey with a faint fixed texture. In each half a light square sits still while its person is
"off" and jumps to a new random place near its home (up to ``jitter`` pixels each way) every frame while "on", so
motion energy follows the on/off pattern. The sound is a quiet noise floor with sine tones at given times.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def on_off_pattern(frames: int, fps: float, rng: np.random.Generator, *, on=(0.4, 1.6), off=(0.4, 2.4)) -> np.ndarray:
    """A random on/off pattern, one bool per frame: bouts of ``on`` and ``off`` seconds (uniform ranges)."""
    out = np.zeros(frames, dtype=bool)
    i, state = 0, bool(rng.integers(2))
    while i < frames:
        low, high = on if state else off
        length = max(1, int(round(rng.uniform(low, high) * fps)))
        out[i : i + length] = state
        i += length
        state = not state
    return out


def delayed(pattern: np.ndarray, frames: int) -> np.ndarray:
    """``pattern`` moved ``frames`` later (positive) or earlier (negative), the gap filled with "off"."""
    out = np.zeros_like(pattern)
    if frames >= 0:
        out[frames:] = pattern[: pattern.size - frames]
    else:
        out[:frames] = pattern[-frames:]
    return out


def write_video(
    path,
    *,
    left: np.ndarray,
    right: np.ndarray,
    width: int = 320,
    height: int = 180,
    fps: int = 25,
    tones: list[tuple[float, float, float]] = (),
    audio: bool = True,
    seed: int = 0,
    jitter: int = 8,
    square: int | None = None,
    rotation: int = 0,
    sound_samples: np.ndarray | None = None,
) -> Path:
    """Write an MP4 (libx264 ultrafast, AAC mono 48 kHz) with one frame per element of ``left``/``right`` (bools:
    that half's square moves in that frame). ``tones``: ``(start_s, end_s, hz)`` sine tones (amplitude 0.3, 10 ms
    fades) over a noise floor at about -60 dB; or ``sound_samples``: the sound itself (mono 48 kHz, full scale ±1).
    ``rotation`` stores a display rotation without turning the pictures."""
    path = Path(path)
    rng = np.random.default_rng(seed)
    frames = len(left)
    square = square or height // 4
    background = (40 + rng.integers(0, 8, (height, width))).astype(np.uint8)
    chroma = np.full((height // 2, width // 2), 128, np.uint8).reshape(height // 4, width)
    homes = [(width // 4, height // 2), (3 * width // 4, height // 2)]
    positions = [list(h) for h in homes]
    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.codec_context.time_base = Fraction(1, fps)
        video.codec_context.options = {"preset": "ultrafast", "crf": "20"}
        if rotation:
            video.set_display_rotation(rotation)
        sound = None
        if audio:
            sound = container.add_stream("aac", rate=48000)
            sound.layout, sound.format = "mono", "fltp"
            samples = _tones(frames / fps, tones, 48000, rng) if sound_samples is None else sound_samples
        written = 0
        for i in range(frames):
            y = background.copy()
            for side, moving in enumerate((left[i], right[i])):
                if moving:
                    (hx, hy), reach = homes[side], (-jitter, jitter + 1)
                    positions[side] = [hx + int(rng.integers(*reach)), hy + int(rng.integers(*reach))]
                x, yy = positions[side]
                y[yy - square // 2 : yy + square // 2, x - square // 2 : x + square // 2] = 200
            frame = av.VideoFrame.from_ndarray(np.concatenate((y, chroma, chroma)), format="yuv420p")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            container.mux(video.encode(frame))
            while sound is not None and written < min((i + 1) / fps * 48000, samples.size):
                piece = samples[written : written + 1024]
                if piece.size < 1024:
                    piece = np.concatenate((piece, np.zeros(1024 - piece.size, np.float32)))
                out = av.AudioFrame.from_ndarray(piece[None, :], format="fltp", layout="mono")
                out.sample_rate, out.pts, out.time_base = 48000, written, Fraction(1, 48000)
                container.mux(sound.encode(out))
                written += 1024
        container.mux(video.encode(None))
        if sound is not None:
            container.mux(sound.encode(None))
    return path


def _tones(seconds: float, tones, rate: int, rng: np.random.Generator) -> np.ndarray:
    n = int(round(seconds * rate))
    out = (0.001 * rng.standard_normal(n)).astype(np.float32)
    fade = int(0.01 * rate)
    for start, end, hz in tones:
        a, b = int(round(start * rate)), min(n, int(round(end * rate)))
        t = np.arange(b - a) / rate
        envelope = np.minimum(1.0, np.minimum(np.arange(b - a), np.arange(b - a)[::-1]) / fade)
        out[a:b] += (0.3 * envelope * np.sin(2 * np.pi * hz * t)).astype(np.float32)
    return out


def alternating_tones(seconds: float, rng: np.random.Generator, *, low=300.0, high=600.0, start=1.0):
    """Tones alternating between ``low`` and ``high`` Hz (high first), 0.4-1.2 s long with 0.5-1.5 s silences."""
    tones, t, i = [], start, 0
    while True:
        length = float(rng.uniform(0.4, 1.2))
        if t + length > seconds - 1.0:
            return tones
        tones.append((round(t, 3), round(t + length, 3), high if i % 2 == 0 else low))
        t += length + float(rng.uniform(0.5, 1.5))
        i += 1
