"""A realistic demonstration: a special school and an adult service, their staff and people, and a year of
sessions and termly reviews in which progress is plausible and varied — some people flourish, some plateau,
some have a hard term and recover."""

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from attunement.accounts.two_factor import enrol_authenticator
from attunement.learners.models import (
    Assignment,
    CommunicationProfile,
    Group,
    KeyPerson,
    Learner,
    Plan,
    PlanOutcome,
)
from attunement.made_up import BEHAVIOURS, PLACES_ADULT, PLACES_SCHOOL
from attunement.made_up import FIRST_NAMES as MADE_UP_FIRST_NAMES
from attunement.made_up import LAST_NAMES as MADE_UP_LAST_NAMES
from attunement.made_up import PLAN_OUTCOMES as OUTCOMES
from attunement.made_up import SESSION_NOTES as NOTES
from attunement.means.models import Course, SelfReport
from attunement.means.services import (
    ActionInput,
    champion_appoint,
    supervision_meeting_record,
    training_completion_record,
)
from attunement.organisations.models import Membership, Organisation, Role, Setting
from attunement.organisations.policies import STAFF_ROLES
from attunement.organisations.services import membership_add
from attunement.practice.models import (
    FamilyFeedback,
    Fundamental,
    ObservedBehaviour,
    ProgressReview,
    ReviewRating,
    Session,
)
from attunement.practice.novelty import refresh_first_flags
from attunement.practice.vocabulary import Ending, Phase, Technique
from attunement.privacy.models import Consent, GivenBy

from .services import organisation_create

DEMO_PASSWORD = "attunement-demo"
# Co-ordinators and managers must use a second step at login. In the demo they share this authenticator key,
# so anyone trying the demo can get the code with `manage.py demo_code` (never do this with real accounts).
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPATTUNEMENTDEMOQA"

SCHOOL_STAFF = [
    ("priya@oakfield.example", "Priya", "Shah", Role.COORDINATOR),
    ("sam@oakfield.example", "Sam", "Okafor", Role.PRACTITIONER),
    ("alex@oakfield.example", "Alex", "Byrne", Role.PRACTITIONER),
    ("jordan@oakfield.example", "Jordan", "Hughes", Role.PRACTITIONER),
    ("morgan@oakfield.example", "Morgan", "Price", Role.PRACTITIONER),
    ("lee@oakfield.example", "Dr Lee", "Chen", Role.THERAPIST),
    ("head@oakfield.example", "Helen", "Moss", Role.MANAGER),
    ("parent@oakfield.example", "Ruth", "Parent", Role.FAMILY),  # linked to one pupil: the family portal
    ("inspector@oakfield.example", "Imran", "Hale", Role.EXTERNAL),  # sees the anonymised summary only
]
ADULT_STAFF = [
    ("jo@riverside.example", "Jo", "Williams", Role.COORDINATOR),
    ("tom@riverside.example", "Tom", "Evans", Role.PRACTITIONER),
    ("casey@riverside.example", "Casey", "Doyle", Role.PRACTITIONER),
    ("robin@riverside.example", "Robin", "Ali", Role.PRACTITIONER),
    ("manager@riverside.example", "Grace", "Owusu", Role.MANAGER),
]
# The school's administrator sets up its single sign-on and API keys. Made after everything else, so the demo's
# made-up records are the same with or without them.
SCHOOL_ADMINISTRATOR = ("office@oakfield.example", "Olu", "Adeyemi", Role.ADMINISTRATOR)
DEMO_LOGINS = [(email, role.label) for email, _, _, role in [*SCHOOL_STAFF, SCHOOL_ADMINISTRATOR, *ADULT_STAFF]]

FIRST_NAMES = MADE_UP_FIRST_NAMES[:30]
LAST_NAMES = MADE_UP_LAST_NAMES[:20]
NICKNAMES = {"Priyanka": "Pri", "Xander": "Xan", "Olivia": "Liv", "Callum": "Cal", "Yasmin": "Yas", "Willow": "Wil"}
NEEDS = [["autism"], ["pmld"], ["sld", "autism"], ["msi", "pmld"], ["gdd"], ["ccn", "autism"], ["sld"], ["pmld", "ccn"]]

