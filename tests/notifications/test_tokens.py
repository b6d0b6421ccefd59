"""The unsubscribe link's token: only a token made here, for that member, names a member."""

from django.core import signing
from hypothesis import given
from hypothesis import strategies as st

from attunement.notifications.tokens import membership_id_from, unsubscribe_token


@given(st.integers(min_value=1, max_value=2**62))
def test_a_token_made_here_names_its_member(membership_id):
    assert membership_id_from(unsubscribe_token(membership_id)) == membership_id


@given(st.text(max_size=200))
def test_text_that_was_not_made_here_names_nobody(text):
    assert membership_id_from(text) is None


@given(st.integers(min_value=1, max_value=2**31), st.integers(min_value=0, max_value=200), st.characters())
def test_a_changed_token_names_nobody(membership_id, position, character):
    token = unsubscribe_token(membership_id)
    position %= len(token)
    changed = token[:position] + character + token[position + 1 :]
    if changed != token:
        assert membership_id_from(changed) is None


@given(st.integers(min_value=1, max_value=2**31))
def test_another_kind_of_signed_value_names_nobody(membership_id):
    assert membership_id_from(signing.dumps(membership_id)) is None  # signed, but not for this purpose
    assert membership_id_from(signing.dumps(str(membership_id), salt="attunement.notifications.unsubscribe")) is None
