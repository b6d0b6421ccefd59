"""Every refusal that names roles is worked out from the policy's rule, in one place.

The sentences are read back into roles here with this file's own reading of the words (Role's labels, and
"members of staff" for everyone the organisation employs), so a policy whose sentence and rule disagree fails.
"""

import importlib
import io
import pkgutil
import re
import tokenize
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

import attunement
from attunement.organisations.models import Role
from attunement.organisations.policies import Policy, roles_in_words

from ..conftest import login

SRC = Path(attunement.__file__).parent
EMPLOYED = frozenset(Role) - {Role.FAMILY, Role.EXTERNAL}
ROLE_WORDS = {f"{role.label.lower()}s": {role} for role in Role} | {"members of staff": set(EMPLOYED)}
REFUSAL = re.compile(r"Only (?P<roles>.+?) can (?P<doing>[^.]+)\.")


def every_policy() -> list[type[Policy]]:
    for module in pkgutil.walk_packages([str(SRC)], prefix="attunement."):
        if module.name.endswith(".policies"):
            importlib.import_module(module.name)
    found, waiting = [], [Policy]
    while waiting:
        for subclass in waiting.pop().__subclasses__():
            found.append(subclass)
            waiting.append(subclass)
    return found


POLICY_ACTIONS = [
    pytest.param(policy, action, id=f"{policy.__name__}.{action}")
    for policy in every_policy()
    for action in policy.actions
]


def roles_named(sentence: str) -> set[Role]:
    match = REFUSAL.fullmatch(sentence)
    assert match, f"not an 'Only <roles> can <doing>.' sentence: {sentence!r}"
    *rest, last = match["roles"].split(" and ")
    words = [*(rest[0].split(", ") if rest else []), last]
    assert len(rest) <= 1 and all(words), sentence
    named = set()
    for word in words:
        assert word in ROLE_WORDS, f"{word!r} is not a role, in {sentence!r}"
        assert not named & ROLE_WORDS[word], f"{word!r} named twice in {sentence!r}"
        named |= ROLE_WORDS[word]
    return named


@given(st.sets(st.sampled_from(list(Role)), min_size=1))
def test_any_set_of_roles_is_said_so_that_it_reads_back_the_same(roles):
    assert roles_named(f"Only {roles_in_words(roles)} can do this.") == roles


def test_the_policies_are_all_found():
    names = {policy.__name__ for policy in every_policy()}
    assert {"LearnerPolicy", "TrainingPolicy", "RetentionPolicy", "AuditPolicy", "ScalePolicy"} <= names


@pytest.mark.parametrize("policy, action", POLICY_ACTIONS)
def test_each_refusal_names_exactly_the_roles_allowed(policy, action):
    assert roles_named(policy().refusal(action)) == set(policy.actions[action])


@pytest.mark.parametrize("policy, action", POLICY_ACTIONS)
def test_each_action_is_said_in_words(policy, action):
    doing = policy.action_words.get(action, "")
    assert doing and doing == doing.strip() and not doing.endswith(".") and doing[0].islower()
    assert REFUSAL.fullmatch(policy().refusal(action))["doing"] == doing


@pytest.mark.django_db
@pytest.mark.parametrize("policy, action", POLICY_ACTIONS)
def test_everyone_refused_is_told_who_may(world, policy, action):
    """What each member of every role is actually let do, against the sentence the others are shown."""
    let_through, refusals = set(), set()
    for role, member in world.members.items():
        try:
            policy().require(member, action)
        except PermissionDenied as refused:
            refusals.add(str(refused))
        else:
            let_through.add(Role(role))
    assert let_through == set(policy.actions[action])
    if refusals:
        (refusal,) = refusals
        assert roles_named(refusal) == let_through