COMMUNICATES = [
    "Humming at different pitches; rocking when content; a long look means “more”.",
    "Tapping surfaces and listening; reaches out with an open hand to ask for contact.",
    "Vocalises “ba-ba” and “mm”; turns head towards voices; pushes away to say no.",
    "Flapping and bouncing when excited; eye contact in short, glancing bursts.",
    "Breath sounds and sighs; changes in muscle tone; brightens with familiar voices.",
]
ENJOYS = [
    "Crinkly foil, bubbles and being sung to.",
    "Water play, splashing, the swing in the garden.",
    "Spinning objects, lights through coloured film, deep pressure.",
    "Drumming, clapping games, echoes.",
    "Music with a strong beat, being gently rocked, the smell of oranges.",
]
SIGNS_ENJOY = [
    "Wide smile and a squeal; leans towards you.",
    "Stills and gazes; quiet vocal hum.",
    "Laughs, bounces, reaches for your hands.",
    "Repeats the sound you just made, then waits.",
]
SIGNS_ENOUGH = [
    "Yawns, turns away, covers ears.",
    "Looks down and becomes very still.",
    "Pushes your hand away; rocking gets faster.",
    "Closes eyes and goes quiet for a long time.",
]
AROUSAL = [
    "Busy rooms raise arousal quickly; calm, low light helps.",
    "Sensitive to sudden sounds and light touch.",
    "Seeks deep pressure and movement; calms after the swing.",
    "Sleepy in the early afternoon.",
]
STARTING = [
    "Sit beside, not in front. Wait. Copy the first sound.",
    "Start with a hum at the same pitch.",
    "Join in with tapping; leave long pauses.",
    "Approach slowly from the side; say name softly first.",
]
AVOID = [
    "Standing over; loud voices; touching the head.",
    "Strong perfume; the hand dryer; rushing.",
    "Asking questions one after another.",
    "Taking objects away without warning.",
]


@dataclass
class Trajectory:
    """How a person's Fundamentals develop over the year: start level, gain per term, and a wobble."""

    start: float
    gain: float
    dip_term: int | None
    sessions_per_week: float


TRAJECTORIES = [
    Trajectory(0.3, 0.55, None, 5.0),  # flourishing
    Trajectory(0.8, 0.35, None, 4.0),  # steady
    Trajectory(1.2, 0.05, None, 3.0),  # plateau
    Trajectory(0.5, 0.40, 1, 3.5),  # hard spring term, then recovers
    Trajectory(0.2, 0.15, None, 2.0),  # slow, few sessions
]


def demo_exists() -> bool:
    return Organisation.objects.exists()


