"""Motion energy of two regions of a video (learner and partner), computed frame by frame while decoding.

Method (motion energy analysis, MEA, as in Ramseyer & Tschacher's and rMEA's conventions, on the grey level):

1. The luma (Y) plane of each decoded picture is read in place (``frame.planes[0]``, honouring ``line_size``);
   pictures are never converted to RGB and only the previous picture is kept, so memory does not grow with the
   length of the video.
2. The luma is downscaled by *striding*: every ``step``-th pixel of every ``step``-th row, with ``step`` the whole
   number that brings the longer side of the coded picture to at least ``analysis_size`` (320) pixels, e.g. 2 for
   640x360, 4 for 1280x720, 6 for 1920x1080, 1 below 640 pixels. No averaging (it would cost more than the
   decoding budget allows); the majority filter below removes the isolated pixels that striding lets through.
3. A pixel has *changed* when its grey level differs from the previous picture's by more than ``threshold``
   (grey levels 0-255; default 12).
4. The binary change mask is cleaned by a 3x3 *median*, which on a binary mask is a majority vote: a pixel counts
   as changed when at least 5 of the 9 pixels of its 3x3 neighbourhood changed. It is computed as two separable
   3-pixel box sums of the mask (rows, then columns). The outermost row and column of the downscaled picture have
   no full neighbourhood and are left out.
5. Motion of a region = changed pixels / pixels of the region (both counted on the cleaned, downscaled grid), a
   fraction from 0 (nothing moved) to 1 (everything changed), for each picture but the first, at that picture's
   time (``frame.time``, so variable frame rate videos keep their true timing).

Regions are boxes ``x, y, width, height`` in pixels of the *upright* picture (after the phone's rotation, before
any stretching of non-square pixels), ``x`` from the left and ``y`` from the top; by default the learner is the
left half and the partner the right half. They are mapped onto the coded picture (undoing the rotation) and then
onto the downscaled grid.
"""

from __future__ import annotations

import math
import sys
from array import array
from dataclasses import dataclass

import av
import numpy as np

DEFAULT_THRESHOLD = 12  # grey levels (0-255) a pixel must change by to count as moving
DEFAULT_ANALYSIS_SIZE = 320  # pixels along the longer side after downscaling (at least)
MOVING_FRACTION = 0.01  # a region "is moving" in a frame when at least 1% of its pixels changed


class RegionProblem(ValueError):
    """A region that is malformed or does not overlap the picture; the message is a plain sentence."""


@dataclass(frozen=True)
class Region:
    """A box in pixels of the upright picture: ``x`` from the left edge, ``y`` from the top, ``width`` x
    ``height``."""

    x: int
    y: int
    width: int
    height: int

    @classmethod
    def parse(cls, text: str) -> Region:
        """Read ``"X,Y,W,H"`` (whole pixels; width and height above 0). Raises :class:`RegionProblem`."""
        parts = [p.strip() for p in str(text).split(",")]
        try:
            x, y, w, h = (int(p) for p in parts)
        except ValueError:
            raise RegionProblem(f"A region must be four whole numbers X,Y,W,H in pixels, not {text!r}.") from None
        if w <= 0 or h <= 0 or x < 0 or y < 0:
            raise RegionProblem(f"A region needs X and Y of 0 or more and a width and height above 0, not {text!r}.")
        return cls(x, y, w, h)

    def as_dict(self) -> dict:
        return {"x": self.x, "y": self.y, "w": self.width, "h": self.height}

    def clipped(self, width: int, height: int) -> Region:
        """The part of the box inside a ``width`` x ``height`` picture; :class:`RegionProblem` if none is."""
        x0, y0 = max(0, self.x), max(0, self.y)
        x1, y1 = min(width, self.x + self.width), min(height, self.y + self.height)
        if x1 <= x0 or y1 <= y0:
            raise RegionProblem(
                f"The region {self.x},{self.y},{self.width},{self.height} lies outside the {width} x {height} picture."
            )
        return Region(x0, y0, x1 - x0, y1 - y0)


def default_regions(width: int, height: int) -> tuple[Region, Region]:
    """The learner's and the partner's default regions: the left and the right half of an upright picture of
    ``width`` x ``height`` pixels (the middle column, for an odd width, goes to the right half)."""
    half = width // 2
    return Region(0, 0, half, height), Region(half, 0, width - half, height)


