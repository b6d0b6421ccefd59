"""The add and rename rules, the same for the Fundamentals, the training list and the ethogram: a name is stored
tidied, and two entries never share a name that differs only by case, spacing or how an accent was typed."""

import itertools
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attunement.codings import services as reflection
from attunement.codings.models import EthogramCode
from attunement.means import services as means
from attunement.means.models import Course
from attunement.organisations.models import AuditEntry
from attunement.practice import services as practice
from attunement.practice.models import Fundamental

_keys = itertools.count(1)


@dataclass(frozen=True)
class Catalogue:
    model: type
    add: Callable
    rename: Callable
    retire: Callable
    audit: str
    thing: str


CATALOGUES = {
    "fundamentals": Catalogue(
        Fundamental,
        add=lambda actor, name: practice.fundamental_add(actor=actor, name=name, area="communication"),
        rename=lambda actor, entry, name: practice.fundamental_rename(actor=actor, fundamental=entry, name=name),
        retire=lambda actor, entry, retired: practice.fundamental_set_retired(
            actor=actor, fundamental=entry, retired=retired
        ),
        audit="fundamental",
        thing="Fundamental",
    ),
    "courses": Catalogue(
        Course,
        add=lambda actor, name: means.course_add(actor=actor, name=name),
        rename=lambda actor, entry, name: means.course_update(
            actor=actor, course=entry, name=name, refresh_months=entry.refresh_months, required=entry.required
        ),
        retire=lambda actor, entry, retired: means.course_set_retired(actor=actor, course=entry, retired=retired),
        audit="course",
        thing="course",
    ),
    "ethogram": Catalogue(
        EthogramCode,
        add=lambda actor, name: reflection.ethogram_code_add(
            actor=actor, key=f"X-{next(_keys)}", name=name, subject="learner", kind="point"
        ),
        rename=lambda actor, entry, name: reflection.ethogram_code_change(
            actor=actor, code=entry, name=name, shortcut=entry.shortcut
        ),
        retire=lambda actor, entry, retired: reflection.ethogram_code_set_retired(
            actor=actor, code=entry, retired=retired
        ),
        audit="ethogram_code",
        thing="code",
    ),
}

# Letters whose upper and lower case map back to each other, some with accents a keyboard may compose or not.
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéÉèñÑüÜøØ"
words = st.lists(st.text(alphabet=LETTERS + "'-", min_size=1, max_size=8), min_size=1, max_size=4)
gaps = st.sampled_from([" ", "  ", "\t", "\n", "\u00a0", " \r\n "])


@st.composite
def written_differently(draw, name_words: list[str]) -> tuple[str, str]:
    """The same words typed another way (other case letter by letter, other spaces, accents decomposed), and how
    that is stored: one space between the words as typed."""
    cased = ["".join(draw(st.sampled_from([c.upper(), c.lower(), c])) for c in word) for word in name_words]
    text = cased[0] + "".join(draw(gaps) + word for word in cased[1:])
    text = draw(st.sampled_from(["", " ", "\t"])) + text + draw(st.sampled_from(["", " ", "\n"]))
    return unicodedata.normalize(draw(st.sampled_from(["NFC", "NFD"])), text), " ".join(cased)


def _entries(catalogue, world):
    return catalogue.model.objects.filter(organisation=world.school)


def _refusal(error: ValidationError) -> str:
    return " ".join(error.message_dict.get("name", []))