@transaction.atomic
def seed_demo(*, today: date | None = None, seed: int = 7) -> dict:
    rng = random.Random(seed)
    today = today or timezone.localdate()
    password = make_password(DEMO_PASSWORD)
    school = organisation_create(name="Oakfield Special School", setting=Setting.SCHOOL, sites=["Primary", "Secondary"])
    adults = organisation_create(name="Riverside Adult Service", setting=Setting.ADULT_SERVICE, weekly_session_target=4)
    # The school lets a photo wait on a tablet with no connection; the adult service keeps the default (it may not).
    Organisation.objects.filter(pk=school.pk).update(media_wait_on_tablets=True)
    school.media_wait_on_tablets = True
    totals = {"organisations": 2, "staff": 0, "learners": 0, "sessions": 0, "reviews": 0}
    names = iter(rng.sample([(f, last) for f in FIRST_NAMES for last in LAST_NAMES], 30))
    for organisation, staff_rows, n_learners, places in (
        (school, SCHOOL_STAFF, 18, PLACES_SCHOOL),
        (adults, ADULT_STAFF, 12, PLACES_ADULT),
    ):
        staff = []
        for email, first, last, role in staff_rows:
            user = get_user_model().objects.create(
                email=email, username=email, first_name=first, last_name=last, password=password
            )
            membership_add(organisation=organisation, user=user, role=role)
            if role in settings.MFA_REQUIRED_ROLES:
                enrol_authenticator(user, DEMO_TOTP_SECRET)
            staff.append((user, role))
        totals["staff"] += sum(1 for _, role in staff if role not in (Role.FAMILY, Role.EXTERNAL))
        practitioners = [u for u, r in staff if r in (Role.PRACTITIONER, Role.THERAPIST)]
        fundamentals = list(Fundamental.objects.filter(organisation=organisation))
        sites = list(organisation.sites.all())
        for i in range(n_learners):
            first, last = next(names)
            learner = _demo_learner(rng, organisation, first, last, i, sites, today)
            assigned = [practitioners[i % len(practitioners)], practitioners[(i + 1) % len(practitioners)]]
            if organisation == school and i < 5:
                assigned[0] = practitioners[0]  # Sam, the demo practitioner, works with five pupils
            for user in dict.fromkeys(assigned):
                Assignment.objects.create(learner=learner, user=user)
            if organisation == school and i == 0:
                Assignment.objects.create(learner=learner, user=next(u for u, r in staff if r == Role.FAMILY))
                _share_with_family(learner, today)
            trajectory = TRAJECTORIES[i % len(TRAJECTORIES)]
            outcomes = list(PlanOutcome.objects.filter(plan__learner=learner))
            sessions = _demo_sessions(
                rng, learner, list(dict.fromkeys(assigned)), fundamentals, outcomes, trajectory, places, today
            )
            totals["sessions"] += len(sessions)
            totals["reviews"] += _demo_reviews(rng, learner, fundamentals, trajectory, sessions, assigned[0], today)
            totals["learners"] += 1
        _demo_means(rng, organisation, today)
    for organisation, names in DEMO_GROUPS.items():
        _demo_groups(school if organisation == "school" else adults, names)
    email, first, last, role = SCHOOL_ADMINISTRATOR
    administrator = get_user_model().objects.create(
        email=email, username=email, first_name=first, last_name=last, password=password
    )
    membership_add(organisation=school, user=administrator, role=role)
    enrol_authenticator(administrator, DEMO_TOTP_SECRET)
    totals["staff"] += 1
    return totals


# A class for each of the school's sites, a house for each half of the adult service. Made after everything
# else, from no random numbers, so the rest of the demo is the same with them or without.
DEMO_GROUPS = {"school": ("Otters (Primary)", "Willows (Secondary)"), "adults": ("Maple House", "Cedar House")}


def _demo_groups(organisation, names) -> None:
    """Each person goes in the group of their site (or, with no sites, of their place in the list)."""
    sites = list(organisation.sites.order_by("pk"))
    groups = [
        Group.objects.create(
            organisation=organisation, name=name, position=i, site=sites[i] if len(sites) == len(names) else None
        )
        for i, name in enumerate(names)
    ]
    for i, learner in enumerate(Learner.objects.filter(organisation=organisation).order_by("pk")):
        where = sites.index(learner.site) if learner.site in sites else i
        learner.group = groups[where % len(groups)]
        learner.save(update_fields=["group"])


