"""The anonymised case study's quoted sentences: the names Attunement knows, the automatic first pass that
replaces them with roles, and the co-ordinator's review and release. Only released sentences are ever shown
in the case study (web page and PDF)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from attunement.learners.models import Learner
from attunement.learners.policies import learner_policy
from attunement.organisations.audit import audit_record
from attunement.organisations.models import Membership, Role
from attunement.organisations.policies import STAFF_ROLES
from attunement.practice.models import FamilyFeedback

from .anonymise import (
    FAMILY,
    SITE,
    STAFF,
    VISITOR,
    KnownName,
    anonymise,
    names_in,
    organisation_role,
    other_person_role,
    person_role,
    without_roles,
)
from .models import CaseStudyRelease
from .periods import Period

# Words that describe an organisation rather than name it: "Oakfield Special School" is known as "Oakfield".
GENERIC_WORDS = frozenset(
    """school schools special primary secondary academy college centre center service services adult adults
    house home homes care trust day the of and community residential high junior infant infants nursery unit
    ltd limited support supported living group""".split()
)
STAFF_RELATIONSHIPS = ("worker", "teacher", "assistant", "staff", "therapist", "nurse", "manager", "keyworker")


def _person_names(first: str, last: str, display: str = "") -> list[str]:
    names = [first, last, display, f"{first} {last}", f"{display} {last}" if display else ""]
    return [n for n in names if n and n.strip()]


def _organisation_names(name: str) -> list[str]:
    """The full name, and each run of words in it that is not a generic word: "The Grange School" is also
    known as "Grange", "Oakfield Special School" as "Oakfield"."""
    runs, current = [], []
    for word in name.split() + [""]:
        if word and word.casefold() not in GENERIC_WORDS:
            current.append(word)
        elif current:
            runs.append(" ".join(current))
            current = []
    return [name] + [run for run in runs if run != name]


def known_names(learner: Learner) -> list[KnownName]:
    """Every name Attunement knows that could appear in what is written about this person, with the role
    that replaces it. The person comes first, so a name they share with someone else reads as them."""
    organisation = learner.organisation
    setting = organisation.setting
    names: list[KnownName] = []
    me = person_role(setting)
    names += [KnownName(n, me) for n in _person_names(learner.first_name, learner.last_name, learner.preferred_name)]
    for key in learner.key_people.all():
        staff_like = any(word in key.relationship.casefold() for word in STAFF_RELATIONSHIPS)
        role = STAFF if staff_like else FAMILY
        names += [KnownName(key.name, role)] + [KnownName(word, role) for word in key.name.split() if len(word) > 1]
    staff, others = [], []
    for membership in Membership.objects.filter(organisation=organisation).select_related("user"):
        user = membership.user
        user_names = _person_names(user.first_name, user.last_name, user.display_name)
        if membership.role in STAFF_ROLES:
            staff += [KnownName(n, STAFF) for n in user_names]
        else:
            others += [KnownName(n, FAMILY if membership.role == Role.FAMILY else VISITOR) for n in user_names]
    names += staff + others
    # Other people the organisation supports can be named too ("played catch with Ben").
    other_role = other_person_role(setting)
    for other in (
        Learner.objects.filter(organisation=organisation)
        .exclude(pk=learner.pk)
        .only("first_name", "last_name", "preferred_name")
    ):
        names += [
            KnownName(n, other_role) for n in _person_names(other.first_name, other.last_name, other.preferred_name)
        ]
    names += [KnownName(n, organisation_role(setting)) for n in _organisation_names(organisation.name)]
    for site in organisation.sites.all():
        names += [KnownName(n, SITE) for n in _organisation_names(site.name)]
    return names


@dataclass(frozen=True)
class Sentence:
    source: str  # where it came from: "behaviour:12", "session:40", "feedback:7"
    kind: str  # "first time", "special moment" or "family"
    written: str  # as it was written, names and all: shown only to the co-ordinator who reviews
    suggested: str  # with every known name replaced by its role


def draft_sentences(*, actor: Membership, learner: Learner, period: Period) -> list[Sentence]:
    """Every quoted sentence the case study would hold for this period, with the automatic replacement."""
    from .reports import best_moments

    names = known_names(learner)
    # The same moments the person's other reports show (each first counted once), with where each came from.
    found = best_moments(actor, learner, period)
    quotes = (
        FamilyFeedback.objects.filter(
            learner=learner, may_quote=True, given_on__gte=period.since, given_on__lte=period.until
        )
        .exclude(comment="")
        .order_by("given_on", "pk")[:3]
    )
    rows = [(m["source"], m["kind"], m["text"]) for m in found]
    rows += [(f"feedback:{q.pk}", "family", q.comment) for q in quotes]
    return [Sentence(source, kind, text, anonymise(text, names)) for source, kind, text in rows]


def release_for(*, learner: Learner, period: Period) -> CaseStudyRelease | None:
    return CaseStudyRelease.objects.filter(learner=learner, since=period.since, until=period.until).first()


def latest_release(learner: Learner) -> CaseStudyRelease | None:
    return CaseStudyRelease.objects.filter(learner=learner).first()


def fingerprint(text: str) -> str:
    """A short mark of a sentence as it was written, so a release knows when its source has been corrected."""
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()[:16]


def released_sentences(*, actor: Membership, learner: Learner, release: CaseStudyRelease | None) -> list[dict]:
    return case_study_sentences(actor=actor, learner=learner, release=release)[0]


def case_study_sentences(
    *, actor: Membership, learner: Learner, release: CaseStudyRelease | None
) -> tuple[list[dict], int]:
    """The released sentences that may be shown, and how many sentences wait for a co-ordinator's check.

    A released sentence is shown only while its record is still there, as it was when checked: a withdrawn
    session takes its sentences with it, and a corrected one waits to be checked again. A moment recorded
    in the period after the release also waits."""
    if release is None:
        return [], 0
    period = Period(since=release.since, until=release.until)
    now = {s.source: fingerprint(s.written) for s in draft_sentences(actor=actor, learner=learner, period=period)}

    def unchanged(entry: dict) -> bool:
        source = entry.get("source")
        return source in now and entry.get("written", now[source]) == now[source]

    checked = {entry["source"] for entry in release.sentences if unchanged(entry)}
    shown = [e for e in release.sentences if unchanged(e) and not e.get("left_out") and e.get("text")]
    return shown, sum(1 for source in now if source not in checked)


def may_release(actor: Membership, learner: Learner) -> bool:
    return learner_policy.allows(actor, "release_case_study", learner)


@transaction.atomic
def case_study_release(
    *, actor: Membership, learner: Learner, period: Period, texts: dict[str, str], left_out: set[str]
) -> CaseStudyRelease:
    """Release the case study for a period with the sentences as the co-ordinator edited them.

    `texts` maps each sentence's source to its edited text; `left_out` holds the sources to leave out. Every
    sentence in the case study must have been reviewed, and no released sentence may still hold a name
    Attunement knows. Errors are keyed by source."""
    learner_policy.require(actor, "release_case_study", learner)
    drafts = draft_sentences(actor=actor, learner=learner, period=period)
    names = known_names(learner)
    errors: dict[str, str] = {}
    released = []
    left: list[dict] = []
    for sentence in drafts:
        if sentence.source in left_out:
            left.append(
                {
                    "source": sentence.source,
                    "kind": sentence.kind,
                    "written": fingerprint(sentence.written),
                    "left_out": True,
                    "text": "",
                }
            )
            continue
        if sentence.source not in texts:
            errors[sentence.source] = "This sentence was added after you opened the page. Read it, then release again."
            continue
        text = " ".join(texts[sentence.source].split())
        if not text:
            errors[sentence.source] = "Write the sentence, or tick “Leave this sentence out”."
            continue
        still = names_in(without_roles(text), names)
        if still:
            listed = ", ".join(f"“{n}”" for n in still)
            errors[sentence.source] = (
                f"{listed} {'is a name' if len(still) == 1 else 'are names'} Attunement knows. Write it another way, "
                "for example with a role in square brackets such as “[a member of staff]”, so no one can be recognised."
            )
            continue
        released.append(
            {"source": sentence.source, "kind": sentence.kind, "written": fingerprint(sentence.written), "text": text}
        )
    if errors:
        raise ValidationError(errors)
    release = CaseStudyRelease.objects.create(
        organisation=learner.organisation,
        learner=learner,
        since=period.since,
        until=period.until,
        sentences=released + left,
        released_by=actor.user,
    )
    audit_record(
        actor=actor,
        action="case_study.released",
        learner=learner,
        target=release,
        detail={
            "since": period.since.isoformat(),
            "until": period.until.isoformat(),
            "sentences released": len(released),
            "sentences left out": len(drafts) - len(released),
            "sentences edited": sum(
                1 for s in drafts for r in released if r["source"] == s.source and r["text"] != s.suggested
            ),
        },
    )
    return release