@pytest.mark.django_db
@pytest.mark.parametrize("which", CATALOGUES)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), name_words=words)
def test_a_name_typed_differently_is_the_same_name(world, which, data, name_words):
    catalogue, actor = CATALOGUES[which], world.coordinator
    tidy = " ".join(name_words)
    with transaction.atomic():
        if any(e.name.casefold() == tidy.casefold() for e in _entries(catalogue, world)):
            transaction.set_rollback(True)
            return  # one of the defaults: covered by the clash below all the same
        typed, stored = data.draw(written_differently(name_words))
        added = catalogue.add(actor, typed)
        assert added.name == stored
        before = _entries(catalogue, world).count()

        again, again_stored = data.draw(written_differently(name_words))
        with pytest.raises(ValidationError) as refused:
            catalogue.add(actor, again)
        assert _refusal(refused.value) == f"There is already a {catalogue.thing} called “{stored}”."
        assert _entries(catalogue, world).count() == before

        other = _entries(catalogue, world).exclude(pk=added.pk).first()
        its_name = other.name
        with pytest.raises(ValidationError, match="already"):
            catalogue.rename(actor, other, again)
        other.refresh_from_db()
        assert other.name == its_name

        assert catalogue.rename(actor, added, again).name == again_stored  # its own name, written another way

        catalogue.retire(actor, added, True)
        with pytest.raises(ValidationError) as refused:
            catalogue.add(actor, data.draw(written_differently(name_words))[0])
        assert "retired" in _refusal(refused.value) and "Use again" in _refusal(refused.value)
        with pytest.raises(ValidationError) as refused:
            catalogue.rename(actor, other, data.draw(written_differently(name_words))[0])
        assert "retired. Please choose another name" in _refusal(refused.value)
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("which", CATALOGUES)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=words, second=words)
def test_different_names_live_side_by_side(world, which, first, second):
    catalogue, actor = CATALOGUES[which], world.coordinator
    one, two = " ".join(first), " ".join(second)
    taken = {e.name.casefold() for e in _entries(catalogue, world)}
    if one.casefold() == two.casefold() or one.casefold() in taken or two.casefold() in taken:
        return
    with transaction.atomic():
        added = [catalogue.add(actor, one), catalogue.add(actor, two)]
        assert [e.name for e in added] == [one, two]
        assert added[0].position < added[1].position == _entries(catalogue, world).count()
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("which", CATALOGUES)
def test_blank_and_overlong_names_are_refused_in_plain_words(world, which):
    catalogue, actor = CATALOGUES[which], world.coordinator
    longest = catalogue.model._meta.get_field("name").max_length
    before = _entries(catalogue, world).count()
    for blank in ("", "   ", "\t\n\u00a0"):
        with pytest.raises(ValidationError) as refused:
            catalogue.add(actor, blank)
        assert _refusal(refused.value).startswith("Please")
    with pytest.raises(ValidationError) as refused:
        catalogue.add(actor, "x" * (longest + 1))
    assert f"under {longest} characters" in _refusal(refused.value)
    assert _entries(catalogue, world).count() == before
    assert catalogue.add(actor, "  " + "x" * longest + "  ").name == "x" * longest


@pytest.mark.django_db
@pytest.mark.parametrize("which", CATALOGUES)
def test_retiring_twice_changes_nothing_and_each_change_is_audited(world, which):
    catalogue, actor = CATALOGUES[which], world.coordinator
    entry = catalogue.add(actor, "Waiting together")
    catalogue.rename(actor, entry, "Waiting, together")
    first = catalogue.retire(actor, entry, True)
    second = catalogue.retire(actor, entry, True)
    assert second.retired_at == first.retired_at
    catalogue.retire(actor, entry, False)
    actions = AuditEntry.objects.filter(target_id=entry.pk, action__startswith=f"{catalogue.audit}.")
    assert [a.split(".")[1] for a in actions.order_by("pk").values_list("action", flat=True)] == [
        "added",
        "renamed" if which == "fundamentals" else "changed",
        "retired",
        "restored",
    ]


REFUSALS = {
    "fundamentals": "Only co-ordinators and administrators can change the Fundamentals.",
    "courses": "Only co-ordinators, managers and administrators can change the training list.",
    "ethogram": "Only co-ordinators, managers and administrators can change the ethogram.",
}


@pytest.mark.django_db
@pytest.mark.parametrize("which", CATALOGUES)
def test_only_leaders_change_a_list_and_only_their_own(world, which):
    catalogue = CATALOGUES[which]
    refusal = REFUSALS[which]
    for role, member in world.members.items():
        if f"{member.get_role_display().lower()}s" in refusal:
            assert catalogue.add(member, f"Waiting together ({role})").organisation == world.school
        else:
            with pytest.raises(PermissionDenied) as refused:
                catalogue.add(member, "Waiting together")
            assert str(refused.value) == refusal
    theirs = _entries(catalogue, world).model.objects.filter(organisation=world.other).first()
    with pytest.raises(PermissionDenied):
        catalogue.rename(world.coordinator, theirs, "Ours now")
    with pytest.raises(PermissionDenied):
        catalogue.retire(world.coordinator, theirs, True)