def _demo_means(rng, organisation, today) -> None:
    """Training (some refreshers overdue), champions, supervision with one action overdue, and a year of the
    staff self-report in which confidence grows and burnout eases, slowly and not for everyone."""
    members = list(Membership.objects.filter(organisation=organisation, role__in=STAFF_ROLES).select_related("user"))
    leader = next(m for m in members if m.role == Role.COORDINATOR)
    courses = {course.name: course for course in Course.objects.filter(organisation=organisation)}
    for member in members:
        training_completion_record(
            actor=leader,
            staff=member,
            course=courses["Induction"],
            completed_on=today - timedelta(days=rng.randint(200, 900)),
            provider="In house",
        )
        training_completion_record(
            actor=leader,
            staff=member,
            course=courses["Yearly refresher"],
            completed_on=today - timedelta(days=rng.choice([60, 200, 330, 400, 430])),
            provider="Our II co-ordinator",
        )
        if rng.random() < 0.6:
            name = "Intensive Interaction Institute Module 1: Introduction"
            training_completion_record(
                actor=leader,
                staff=member,
                course=courses[name],
                completed_on=today - timedelta(days=rng.randint(100, 700)),
                provider="Intensive Interaction Institute",
            )
    sites = list(organisation.sites.all())
    champion_appoint(actor=leader, staff=leader, site=None, kind="coordinator", started_on=today - timedelta(days=400))
    for site, member in zip(sites, [m for m in members if m.role == Role.PRACTITIONER], strict=False):
        champion_appoint(actor=leader, staff=member, site=site, started_on=today - timedelta(days=300))
    practitioners = [m for m in members if m.role == Role.PRACTITIONER]
    for i, member in enumerate(practitioners[:3]):
        met = today - timedelta(days=20 + 30 * i)
        supervision_meeting_record(
            actor=leader,
            supervisor=leader,
            supervisee=member,
            met_on=met,
            kind="video_reflection" if i == 0 else "supervision",
            notes="Watched a clip start–stop; talked about waiting longer before joining in.",
            actions=[ActionInput(text="Try burst–pause with the drum", owner=member, due_on=met + timedelta(days=14))],
        )
    for member in members:
        drift = rng.uniform(-0.2, 0.8)
        for months_ago in range(11, -1, -1):
            if rng.random() < 0.2:
                continue
            month = (today.replace(day=1) - timedelta(days=30 * months_ago)).replace(day=1)
            growth = drift * (11 - months_ago) / 11

            def score(base, more=growth):
                return max(1, min(5, round(base + more + rng.uniform(-0.6, 0.6))))

            SelfReport.objects.get_or_create(
                staff=member,
                month=month,
                defaults={
                    "organisation": organisation,
                    "confidence": score(3),
                    "fulfilment": score(3.5),
                    "burnout": max(1, min(5, round(3.2 - growth + rng.uniform(-0.6, 0.6)))),
                    "support": score(3.4),
                    "submitted_at": timezone.now(),
                },
            )


def _demo_learner(rng, organisation, first, last, i, sites, today) -> Learner:
    age_years = rng.randint(5, 18) if organisation.setting == Setting.SCHOOL else rng.randint(20, 60)
    learner = Learner.objects.create(
        organisation=organisation,
        first_name=first,
        last_name=last,
        preferred_name=NICKNAMES.get(first, ""),
        date_of_birth=today - timedelta(days=age_years * 365 + rng.randint(0, 364)),
        needs=NEEDS[i % len(NEEDS)],
        site=sites[i % len(sites)] if sites else None,
    )
    CommunicationProfile.objects.create(
        learner=learner,
        how_they_communicate=rng.choice(COMMUNICATES),
        what_they_enjoy=rng.choice(ENJOYS),
        signs_of_enjoyment=rng.choice(SIGNS_ENJOY),
        signs_had_enough=rng.choice(SIGNS_ENOUGH),
        arousal_and_sensory=rng.choice(AROUSAL),
        what_helps_starting=rng.choice(STARTING),
        what_to_avoid=rng.choice(AVOID),
    )
    KeyPerson.objects.create(
        learner=learner,
        name=rng.choice(["Sarah", "Mark", "Aisha", "Gareth"]),
        relationship=rng.choice(["Mum", "Dad", "Sister", "Grandad"]),
    )
    _demo_consents(rng, learner, organisation, today)
    _demo_family_feedback(rng, learner, today)
    kind = "ehcp" if organisation.setting == Setting.SCHOOL else rng.choice(["care", "pbs"])
    plan = Plan.objects.create(
        learner=learner,
        kind=kind,
        title="",
        starts_on=today - timedelta(days=300),
        review_on=today + timedelta(days=rng.randint(10, 120)),
    )
    for text in rng.sample(OUTCOMES, 3):
        PlanOutcome.objects.create(plan=plan, text=text)
    return learner


