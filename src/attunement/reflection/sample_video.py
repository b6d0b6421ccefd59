"""Make small, real video files for tests, the benchmark and the demo. No Django; needs only PyAV.

The picture is drawn straight into YUV planes (no per-pixel Python work), so even 1080p is cheap to draw and the
time goes to the encoder:

* the background colour drifts slowly round the colour wheel;
* a white bar sweeps left to right, crossing the picture every two seconds;
* a strip along the bottom shows the frame number in binary (16 blocks, most significant bit on the left, white for
  1), so a test can read back which source frame a decoded picture came from (:func:`read_frame_number`);
* optionally, a band of random grey noise at the top (``noise``, a fraction of the height) that changes every frame,
  to give the encoder real work and a file size closer to a phone recording's.

The sound is a steady 440 Hz sine tone, mono, at ``sample_rate`` (44.1 kHz by default, so that making a proxy has
to resample it).
"""

from __future__ import annotations

import colorsys
import math
import os
from array import array
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av

COUNTER_BITS = 16
TONE_HZ = 440
_AUDIO_FRAME = 1024


def _yuv(rgb: tuple[float, float, float]) -> tuple[int, int, int]:
    """BT.601 limited-range Y, Cb, Cr of an RGB colour given as fractions 0..1."""
    r, g, b = rgb
    y = 16 + 65.481 * r + 128.553 * g + 24.966 * b
    cb = 128 - 37.797 * r - 74.203 * g + 112.0 * b
    cr = 128 + 112.0 * r - 93.786 * g - 18.214 * b
    return tuple(max(0, min(255, round(v))) for v in (y, cb, cr))


