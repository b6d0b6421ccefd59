"""Motion energy on made pictures: regions, rotation, the change mask and its median filter, luma reading."""

from fractions import Fraction

import av
import numpy as np
import pytest

from attunement.analysis.motion import (
    MotionMeter,
    Region,
    RegionProblem,
    coded_box,
    default_regions,
    downscale_step,
    luma,
    resample,
    summary,
)


def picture(y: np.ndarray, time: float, fmt="yuv420p") -> av.VideoFrame:
    h, w = y.shape
    chroma = np.full((h // 4, w), 128, np.uint8)
    frame = av.VideoFrame.from_ndarray(np.concatenate((y, chroma, chroma)), format="yuv420p")
    frame.pts, frame.time_base = round(time * 1000), Fraction(1, 1000)
    return frame if fmt == "yuv420p" else frame.reformat(format=fmt)


def reference_counts(previous, current, threshold, boxes, step):
    """The definition with np.median: stride, |difference| > threshold, 3x3 median of the mask (interior only)."""
    p, c = previous[::step, ::step].astype(int), current[::step, ::step].astype(int)
    mask = (np.abs(c - p) > threshold).astype(float)
    h, w = mask.shape
    stack = np.stack([mask[1 + dy : h - 1 + dy, 1 + dx : w - 1 + dx] for dy in (-1, 0, 1) for dx in (-1, 0, 1)])
    median = np.median(stack, axis=0) > 0.5
    full = np.zeros_like(mask, dtype=bool)
    full[1:-1, 1:-1] = median
    counts = []
    for x0, y0, x1, y1 in boxes:
        cols = [j for j in range(w) if x0 <= j * step < x1 and 1 <= j < w - 1]
        rows = [i for i in range(h) if y0 <= i * step < y1 and 1 <= i < h - 1]
        counts.append((int(full[np.ix_(rows, cols)].sum()), len(rows) * len(cols)))
    return counts


@pytest.mark.parametrize(("width", "height"), [(320, 180), (640, 360), (200, 400)])
def test_counts_match_a_plain_median_filter(width, height):
    rng = np.random.default_rng(width)
    previous = rng.integers(0, 256, (height, width), dtype=np.uint8)
    current = previous.copy()
    noise = rng.random((height, width)) < 0.3
    current[noise] = rng.integers(0, 256, int(noise.sum()), dtype=np.uint8)
    current[40:90, 20:80] = 255 - current[40:90, 20:80]  # a block that changes
    meter = MotionMeter(width, height, threshold=12)
    meter.feed(picture(previous, 0.0))
    meter.feed(picture(current, 0.04))
    series = meter.result()
    learner, partner = default_regions(width, height)
    expected = reference_counts(
        previous, current, 12, [coded_box(r, 0, width, height) for r in (learner, partner)], meter.step
    )
    assert series.pixels == (expected[0][1], expected[1][1])
    assert series.learner[0] == pytest.approx(expected[0][0] / expected[0][1])
    assert series.partner[0] == pytest.approx(expected[1][0] / expected[1][1])
    assert series.times.tolist() == [pytest.approx(0.04)]


def test_isolated_noise_is_filtered_out_and_blocks_are_kept():
    previous = np.full((180, 320), 60, np.uint8)
    current = previous.copy()
    current[::7, :160:5] = 200  # isolated single pixels on the left
    current[50:70, 200:240] = 200  # a 20 x 40 block on the right
    meter = MotionMeter(320, 180)
    meter.feed(picture(previous, 0.0))
    meter.feed(picture(current, 0.04))
    series = meter.result()
    assert series.learner[0] == 0.0
    assert series.partner[0] * series.pixels[1] == 20 * 40 - 4  # the block less its four corners


def test_still_pictures_give_zero_and_first_frame_has_no_value():
    still = np.random.default_rng(0).integers(0, 256, (180, 320), dtype=np.uint8)
    meter = MotionMeter(320, 180)
    for i in range(5):
        meter.feed(picture(still, i * 0.04))
    series = meter.result()
    assert series.times.size == 4
    assert not series.learner.any() and not series.partner.any()
    assert summary(series.learner) == {"mean": 0.0, "moving_proportion": 0.0}


def test_regions_and_rotation():
    assert Region.parse("10, 20,30,40") == Region(10, 20, 30, 40)
    for bad in ("1,2,3", "a,b,c,d", "0,0,0,10", "-1,0,5,5"):
        with pytest.raises(RegionProblem):
            Region.parse(bad)
    with pytest.raises(RegionProblem):
        Region(400, 0, 10, 10).clipped(320, 180)
    assert Region(300, 170, 100, 100).clipped(320, 180) == Region(300, 170, 20, 10)
    assert default_regions(321, 10) == (Region(0, 0, 160, 10), Region(160, 0, 161, 10))
    # The box marked on the upright picture lands where coded_box says on the coded one.
    coded_w, coded_h = 64, 36
    for rotation in (0, 90, 180, 270):
        upright_shape = (coded_w, coded_h) if rotation in (90, 270) else (coded_h, coded_w)
        upright = np.zeros(upright_shape, bool)
        box = Region(3, 5, 11, 7)
        upright[box.y : box.y + box.height, box.x : box.x + box.width] = True
        coded = np.rot90(upright, -rotation // 90)  # turning the coded picture by +rotation gives the upright one
        assert np.array_equal(np.rot90(coded, rotation // 90), upright)
        rows, cols = np.nonzero(coded)
        assert coded_box(box, rotation, coded_w, coded_h) == (cols.min(), rows.min(), cols.max() + 1, rows.max() + 1)


def test_small_regions_and_pictures_are_refused():
    with pytest.raises(RegionProblem):
        MotionMeter(320, 180, learner=Region(0, 0, 1, 1))  # only the edge, which has no full neighbourhood
    with pytest.raises(RegionProblem):
        MotionMeter(2, 2)


def test_downscale_step():
    assert [downscale_step(w, h) for w, h in [(320, 180), (480, 270), (640, 360), (1280, 720), (1080, 1920)]] == [
        1,
        1,
        2,
        4,
        6,
    ]


@pytest.mark.parametrize("fmt", ["yuv420p", "nv12", "yuv420p10le", "p010le", "yuvj420p", "gray", "rgb24", "yuyv422"])
def test_luma_of_every_kind_of_picture(fmt):
    y = np.tile(np.linspace(16, 235, 64).astype(np.uint8), (36, 1))
    frame = picture(y, 0.0, fmt)
    assert frame.format.name == fmt
    out = luma(frame)
    assert out.shape == (36, 64) and out.dtype == np.uint8
    if fmt in ("yuv420p", "nv12", "yuv420p10le", "p010le"):  # the same limited-range Y, read directly
        assert np.abs(out.astype(int) - y).max() <= 1
    else:  # converted to full range (0-255) on the way: the same picture, stretched
        assert np.corrcoef(out[0], y[0])[0, 1] > 0.999
        assert np.all(np.diff(out[0].astype(int)) >= 0)


def test_resample_averages_bins_and_fills_gaps():
    times = np.array([0.01, 0.05, 0.12, 0.45, 0.47])
    values = np.array([1.0, 3.0, 5.0, 7.0, 9.0])
    out = resample(times, values, rate=10, start=0.0, end=0.5)
    np.testing.assert_allclose(out, [2.0, 5.0, 6.0, 7.0, 8.0])
    assert resample(times, values, rate=10, start=0.0, end=0.0).size == 0
    np.testing.assert_allclose(resample([], [], rate=10, start=0, end=0.3), [0, 0, 0])


@pytest.mark.parametrize(("width", "height"), [(640, 360), (1280, 720), (1920, 1080), (642, 364), (1000, 500)])
def test_the_quick_downscale_reads_the_same_pixels(width, height):
    y = np.random.default_rng(width).integers(0, 256, (height, width), dtype=np.uint8)
    frame = picture(y, 0.0)
    meter = MotionMeter(width, height)
    small = meter.small(frame)
    assert small.flags.c_contiguous
    assert np.array_equal(small, y[:: meter.step, :: meter.step])
    ten_bit = picture(y, 0.0, "yuv420p10le")
    assert np.abs(meter.small(ten_bit).astype(int) - y[:: meter.step, :: meter.step]).max() <= 1