def _demo_consents(rng, learner, organisation, today) -> None:
    """Most families agree to filming and anonymised reports; fewer to training clips or research. Adults who
    cannot decide have a best-interests decision recorded instead."""
    school = organisation.setting == Setting.SCHOOL
    for purpose, chance in (("video", 0.85), ("reports", 0.9), ("family", 0.7), ("training", 0.45), ("research", 0.2)):
        if rng.random() > chance:
            continue
        started = today - timedelta(days=rng.randint(30, 500))
        Consent.objects.create(
            learner=learner,
            purpose=purpose,
            given_by=GivenBy.PARENT if school else GivenBy.BEST_INTERESTS,
            giver_name=rng.choice(["Sarah", "Mark", "Aisha", "Gareth"]) if school else "Dr N. Osei",
            decision_maker_role="" if school else "Consultant psychiatrist, community learning disability team",
            starts_on=started,
            review_on=started + timedelta(days=365 * rng.choice([1, 2])),
        )


FAMILY_WORDS = [
    "He looks for me now when I come into the room.",
    "She laughs with her brother in a way she never used to.",
    "We have started copying his sounds at home and he loves it.",
    "It is the first time I have felt someone really knows my son.",
    "Bath time is fun now: we take turns splashing.",
]


def _demo_family_feedback(rng, learner, today) -> None:
    """Most families answer the feedback form once or twice a year; some agree to be quoted."""
    if rng.random() > 0.7:
        return
    for days_ago in rng.sample([20, 140, 260], rng.randint(1, 2)):
        lift = 1 if days_ago < 100 else 0
        FamilyFeedback.objects.create(
            learner=learner,
            given_on=today - timedelta(days=days_ago),
            given_by_name="A parent",
            on_paper=True,
            understand=min(5, rng.randint(2, 4) + lift),
            connected=min(5, rng.randint(3, 4) + lift),
            reassured=rng.randint(2, 4),
            enjoy=min(5, rng.randint(3, 5) + lift),
            comment=rng.choice(FAMILY_WORDS) if rng.random() < 0.5 else "",
            may_quote=rng.random() < 0.6,
        )


def _share_with_family(learner, today) -> None:
    """The demo parent's child has agreement to share records with family, so the family portal shows them."""
    if not learner.consents.filter(purpose="family", withdrawn_on__isnull=True).exists():
        Consent.objects.create(
            learner=learner,
            purpose="family",
            given_by=GivenBy.PARENT,
            giver_name="Ruth Parent",
            starts_on=today - timedelta(days=200),
            review_on=today + timedelta(days=165),
        )


def _level_at(trajectory: Trajectory, day_index: int, fundamental_index: int) -> float:
    """The underlying level (0 to 3) of one Fundamental on one day of the year."""
    terms = day_index / 120
    level = trajectory.start + trajectory.gain * terms - 0.15 * (fundamental_index % 4)
    if trajectory.dip_term is not None and trajectory.dip_term <= terms < trajectory.dip_term + 1:
        level -= 0.6
    return max(0.0, min(3.0, level))


