"""Names Attunement knows never reach an anonymised output."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from attunement.outcomes.anonymise import (
    FAMILY,
    ROLES,
    SITE,
    STAFF,
    KnownName,
    anonymise,
    names_in,
    organisation_role,
    person_role,
)

PUPIL, SCHOOL = person_role("school"), organisation_role("school")
KNOWN = [
    KnownName("Sam", PUPIL),
    KnownName("Okafor", PUPIL),
    KnownName("Sam Okafor", PUPIL),
    KnownName("Chloe", STAFF),
    KnownName("Chloe Jones", STAFF),
    KnownName("Oakfield Special School", SCHOOL),
    KnownName("Oakfield", SCHOOL),
    KnownName("Sarah", FAMILY),
    KnownName("Secondary", SITE),
]


def test_the_example_from_the_case_study_names_nobody():
    text = "For the first time: Chloe took Sam Okafor's hand at Oakfield"
    assert anonymise(text, KNOWN) == ("For the first time: [a member of staff] took [the pupil]'s hand at [the school]")


def test_any_case_possessives_curly_apostrophes_and_line_breaks():
    text = "SAM’s mum Sarah came to oakfield special\nschool; chloe  jones waved"
    assert anonymise(text, KNOWN) == (
        "[the pupil]’s mum [a family member] came to [the school]; [a member of staff] waved"
    )


def test_only_whole_words_are_names():
    assert anonymise("Samba at the Oakfields and Samuel's chloes", KNOWN) == (
        "Samba at the Oakfields and Samuel's chloes"
    )


def test_an_adult_service_says_the_person_and_the_service():
    names = [KnownName("Ben", person_role("adult_service")), KnownName("Riverside", organisation_role("adult_service"))]
    assert anonymise("Ben laughed at Riverside", names) == "[the person] laughed at [the service]"


def test_names_in_finds_what_is_left():
    assert names_in("[the pupil] and chloe and CHLOE went to Oakfield", KNOWN) == ["chloe", "CHLOE", "Oakfield"]
    assert names_in("nobody here", KNOWN) == []
    assert names_in("anything", []) == []


LETTERS = "abcdefghijklmnopqrstuvwxyzâéñöçABCDEFGHIJKLMNOPQRSTUVWXYZÂÉÑÖÇ"
word = st.text(alphabet=LETTERS, min_size=2, max_size=9)
name = st.lists(word, min_size=1, max_size=3).map(" ".join)
role = st.sampled_from(ROLES)
separator = st.sampled_from([" ", ", ", ". ", "'s ", "’s ", "\n", " (", ") ", " - ", "!", "  "])
filler = st.lists(st.one_of(word, st.sampled_from(["the", "hand", "took", "at", "for", "first", "time"])), max_size=4)


def _survives(found: str, output: str) -> bool:
    """Does the name appear as whole words in the output (the roles put in set aside)? Checked without regular
    expressions, by looking at the characters either side of every occurrence."""
    for placeholder in ROLES:
        output = output.replace(placeholder, "#")
    haystack, needle = " ".join(output.split()).lower(), " ".join(found.split()).lower()
    start = haystack.find(needle)
    while start != -1:
        before = haystack[start - 1] if start else " "
        end = start + len(needle)
        after = haystack[end] if end < len(haystack) else " "
        if not before.isalnum() and before != "_" and not after.isalnum() and after != "_":
            return True
        start = haystack.find(needle, start + 1)
    return False


@settings(max_examples=300, deadline=None)
@given(
    names=st.lists(st.tuples(name, role), min_size=1, max_size=6),
    pieces=st.lists(st.tuples(filler, separator, st.integers(min_value=0, max_value=5), st.booleans()), max_size=8),
)
def test_no_known_name_survives_in_any_text(names, pieces):
    known = [KnownName(text, r) for text, r in names]
    parts = []
    for words, sep, which, shout in pieces:
        chosen = names[which % len(names)][0]
        parts += [" ".join(words), sep, chosen.upper() if shout else chosen, sep]
    text = "".join(parts)
    result = anonymise(text, known)
    for text_name, _ in names:
        assert not _survives(text_name, result), (text_name, text, result)


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet="abcdefghijklmnoprstuvwxyzé ,.'\n", max_size=80), names=st.lists(word, max_size=4))
def test_text_without_known_names_is_left_as_it_was(text, names):
    known = [KnownName(n + "q", STAFF) for n in names]  # the text has no "q", so holds none of these names
    assert anonymise(text, known) == text


def test_role_words_are_never_read_again():
    known = [KnownName("staff", STAFF), KnownName("member", FAMILY), KnownName("pupil", PUPIL)]
    assert anonymise("staff member pupil", known) == "[a member of staff] [a family member] [the pupil]"
    assert re.fullmatch(r"(\[[^\]]+\] ?)+", anonymise("staff member pupil", known))