def coded_box(region: Region, rotation: int, coded_width: int, coded_height: int) -> tuple[int, int, int, int]:
    """Map a region of the upright picture onto the coded (stored) picture, as ``(x0, y0, x1, y1)`` (end
    exclusive). ``rotation`` is the display rotation in degrees counter-clockwise (0, 90, 180, 270), as FFmpeg
    reports it and :func:`attunement.media.probe` stores it; the upright picture is the coded one turned
    by that much."""
    x0, y0, x1, y1 = region.x, region.y, region.x + region.width, region.y + region.height
    w, h = coded_width, coded_height
    if rotation == 90:  # coded (cx, cy) -> upright (cy, w - 1 - cx)
        return w - y1, x0, w - y0, x1
    if rotation == 180:
        return w - x1, h - y1, w - x0, h - y0
    if rotation == 270:  # coded (cx, cy) -> upright (h - 1 - cy, cx)
        return y0, h - x1, y1, h - x0
    return x0, y0, x1, y1


def downscale_step(width: int, height: int, analysis_size: int = DEFAULT_ANALYSIS_SIZE) -> int:
    """The stride used to downscale a ``width`` x ``height`` luma plane: the largest whole number that keeps the
    longer side at least ``analysis_size`` pixels (1 for small pictures)."""
    return max(1, max(width, height) // max(1, analysis_size))


@dataclass
class MotionSeries:
    """Motion energy per picture: ``times`` (seconds, as decoded, before any shift to the first picture) of each
    picture from the second on, and the fraction (0..1) of each region's pixels that changed since the previous
    picture. ``step`` is the downscaling stride and ``pixels`` the number of (downscaled, filtered) pixels each
    region's fraction is out of."""

    times: np.ndarray
    learner: np.ndarray
    partner: np.ndarray
    step: int
    pixels: tuple[int, int]
    threshold: int
    skipped_frames: int = 0


_EIGHT_BIT = 8
# Little-endian unsigned words whose low byte is the first of ``step`` bytes (only on little-endian machines).
_WORDS = {2: "<u2", 4: "<u4", 8: "<u8"} if sys.byteorder == "little" else {}
_READERS: dict[str, object] = {}  # pixel format name -> how to read its luma


def _reader(fmt: av.VideoFormat):
    """How to read the luma of pictures in ``fmt``: ``(dtype, shift)`` to read plane 0 directly (8-bit: no
    shift; more bits: little-endian 16-bit words scaled to 8 bits) or None to convert to grey first (RGB, packed
    YUV and anything else whose plane 0 is not luma alone). Worked out once per format."""
    if fmt.name in _READERS:
        return _READERS[fmt.name]
    components = fmt.components
    reader = None
    plain = not fmt.is_rgb and components and components[0].is_luma and components[0].plane == 0
    if plain and not any(c.plane == 0 for c in components[1:]):  # not packed (e.g. yuyv422)
        bits = components[0].bits
        if bits == _EIGHT_BIT:
            reader = (np.uint8, 0)
        elif bits <= 16 and fmt.name.endswith("le"):
            reader = ("<u2", 8 if fmt.name.startswith(("p0", "p2", "p4")) else bits - 8)  # P010-style: high bits
    _READERS[fmt.name] = reader
    return reader


def _luma_view(frame: av.VideoFrame) -> np.ndarray | None:
    """The luma plane of ``frame`` as a (height, width) uint8 array viewing the frame's own memory (8-bit formats)
    or a new array (more bits: scaled to 8). None for formats whose plane 0 is not luma alone (RGB, packed YUV)."""
    reader = _reader(frame.format)
    if reader is None:
        return None
    dtype, shift = reader
    plane = frame.planes[0]
    width, height = frame.width, frame.height
    if shift == 0:
        return np.frombuffer(plane, np.uint8).reshape(-1, plane.line_size)[:height, :width]
    data = np.frombuffer(plane, dtype).reshape(-1, plane.line_size // 2)[:height, :width]
    return (data >> shift).astype(np.uint8)


def luma(frame: av.VideoFrame) -> np.ndarray:
    """The grey level (0-255) of every pixel of a decoded picture, as a (height, width) uint8 array. Reads the Y
    plane in place for planar YUV and grey formats (no copy for 8-bit ones); other formats (RGB, packed YUV) are
    converted to grey first, which is slower."""
    view = _luma_view(frame)
    if view is None:
        grey = frame.reformat(format="gray")
        view = _luma_view(grey)
    return view


class MotionMeter:
    """Measures motion energy picture by picture: call :meth:`feed` with each decoded picture in order, then
    :meth:`result`. Keeps only the previous (downscaled) picture.

    ``learner`` and ``partner`` are :class:`Region` boxes in pixels of the upright picture (None: the left and the
    right half). ``coded_width`` x ``coded_height`` is the size of the decoded pictures and ``rotation`` their
    display rotation (degrees counter-clockwise). Pictures of another size than the first (a rare mid-stream
    change) are skipped and counted in ``skipped_frames``; the comparison starts again after them.
    """

    def __init__(
        self,
        coded_width: int,
        coded_height: int,
        *,
        rotation: int = 0,
        learner: Region | None = None,
        partner: Region | None = None,
        threshold: int = DEFAULT_THRESHOLD,
        analysis_size: int = DEFAULT_ANALYSIS_SIZE,
    ):
        if coded_width < 3 or coded_height < 3:
            raise RegionProblem("The picture is too small to measure movement.")
        self.coded_size = (coded_width, coded_height)
        self.rotation = rotation
        upright = (coded_height, coded_width) if rotation in (90, 270) else (coded_width, coded_height)
        default_learner, default_partner = default_regions(*upright)
        self.learner = (learner or default_learner).clipped(*upright)
        self.partner = (partner or default_partner).clipped(*upright)
        self.threshold = int(threshold)
        self.step = step = downscale_step(coded_width, coded_height, analysis_size)
        rows, cols = len(range(0, coded_height, step)), len(range(0, coded_width, step))
        if rows < 3 or cols < 3:
            raise RegionProblem("The picture is too small to measure movement.")
        # Slices into the filtered mask, whose element (i, j) is downscaled pixel (i + 1, j + 1).
        self._slices = []
        pixels = []
        for region in (self.learner, self.partner):
            x0, y0, x1, y1 = coded_box(region, rotation, coded_width, coded_height)
            c0, c1 = max(1, math.ceil(x0 / step)), min(cols - 1, math.ceil(x1 / step))
            r0, r1 = max(1, math.ceil(y0 / step)), min(rows - 1, math.ceil(y1 / step))
            if c1 <= c0 or r1 <= r0:
                raise RegionProblem(
                    f"The region {region.x},{region.y},{region.width},{region.height} is too small to measure "
                    "movement in; please draw a larger box."
                )
            self._slices.append((slice(r0 - 1, r1 - 1), slice(c0 - 1, c1 - 1)))
            pixels.append((r1 - r0) * (c1 - c0))
        self.pixels = tuple(pixels)
        # Work arrays, reused for every picture (three, reused in turn, so they stay in the processor's cache).
        self._difference = np.empty((rows, cols), np.uint8)
        self._smaller = np.empty((rows, cols), np.uint8)
        self._changed_mask = np.empty((rows, cols), bool)
        self._previous: np.ndarray | None = None
        self._previous_time: float | None = None
        self._times = array("d")  # compact: 24 bytes a picture, however long the video
        self._learner = array("q")
        self._partner = array("q")
        self.skipped_frames = 0
        self.frames = 0

    def feed(self, frame: av.VideoFrame) -> None:
        """Take the next decoded picture (in presentation order)."""
        self.feed_small(frame.time, self.small(frame))

    def small(self, frame: av.VideoFrame) -> np.ndarray | None:
        """The downscaled luma of a picture (a new, contiguous uint8 array), or None for a picture of another size
        than the first. Cheap; with :meth:`feed_small` this splits :meth:`feed` so that decoding and measuring can
        run in different threads without holding on to whole pictures."""
        if (frame.width, frame.height) != self.coded_size:
            return None
        step = self.step
        word = _WORDS.get(step)
        if word is not None and _reader(frame.format) == (np.uint8, 0):
            # Every step-th byte of every step-th row, read as the low byte of step-byte words: the same pixels as
            # luma(frame)[::step, ::step], several times faster than gathering single bytes.
            plane = frame.planes[0]
            columns = -(-frame.width // step)
            if plane.line_size % step == 0 and plane.line_size // step >= columns:
                words = np.frombuffer(plane, word).reshape(-1, plane.line_size // step)
                return words[: frame.height : step, :columns].astype(np.uint8)
        return luma(frame)[::step, ::step].copy()

    def feed_small(self, time: float | None, current: np.ndarray | None) -> None:
        """Take the next picture's time (seconds, None if unknown) and downscaled luma from :meth:`small`."""
        self.frames += 1
        if current is None:
            self.skipped_frames += 1
            self._previous = None
            return
        if time is None:  # no timestamp: one nominal frame after the previous one
            time = (self._previous_time if self._previous_time is not None else 0.0) + 1 / 25
        previous = self._previous
        self._previous, self._previous_time = current, time
        if previous is None:
            return
        learner, partner = self._changed(previous, current)
        self._times.append(time)
        self._learner.append(learner)
        self._partner.append(partner)

    def _changed(self, previous: np.ndarray, current: np.ndarray) -> tuple[int, int]:
        """Changed pixels in each region after the 3x3 majority filter (all in preallocated arrays)."""
        difference, smaller, changed = self._difference, self._smaller, self._changed_mask
        np.maximum(previous, current, out=difference)
        np.minimum(previous, current, out=smaller)
        np.subtract(difference, smaller, out=difference)  # |current - previous|, in uint8 without overflow
        np.greater(difference, self.threshold, out=changed)
        mask = changed.view(np.uint8)
        rows = smaller[:, :-2]  # 3-pixel sums along rows (smaller is free again)
        np.add(mask[:, :-2], mask[:, 1:-1], out=rows)
        rows += mask[:, 2:]
        box = difference[:-2, :-2]  # then down columns: 3x3 sums (difference is free again)
        np.add(rows[:-2], rows[1:-1], out=box)
        box += rows[2:]
        cleaned = np.greater_equal(box, 5, out=changed[:-2, :-2])  # the mask is no longer needed
        (r0, c0), (r1, c1) = self._slices
        return int(np.count_nonzero(cleaned[r0, c0])), int(np.count_nonzero(cleaned[r1, c1]))

    def result(self) -> MotionSeries:
        """The series so far (see :class:`MotionSeries`)."""
        return MotionSeries(
            times=np.array(self._times, dtype=np.float64),
            learner=np.array(self._learner, dtype=np.float64) / self.pixels[0],
            partner=np.array(self._partner, dtype=np.float64) / self.pixels[1],
            step=self.step,
            pixels=self.pixels,
            threshold=self.threshold,
            skipped_frames=self.skipped_frames,
        )


def resample(times: np.ndarray, values: np.ndarray, *, rate: float, start: float, end: float) -> np.ndarray:
    """Put a series given at irregular ``times`` (seconds) onto a regular grid of ``rate`` samples a second from
    ``start`` to ``end``: sample ``i`` is the mean of the values whose time falls in ``[start + i / rate,
    start + (i + 1) / rate)``. Empty bins (gaps in a variable frame rate video) are filled by linear interpolation
    between the nearest filled bins, and by the nearest filled bin at the ends. Returns zeros if nothing falls
    inside."""
    n = max(0, int(math.ceil((end - start) * rate - 1e-9)))
    if n == 0:
        return np.zeros(0)
    times, values = np.asarray(times, dtype=np.float64), np.asarray(values, dtype=np.float64)
    index = np.floor((times - start) * rate + 1e-9).astype(np.int64)
    inside = (index >= 0) & (index < n)
    sums = np.bincount(index[inside], weights=values[inside], minlength=n)
    counts = np.bincount(index[inside], minlength=n)
    filled = counts > 0
    if not filled.any():
        return np.zeros(n)
    out = np.zeros(n)
    out[filled] = sums[filled] / counts[filled]
    if not filled.all():
        positions = np.flatnonzero(filled)
        out = np.interp(np.arange(n), positions, out[positions])
    return out


def summary(values: np.ndarray, moving_fraction: float = MOVING_FRACTION) -> dict:
    """``mean`` motion (fraction of the region's pixels changed per picture) and ``moving_proportion``, the share
    of pictures in which at least ``moving_fraction`` of the region changed. None for an empty series."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return {"mean": None, "moving_proportion": None}
    return {"mean": float(values.mean()), "moving_proportion": float(np.mean(values >= moving_fraction))}