@pytest.mark.django_db
def test_a_member_who_has_left_is_refused_with_the_same_sentence(world):
    from attunement.learners.policies import learner_policy

    world.coordinator.is_active = False
    with pytest.raises(PermissionDenied, match="^Only co-ordinators, managers and administrators can add people.$"):
        learner_policy.require(world.coordinator, "create")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role, url_name, sentence",
    [
        (Role.PRACTITIONER, "means:training_matrix", "Only co-ordinators, managers and administrators can see every"),
        (Role.MANAGER, "practice:settings", "Only co-ordinators and administrators can change the organisation"),
        (Role.THERAPIST, "records:retention", "Only co-ordinators and administrators can see how long records are"),
        (Role.FAMILY, "practice:log", "Only members of staff can record sessions."),
        (Role.PRACTITIONER, "learners:create", "Only co-ordinators, managers and administrators can add people."),
        (Role.EXTERNAL, "means:index", "Only members of staff can use these pages."),
        (Role.PRACTITIONER, "outcomes:dashboard", "Only co-ordinators, managers and administrators can see the dash"),
    ],
)
def test_a_refused_page_shows_the_policy_s_sentence(world, client, role, url_name, sentence):
    login(client, world.members[role])
    response = client.get(reverse(url_name))
    assert response.status_code == 403
    assert sentence in response.content.decode().replace("&#x27;", "'")


@pytest.mark.django_db
def test_someone_not_assigned_to_the_person_is_told_so(world):
    from attunement.learners.policies import learner_policy

    therapist = world.members[Role.THERAPIST]
    with pytest.raises(PermissionDenied, match="^You are not assigned to this person.$"):
        learner_policy.require(therapist, "manage_plans", world.unassigned)
    learner_policy.require(therapist, "manage_plans", world.mine)


@pytest.mark.django_db
def test_a_practitioner_correcting_another_s_record_is_told_everyone_who_may(world):
    from attunement.practice.policies import CORRECTS_ANY_RECORD, correction_refusal
    from attunement.practice.services import session_record

    from ..conftest import details

    session = session_record(actor=world.members[Role.THERAPIST], learner=world.mine, details=details()).session
    refusal = correction_refusal(world.practitioner, session)
    leaders = re.fullmatch(r"Only the person who saved this record, or (.+), can correct or withdraw it\.", refusal)
    assert leaders and roles_named(f"Only {leaders[1]} can do this.") == set(CORRECTS_ANY_RECORD)


# --- No hand-written role sentences ---------------------------------------------------------------------

ROLE = r"(practitioner|co-?ordinator|manager|therapist|administrator|family member|external viewer|leader|staff)s?"
ONLY_ROLE = re.compile(r"\bonly\b[^.]{0,80}?\b(member of staff|members of staff|" + ROLE + r")\b", re.I)
FOR_ROLE = re.compile(r"\b(is|are) for (the )?" + ROLE + r"\b", re.I)


def role_sentences(path: Path, root: Path = SRC) -> list[str]:
    """String literals (not docstrings or comments) that say which roles may do something."""
    found = []
    previous = None
    for token in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
        if token.type == tokenize.STRING:
            is_docstring = previous in (None, tokenize.INDENT, tokenize.NEWLINE, tokenize.DEDENT) and (
                token.string.lstrip("rbfu").startswith(('"""', "'''"))
            )
            if not is_docstring and (ONLY_ROLE.search(token.string) or FOR_ROLE.search(token.string)):
                found.append(f"{path.relative_to(root)}:{token.start[0]}: {token.string}")
        if token.type not in (tokenize.NL, tokenize.COMMENT):
            previous = token.type
    return found


def test_the_scan_finds_a_hand_written_sentence_and_not_a_docstring(tmp_path):
    sample = tmp_path / "views.py"
    sample.write_text(
        'def f():\n    """Only co-ordinators here: a docstring."""\n    raise X("Only managers do it.")\n'
        'def g():\n    raise X("The dashboard is for co-ordinators.")\n'
    )
    assert role_sentences(sample, tmp_path) == [
        'views.py:3: "Only managers do it."',
        'views.py:5: "The dashboard is for co-ordinators."',
    ]


def test_no_source_file_but_a_policy_writes_a_role_sentence():
    found = []
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC).parts
        if path.name == "policies.py" or "migrations" in parts:
            continue
        found += role_sentences(path)
    assert found == []
