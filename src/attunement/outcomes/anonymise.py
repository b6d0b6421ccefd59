"""Take the names out of free text before it reaches an anonymised output. Pure: no Django.

Every name Attunement knows (the person, their key people and family, the staff, the organisation and its
sites) is replaced by the role it stands for, in square brackets: "Chloe took Sam's hand at Oakfield"
becomes "[a member of staff] took [the pupil]'s hand at [the school]". Matching ignores case, takes whole
words only (so "Sam" is not taken out of "Samba"), and tries the longest names first (so "Sam Okafor" is
replaced as one, not as "[the pupil] Okafor"). The text is read once from left to right: what has been put
in is never read again.

This is a first pass, not a guarantee: a nickname nobody recorded cannot be known. That is why a
co-ordinator reads and edits every sentence before a case study is released.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

STAFF = "[a member of staff]"
FAMILY = "[a family member]"
SITE = "[a site]"
VISITOR = "[a visitor]"
ROLES = (
    "[the pupil]",
    "[the person]",
    "[another pupil]",
    "[another person]",
    STAFF,
    FAMILY,
    "[the school]",
    "[the service]",
    SITE,
    VISITOR,
)


def person_role(setting: str) -> str:
    return "[the pupil]" if setting == "school" else "[the person]"


def other_person_role(setting: str) -> str:
    return "[another pupil]" if setting == "school" else "[another person]"


def organisation_role(setting: str) -> str:
    return "[the school]" if setting == "school" else "[the service]"


@dataclass(frozen=True)
class KnownName:
    text: str
    role: str


def _clean(name: str) -> str:
    return " ".join(name.split())


def name_pattern(names: Iterable[str]) -> re.Pattern | None:
    """One pattern for all the names, longest first, as whole words, any case, any spacing between words."""
    cleaned = sorted({_clean(n).lower() for n in names if _clean(n)}, key=lambda n: (-len(n), n))
    if not cleaned:
        return None
    alternatives = [r"\s+".join(re.escape(word) for word in name.split(" ")) for name in cleaned]
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def anonymise(text: str, names: Iterable[KnownName]) -> str:
    """The text with every known name replaced by its role. A name known in two roles takes the first one
    given (so list the person before staff, and staff before family)."""
    roles: dict[str, str] = {}
    for known in names:
        key = _clean(known.text).lower()
        if key:
            roles.setdefault(key, known.role)
    pattern = name_pattern(roles)
    if pattern is None or not text:
        return text

    def role_of(match: re.Match) -> str:
        found = _clean(match.group(0))
        if found.lower() in roles:
            return roles[found.lower()]
        # Letters whose lower case is not one character (rare): find the name by matching it alone.
        for key, role in roles.items():
            single = name_pattern([key])
            if single is not None and single.fullmatch(found):
                return role
        return STAFF

    return pattern.sub(role_of, text)


def without_roles(text: str) -> str:
    """The text with the role placeholders taken out, so a role's own words are never read as a name."""
    for role in ROLES:
        text = text.replace(role, " ")
    return text


def names_in(text: str, names: Iterable[KnownName]) -> list[str]:
    """The known names still in the text, as written there, in order and without repeats."""
    pattern = name_pattern(known.text for known in names)
    if pattern is None or not text:
        return []
    found: list[str] = []
    for match in pattern.finditer(text):
        if match.group(0) not in found:
            found.append(match.group(0))
    return found