def _demo_sessions(rng, learner, partners, fundamentals, outcomes, trajectory, places, today) -> list[Session]:
    start = today - timedelta(days=364)
    tz = timezone.get_current_timezone()
    rows, seen = [], set()
    for day_index in range(365):
        day = start + timedelta(days=day_index)
        if day.weekday() >= 5 and learner.organisation.setting == Setting.SCHOOL:
            continue
        if rng.random() > trajectory.sessions_per_week / 5:
            continue
        when = datetime.combine(day, time(rng.randint(9, 15), rng.choice([0, 10, 20, 30, 40, 50])), tzinfo=tz)
        if when > timezone.now():
            continue
        mood = rng.random()
        rows.append(
            (
                day_index,
                Session(
                    learner=learner,
                    recorded_by=rng.choice(partners),
                    started_at=when,
                    minutes=max(2, min(45, int(rng.gauss(12 + 4 * trajectory.gain * day_index / 120, 5)))),
                    place=rng.choice(places),
                    planned=rng.random() < 0.4,
                    phases=[p for p in Phase.values[: 2 + int(_level_at(trajectory, day_index, 0) * 1.3)]],
                    techniques=rng.sample(Technique.values, rng.randint(1, 4)),
                    enjoyment=3 if mood < 0.45 + 0.1 * trajectory.gain else (2 if mood < 0.85 else 1),
                    ending=rng.choices(Ending.values, weights=[5, 4, 2, 1])[0],
                    what_happened=rng.choice(NOTES),
                    submission_key=uuid.UUID(int=rng.getrandbits(128)),
                ),
            )
        )
    sessions = Session.objects.bulk_create([s for _, s in rows])
    through_f, through_p, through_o, behaviours = [], [], [], []
    for (day_index, _), session in zip(rows, sessions, strict=True):
        if session.ending == Ending.PARTNER_ENDED:
            session.ending_reason = "Lunch was ready"
        through_p.append(Session.partners.through(session_id=session.pk, user_id=session.recorded_by_id))
        for index, fundamental in enumerate(fundamentals):
            if rng.random() < 0.12 + 0.12 * _level_at(trajectory, day_index, index):
                through_f.append(Session.fundamentals.through(session_id=session.pk, fundamental_id=fundamental.pk))
        if outcomes and rng.random() < 0.3:
            through_o.append(Session.outcomes.through(session_id=session.pk, planoutcome_id=rng.choice(outcomes).pk))
        for description in rng.sample(BEHAVIOURS, rng.randint(0, 2)):
            novelty = "typical" if description in seen else ("new" if rng.random() < 0.5 else "rare")
            seen.add(description)
            behaviours.append(ObservedBehaviour(session=session, description=description, novelty=novelty))
            if novelty == "new":
                session.has_new_behaviour = True
    Session.objects.bulk_update(
        [s for s in sessions if s.has_new_behaviour or s.ending_reason], ["has_new_behaviour", "ending_reason"]
    )
    Session.fundamentals.through.objects.bulk_create(through_f)
    Session.partners.through.objects.bulk_create(through_p)
    Session.outcomes.through.objects.bulk_create(through_o)
    ObservedBehaviour.objects.bulk_create(behaviours)
    refresh_first_flags([learner.pk])
    return sessions


def _demo_reviews(rng, learner, fundamentals, trajectory, sessions, reviewer, today) -> int:
    scale = learner.organisation.progress_scale
    levels = list(scale.levels.all())
    start = today - timedelta(days=364)
    count = 0
    for term_end in (110, 230, 350):
        reviewed_on = start + timedelta(days=term_end)
        review = ProgressReview.objects.create(
            learner=learner,
            scale=scale,
            reviewed_on=reviewed_on,
            reviewer=reviewer,
            period_label=_term_name(reviewed_on),
            summary="Reviewed with the class team.",
        )
        term_sessions = [s for s in sessions if reviewed_on - timedelta(days=110) <= s.started_at.date() <= reviewed_on]
        for index, fundamental in enumerate(fundamentals):
            value = _level_at(trajectory, term_end, index) + rng.uniform(-0.3, 0.3)
            level = levels[max(0, min(len(levels) - 1, round(value)))]
            rating = ReviewRating.objects.create(review=review, fundamental=fundamental, level=level)
            rating.evidence.set(rng.sample(term_sessions, min(2, len(term_sessions))))
        count += 1
    return count


def _term_name(day: date) -> str:
    if day.month >= 9:
        return f"Autumn term {day.year}"
    if day.month >= 4:
        return f"Summer term {day.year}"
    return f"Spring term {day.year}"