def _even(value: float) -> int:
    return max(2, int(value) // 2 * 2)


class _Painter:
    """Draws frame ``index`` (shown at ``seconds``) into a new yuv420p VideoFrame."""

    def __init__(self, width: int, height: int, noise: float):
        self.width, self.height = width, height
        self.bar = _even(width / 16)
        self.block = width // COUNTER_BITS
        self.strip = _even(max(height / 8, 2))
        self.noise = min(_even(height * noise), height - self.strip) if noise > 0 else 0
        blank = av.VideoFrame(width, height, "yuv420p")
        self.line_sizes = [plane.line_size for plane in blank.planes]

    def _row(self, plane: int, background: int, bar_value: int, bar_x: int, scale: int) -> bytes:
        width, bar_x, bar = self.width // scale, bar_x // scale, self.bar // scale
        bar_end = min(width, bar_x + bar)
        row = bytes([background]) * bar_x + bytes([bar_value]) * (bar_end - bar_x)
        row += bytes([background]) * (width - bar_end)
        return row + bytes(self.line_sizes[plane] - width)

    def _counter_row(self, index: int) -> bytes:
        row = bytearray([16]) * self.width
        for bit in range(COUNTER_BITS):
            if index >> (COUNTER_BITS - 1 - bit) & 1:
                row[bit * self.block : (bit + 1) * self.block] = bytes([235]) * self.block
        return bytes(row) + bytes(self.line_sizes[0] - self.width)

    def frame(self, index: int, seconds: float) -> av.VideoFrame:
        y, cb, cr = _yuv(colorsys.hsv_to_rgb((seconds / 12) % 1.0, 0.55, 0.8))
        bar_x = int(seconds * self.width / 2 % self.width) // 2 * 2
        picture_rows = self.height - self.strip - self.noise
        frame = av.VideoFrame(self.width, self.height, "yuv420p")
        luma = b""
        if self.noise:
            luma = b"".join(os.urandom(self.width) + bytes(self.line_sizes[0] - self.width) for _ in range(self.noise))
        luma += self._row(0, y, 235, bar_x, 1) * picture_rows + self._counter_row(index) * self.strip
        frame.planes[0].update(luma)
        for plane, value in ((1, cb), (2, cr)):
            top = bytes([128]) * (self.width // 2) + bytes(self.line_sizes[plane] - self.width // 2)
            middle = self._row(plane, value, 128, bar_x, 2)
            frame.planes[plane].update(top * (self.noise // 2) + middle * (picture_rows // 2) + top * (self.strip // 2))
        return frame


def read_frame_number(frame: av.VideoFrame) -> int:
    """The frame number drawn by :func:`write_sample_video` into a decoded picture (at any size it was scaled to,
    as long as the picture was not rotated or cropped)."""
    gray = frame.reformat(format="gray")
    plane = gray.planes[0]
    data = bytes(plane)
    row = gray.height - max(1, gray.height // 32)  # well inside the counter strip (the bottom eighth)
    block = gray.width / COUNTER_BITS
    number = 0
    for bit in range(COUNTER_BITS):
        value = data[row * plane.line_size + int((bit + 0.5) * block)]
        number = number << 1 | (value > 128)
    return number


def _audio_codec(container: av.container.OutputContainer) -> str:
    names = container.format.name.split(",")
    return "libopus" if {"webm", "ogg"} & set(names) else "aac"


def write_sample_video(
    path,
    *,
    seconds: float = 3.0,
    width: int = 320,
    height: int = 240,
    fps: int = 25,
    audio: bool = True,
    codec: str = "libx264",
    preset: str = "ultrafast",
    sample_rate: int = 44100,
    rotation: int = 0,
    frame_times: Sequence[float] | None = None,
    noise: float = 0.0,
) -> Path:
    """Write a real video file at ``path``; the container is chosen from its name (.mp4, .mov, .mkv, .ts, ...).

    ``seconds`` long at ``fps`` frames a second, ``width`` x ``height`` (even numbers), encoded with ``codec``
    (``preset`` applies to libx264 and libx265), with a sine tone (AAC, or Opus in WebM/Ogg) unless ``audio`` is
    False. ``rotation`` stores a display rotation (degrees counter-clockwise, as phones do for portrait videos) without
    turning the pictures themselves. ``frame_times`` (seconds, increasing) gives each frame its own time instead,
    for variable frame rate videos; the frame numbers drawn are still 0, 1, 2, ... Returns the path.
    """
    path = Path(path)
    if width % 2 or height % 2:
        raise ValueError("width and height must be even")
    if frame_times is None:
        frame_times = [i / fps for i in range(max(1, round(seconds * fps)))]
        time_base = Fraction(1, fps)
    else:
        seconds = frame_times[-1] + 1 / fps
        time_base = Fraction(1, 90000)
    painter = _Painter(width, height, noise)
    with av.open(str(path), "w") as container:
        video = container.add_stream(codec, rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.codec_context.time_base = time_base
        if codec == "libx264":
            video.codec_context.options = {"preset": preset, "crf": "23"}
        elif codec == "libx265":  # HEVC, as iPads and iPhones film (quietly: x265 logs to the terminal)
            video.codec_context.options = {"preset": preset, "crf": "28", "x265-params": "log-level=error"}
        if rotation:
            video.set_display_rotation(rotation)
        sound = None
        if audio:
            audio_codec = _audio_codec(container)
            sound = container.add_stream(audio_codec, rate=48000 if audio_codec == "libopus" else sample_rate)
            sound.layout = "mono"
            sound.format = "fltp"
            rate = sound.codec_context.sample_rate
            second = array("f", (0.3 * math.sin(2 * math.pi * TONE_HZ * n / rate) for n in range(rate)))
            tone = (second + second[:_AUDIO_FRAME]).tobytes()
        written = 0
        for index, at in enumerate(frame_times):
            frame = painter.frame(index, at)
            frame.pts = round(at / time_base)
            frame.time_base = time_base
            container.mux(video.encode(frame))
            while sound is not None and written < min(at + 1 / fps, seconds) * rate:
                piece = av.AudioFrame(format="fltp", layout="mono", samples=_AUDIO_FRAME)
                piece.sample_rate, piece.pts, piece.time_base = rate, written, Fraction(1, rate)
                start = written % rate * 4
                piece.planes[0].update(tone[start : start + _AUDIO_FRAME * 4])
                container.mux(sound.encode(piece))
                written += _AUDIO_FRAME
        container.mux(video.encode(None))
        if sound is not None:
            container.mux(sound.encode(None))
    return path
