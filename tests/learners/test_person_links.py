"""Links worked out once per kind and filled in per row are the addresses Django's own reversal gives."""

import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix

from attunement.learners.templatetags.person_links import person_url


@pytest.mark.parametrize(
    ("name", "ids"),
    [
        ("learners:about", (7,)),
        ("learners:photo", (12,)),
        ("practice:timeline", (1,)),
        ("practice:progress", (7700000001,)),
        ("practice:session", (3, 3)),
        ("practice:session", (42, 1_000_000)),
    ],
)
def test_a_filled_in_link_is_the_reversed_address(name, ids):
    assert person_url(name, *ids) == reverse(name, args=ids)


def test_the_link_follows_the_script_prefix_of_the_request():
    try:
        set_script_prefix("/attunement/")
        assert person_url("practice:timeline", 5) == reverse("practice:timeline", args=[5])
        assert person_url("practice:timeline", 5).startswith("/attunement/")
    finally:
        clear_script_prefix()
    assert person_url("practice:timeline", 5) == reverse("practice:timeline", args=[5])
