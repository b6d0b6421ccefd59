"""The contrast ratio the focus tests rely on is WCAG's: symmetric, 1 to 21, and the known pairs."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .contrast import contrast

colour = st.tuples(*[st.integers(0, 255)] * 3)


@given(colour, colour)
def test_contrast_is_the_wcag_ratio(a, b):
    ratio = contrast(a, b)
    assert 1 <= ratio <= 21
    assert ratio == pytest.approx(contrast(b, a))
    assert contrast(a, a) == pytest.approx(1)
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21)
    assert contrast((255, 191, 71), (255, 255, 255)) == pytest.approx(1.6, abs=0.05)  # the old yellow-only ring
