"""The organisation packs (inspectors, commissioners, funders, managers) say only what is true.

Each figure is cross-checked against the database with direct queries written here, not through the code
under test; hidden figures are checked against the truth too ("fewer than 5" only when it is)."""

import re
from collections import defaultdict
from datetime import date, timedelta
from html import unescape

import pytest
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attunement.learners.models import Learner
from attunement.organisations.models import Membership, Organisation, Role
from attunement.organisations.policies import STAFF_ROLES
from attunement.outcomes.periods import Period, default_period
from attunement.outcomes.reports import AUDIENCES, organisation_pack
from attunement.outcomes.selectors import counted_people
from attunement.practice.models import FamilyFeedback, ProgressReview, ReviewRating, Session
from attunement.practice.selectors import current_scale
from attunement.setup.demo import seed_demo

from ..conftest import login
from .test_summary import agree_to_reports

THRESHOLD = 5


def words_are_true(words: str, truth) -> bool:
    """A statement a reader sees, checked against the real figure."""
    words = str(words)
    if words == "fewer than 5":
        return truth < THRESHOLD
    if words == "hidden to protect privacy":
        return True  # makes no claim
    if words == "no sessions recorded":
        return truth == 0
    return float(words) == float(truth)


def truth_for(organisation: Organisation, period: Period) -> dict:
    """Every figure of the packs, computed here from the database."""
    ids = set(counted_people(organisation, period.until).values_list("pk", flat=True))
    sessions = Session.every_record.filter(
        learner_id__in=ids, withdrawn_at__isnull=True, started_at__gte=period.start, started_at__lt=period.end
    )
    n = sessions.count()
    weeks = period.days / 7
    per_person = defaultdict(int)
    with_new = set()
    for learner_id, new in sessions.values_list("learner_id", "has_new_behaviour"):
        per_person[learner_id] += 1
        if new:
            with_new.add(learner_id)
    targets = {
        pk: (own if own is not None else organisation.weekly_session_target)
        for pk, own in Learner.objects.filter(pk__in=ids).values_list("pk", "weekly_session_target")
    }
    met = sum(1 for pk in ids if per_person[pk] >= weeks * targets[pk])
    truth = {
        "people": len(ids),
        "sessions": n,
        "hours": round((sessions.aggregate(m=Sum("minutes"))["m"] or 0) / 60),
        "per_week": round(n / len(ids) / weeks, 1) if ids else None,
        "lots": round(100 * sessions.filter(enjoyment=3).count() / n) if n else None,
        "had_enough": round(100 * sessions.filter(ending="had_enough").count() / n) if n else None,
        "in_moment": round(100 * sessions.filter(planned=False).count() / n) if n else None,
        "new": len(with_new),
        "target": {"Met it": met, "Did not": len(ids) - met},
    }
    # Progress: each item's first and latest level in the period, for each person.
    scale = current_scale(organisation)
    reviews = ProgressReview.every_record.filter(
        learner_id__in=ids,
        withdrawn_at__isnull=True,
        scale=scale,
        reviewed_on__gte=period.since,
        reviewed_on__lte=period.until,
    )
    moved = dict.fromkeys(
        [
            "Moved up on more than half of their items",
            "Moved up on some items (half or fewer) and down on none",
            "Moved up on some items and down on others (up on half or fewer)",
            "Stayed at the same level on every item",
            "Moved down on some items and up on none",
            "Only one review in the period, so no change can be seen yet",
            "No review in the period",
        ],
        0,
    )
    for pk in ids:
        mine = list(reviews.filter(learner_id=pk).order_by("reviewed_on", "pk"))
        if not mine:
            moved["No review in the period"] += 1
            continue
        if len(mine) == 1:
            moved["Only one review in the period, so no change can be seen yet"] += 1
            continue
        first, last = {}, {}
        for review in mine:
            for rating in ReviewRating.objects.filter(review=review).select_related("level"):
                item = (rating.fundamental_id, rating.area)
                first.setdefault(item, rating.level.position)
                last[item] = rating.level.position
        up = sum(1 for item in first if last[item] > first[item])
        down = sum(1 for item in first if last[item] < first[item])
        if up > len(first) / 2:
            moved["Moved up on more than half of their items"] += 1
        elif up and down:
            moved["Moved up on some items and down on others (up on half or fewer)"] += 1
        elif up:
            moved["Moved up on some items (half or fewer) and down on none"] += 1
        elif down:
            moved["Moved down on some items and up on none"] += 1
        else:
            moved["Stayed at the same level on every item"] += 1
    truth["moved"] = moved
    # Families: each family once, their latest answers in the period.
    latest = {}
    for feedback in FamilyFeedback.objects.filter(
        learner_id__in=ids, given_on__gte=period.since, given_on__lte=period.until
    ).order_by("given_on", "pk"):
        latest[feedback.learner_id] = feedback
    truth["families"] = len(latest)
    for question in ("understand", "connected", "reassured", "enjoy"):
        values = [getattr(f, question) for f in latest.values()]
        truth[f"family_{question}"] = round(sum(values) / len(values), 1) if values else None
    staff = Membership.objects.filter(organisation=organisation, is_active=True, role__in=STAFF_ROLES)
    truth["staff"] = staff.count()
    from attunement.means.models import SupervisionMeeting

    meetings = SupervisionMeeting.objects.filter(
        organisation=organisation, met_on__gte=period.since, met_on__lte=period.until
    )
    truth["meetings"] = meetings.count()
    truth["video_reflections"] = meetings.filter(kind="video_reflection").count()
    truth["holds"] = (
        Learner.objects.filter(pk__in=ids, legal_holds__isnull=False, legal_holds__lifted_at__isnull=True)
        .distinct()
        .count()
    )
    return truth


def check_pack(pack: dict, truth: dict) -> int:
    """Every statement of the pack is true; returns how many figures were checked."""
    checked = 0
    for section in pack["sections"]:
        for line in section["figures"]:
            key = line["key"]
            assert line["means"], f"{line['label']} says what it counts"
            if key in ("target", "moved"):
                for label, figure in line["rows"]:
                    assert words_are_true(figure, truth[key][label]), (pack["organisation"], label, figure, truth[key])
                    checked += 1
                continue
            if key == "inducted":
                continue  # depends on which courses are required; checked in its own test
            value = truth[key]
            if value is None:
                assert str(line["figure"]) == "hidden to protect privacy", (key, line["figure"])
            else:
                assert words_are_true(line["figure"], value), (pack["organisation"], key, line["figure"], value)
            checked += 1
    return checked


@pytest.mark.django_db
def test_every_figure_of_every_pack_matches_the_database_at_both_demo_organisations():
    seed_demo()
    period = default_period()
    for organisation in Organisation.objects.all():
        truth = truth_for(organisation, period)
        assert truth["people"] >= THRESHOLD, "the demo has enough people for figures to be shown"
        for audience in AUDIENCES:
            pack = organisation_pack(organisation=organisation, period=period, audience=audience)
            assert check_pack(pack, truth) >= 8
        inspectors = organisation_pack(organisation=organisation, period=period, audience="inspectors")
        shown = {line["key"]: line["figure"] for s in inspectors["sections"] for line in s["figures"]}
        # The figures that can be shown are shown, exactly.
        assert shown["people"].value == truth["people"]
        assert shown["sessions"].value == truth["sessions"]
        assert shown["per_week"].value == truth["per_week"]
        # Nobody is under a legal hold in the demo: the line is left out, not "fewer than 5".
        assert truth["holds"] == 0 and "holds" not in shown
        check_summary(organisation)


def check_summary(organisation):
    """The anonymised summary (the last 12 whole weeks) says only what is true, on the page too."""
    from attunement.outcomes.selectors import organisation_summary

    summary = organisation_summary(organisation=organisation)
    since, until = summary["period"]
    truth = truth_for(organisation, Period(since=since, until=until))
    assert words_are_true(summary["people"], truth["people"])
    assert words_are_true(summary["sessions_total"], truth["sessions"])
    assert words_are_true(summary["with_new"], truth["new"])
    assert words_are_true(summary["target_rows"]["met"], truth["target"]["Met it"])
    assert words_are_true(summary["target_rows"]["not_met"], truth["target"]["Did not"])
    hidden = [str(f) for f in summary["target_rows"].values() if not f.is_shown]
    assert len(hidden) != 1, "one hidden row beside the number of people could be worked out"


@pytest.mark.django_db
def test_withdrawn_sessions_and_reviews_are_left_out_of_every_figure(world):
    from attunement.practice.services import RatingInput, review_record, session_record

    from ..conftest import details

    scale = current_scale(world.school)
    levels = list(scale.levels.order_by("position"))
    fundamental = world.school.fundamentals.first()
    people = [Learner.objects.create(organisation=world.school, first_name=f"W{i}", last_name="Q") for i in range(6)]
    today = timezone.localdate()
    for learner in people:
        agree_to_reports(learner)
        for days in (3, 4):
            session_record(
                actor=world.coordinator,
                learner=learner,
                details=details(started_at=timezone.now() - timedelta(days=days)),
            )
        later = levels[1] if learner != people[-1] else levels[0]  # five move up, one stays the same
        for on, level in ((today - timedelta(days=20), levels[0]), (today - timedelta(days=2), later)):
            review_record(
                actor=world.coordinator,
                learner=learner,
                scale=scale,
                reviewed_on=on,
                ratings=[RatingInput(level_id=level.pk, fundamental_id=fundamental.pk)],
            )
    period = Period(since=today - timedelta(days=30), until=today)

    def figures():
        pack = organisation_pack(organisation=world.school, period=period, audience="inspectors")
        return {line["key"]: line for s in pack["sections"] for line in s["figures"]}

    before = figures()
    assert before["sessions"]["figure"].value == 12
    rows = {label: str(f) for label, f in before["moved"]["rows"]}
    assert rows["Moved up on more than half of their items"] == "5"
    assert rows["Stayed at the same level on every item"] == "fewer than 5"
    # Withdraw one session of each person, and the later review of one who moved up.
    for learner in people:
        first = Session.objects.filter(learner=learner).order_by("pk").first()
        Session.every_record.filter(pk=first.pk).update(withdrawn_at=timezone.now(), withdrawn_reason="Wrong child")
    ProgressReview.every_record.filter(learner=people[0], reviewed_on=today - timedelta(days=2)).update(
        withdrawn_at=timezone.now(), withdrawn_reason="Wrong scale"
    )
    after = figures()
    assert after["sessions"]["figure"].value == 6
    rows = {label: str(f) for label, f in after["moved"]["rows"]}
    assert rows["Moved up on more than half of their items"] == "fewer than 5"  # four now
    assert rows["Only one review in the period, so no change can be seen yet"] == "fewer than 5"
    assert check_pack(
        organisation_pack(organisation=world.school, period=period, audience="inspectors"),
        truth_for(world.school, period),
    )


@pytest.mark.django_db
def test_one_item_up_of_seventeen_is_not_called_moving_up_on_most(world):
    from attunement.outcomes.selectors import progress_distribution
    from attunement.practice.services import RatingInput, review_record

    scale = current_scale(world.school)
    levels = list(scale.levels.order_by("position"))
    items = list(world.school.fundamentals.all())
    assert len(items) >= 3
    today = timezone.localdate()
    one, all_of_them = (Learner.objects.create(organisation=world.school, first_name=n, last_name="Q") for n in "AB")
    for learner, ups in ((one, 1), (all_of_them, len(items))):
        for on, raised in ((today - timedelta(days=40), 0), (today - timedelta(days=1), ups)):
            review_record(
                actor=world.coordinator,
                learner=learner,
                scale=scale,
                reviewed_on=on,
                ratings=[
                    RatingInput(level_id=levels[1 if i < raised else 0].pk, fundamental_id=item.pk)
                    for i, item in enumerate(items)
                ],
            )
    moved = progress_distribution(
        Learner.objects.filter(pk__in=[one.pk, all_of_them.pk]), today - timedelta(days=60), today
    )
    assert moved["up_most"] == 1 and moved["up_some"] == 1 and moved["same"] == 0


@pytest.mark.django_db
def test_the_adult_service_pack_speaks_of_the_people_it_supports_and_the_cqc(world, client):
    world.school.setting = "adult_service"
    world.school.save()
    login(client, world.coordinator)
    page = unescape(client.get(reverse("outcomes:inspector")).content.decode())
    assert "People we support counted" in page and "single assessment framework" in page
    assert "Pupils" not in page and "Ofsted" not in page
    summary = unescape(client.get(reverse("outcomes:summary")).content.decode())
    assert "People we support supported" not in summary and "People we support counted" in summary
    management = organisation_pack(organisation=world.school, period=default_period(), audience="management")
    assert "Outcomes for the people we support" in [s["heading"] for s in management["sections"]]


@pytest.mark.django_db
def test_only_leaders_and_outside_viewers_read_the_packs(world, client):
    for role, status in (
        (Role.PRACTITIONER, 403),
        (Role.FAMILY, 403),
        (Role.THERAPIST, 403),
        (Role.COORDINATOR, 200),
        (Role.EXTERNAL, 200),
    ):
        login(client, world.members[role])
        assert client.get(reverse("outcomes:inspector")).status_code == status, role
        funders = reverse("outcomes:organisation_report", kwargs={"audience": "funders"})
        assert client.get(funders).status_code == status, role


# Render-level: random organisations, the page rendered and read back sentence by sentence.

FIGURE = re.compile(r"<dt>(?P<label>[^<]+)</dt>\s*<dd>(?P<body>.*?)</dd>", re.S)
VALUE = re.compile(r'<strong class="pack-value">(?P<value>[^<]+)</strong>')
ROW = re.compile(r'<th scope="row">(?P<label>[^<]+)</th><td>(?P<value>[^<]+)</td>')


def statements(html: str) -> dict[str, object]:
    """What the page says, as {label: words} and {label: {row: words}}."""
    said: dict[str, object] = {}
    for match in FIGURE.finditer(html):
        label, body = unescape(match["label"]).strip(), match["body"]
        rows = {unescape(r["label"]): unescape(r["value"]).strip() for r in ROW.finditer(body)}
        value = VALUE.search(body)
        said[label] = rows if rows else unescape(value["value"]).strip()
    return said


people_plans = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=12),  # sessions in the last four weeks
        st.sampled_from([None, 1, 2, 3]),  # their own weekly target
        st.booleans(),  # something seen for the first time
        st.lists(st.integers(min_value=0, max_value=3), max_size=3),  # levels at up to three reviews
    ),
    min_size=0,
    max_size=11,
)


@pytest.mark.django_db(transaction=False)
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plans=people_plans)
def test_no_sentence_of_a_rendered_pack_contradicts_the_truth(world, client, plans):

    scale = current_scale(world.school)
    levels = list(scale.levels.order_by("position"))
    fundamental = world.school.fundamentals.first()
    today = timezone.localdate()
    period = Period(since=today - timedelta(days=27), until=today)
    with transaction.atomic():
        for i, (sessions, target, new, review_levels) in enumerate(plans):
            learner = Learner.objects.create(
                organisation=world.school, first_name=f"R{i}", last_name="Q", weekly_session_target=target
            )
            agree_to_reports(learner)
            Session.objects.bulk_create(
                Session(
                    learner=learner,
                    started_at=timezone.now() - timedelta(days=1 + k % 25, hours=1),
                    minutes=10,
                    has_new_behaviour=new and k == 0,
                    enjoyment=3 if k % 2 else 2,
                )
                for k in range(sessions)
            )
            for r, level in enumerate(review_levels):
                review = ProgressReview.objects.create(
                    learner=learner, scale=scale, reviewed_on=today - timedelta(days=20 - 5 * r)
                )
                ReviewRating.objects.create(review=review, fundamental=fundamental, level=levels[level])
        login(client, world.coordinator)
        html = client.get(reverse("outcomes:inspector"), {"since": period.since, "until": period.until})
        said = statements(html.content.decode())
        truth = truth_for(world.school, period)
        labels = {
            "Pupils counted": "people",
            "Sessions recorded": "sessions",
            "Pupils with something seen for the first time": "new",
            "Sessions per pupil each week, on average": "per_week",
            "Sessions the pupil enjoyed a lot (%)": "lots",
        }
        assert said, "the page states figures"
        counted, new = said.get("Pupils counted", ""), said.get("Pupils with something seen for the first time", "")
        if counted.isdigit() and new.isdigit():
            assert int(counted) - int(new) >= THRESHOLD, "the pupils without a first could be worked out"
        for label, key in labels.items():
            if label in said:
                if truth[key] is None:
                    assert said[label] == "hidden to protect privacy"
                else:
                    assert words_are_true(said[label], truth[key]), (label, said[label], truth[key])
        for label, key in (
            ("Pupils who met their weekly session target", "target"),
            ("How their progress moved", "moved"),
        ):
            if isinstance(said.get(label), str):  # too few pupils for a breakdown
                assert said[label] == "hidden to protect privacy" and truth["people"] < THRESHOLD
                continue
            for row, words in said.get(label, {}).items():
                assert words_are_true(words, truth[key][row]), (label, row, words, truth[key][row])
            # With the number of pupils shown, no hidden row can be worked out by subtraction.
            rows = said.get(label, {})
            if rows and said["Pupils counted"].isdigit():
                hidden = [r for r, w in rows.items() if not w.isdigit()]
                assert len(hidden) != 1, (label, rows)
        transaction.set_rollback(True)


_ = date  # dates come from the period


@pytest.mark.django_db
@pytest.mark.parametrize("on_hold", [0, 2, 4])
def test_a_legal_hold_line_about_fewer_than_five_is_left_out_not_called_fewer_than_five(world, on_hold):
    from attunement.privacy.models import LegalHold

    from .test_summary import agree_to_reports

    people = [Learner.objects.create(organisation=world.school, first_name=f"L{i}", last_name="Q") for i in range(6)]
    for learner in people:
        agree_to_reports(learner)
    for learner in people[:on_hold]:
        LegalHold.objects.create(learner=learner, reason="Complaint")
    for audience in AUDIENCES:
        pack = organisation_pack(organisation=world.school, period=default_period(), audience=audience)
        labels = [line["label"] for s in pack["sections"] for line in s["figures"]]
        assert not any("legal hold" in label for label in labels), audience


@pytest.mark.django_db
def test_families_words_reach_only_the_managers_pack_once_each_and_without_names(world):
    from attunement.practice.services import family_feedback_record

    from .test_summary import agree_to_reports

    scores = {"understand": 4, "connected": 4, "reassured": 3, "enjoy": 5}
    people = [world.mine] + [
        Learner.objects.create(organisation=world.school, first_name=f"F{i}", last_name="Q") for i in range(5)
    ]
    staff_name = world.practitioner.user.first_name
    for i, learner in enumerate(people):
        agree_to_reports(learner)
        family_feedback_record(
            actor=world.coordinator,
            learner=learner,
            given_on=timezone.localdate(),
            scores=scores,
            comment=f"Mina laughed with {staff_name} at Test School" if i == 0 else "Lovely to see",
            may_quote=True,
            given_by_name="Mum",
        )
    management = organisation_pack(organisation=world.school, period=default_period(), audience="management")
    assert management["quotes"].count("Lovely to see") == 1
    quoted = " ".join(management["quotes"])
    assert "Mina" not in quoted and staff_name not in quoted and "Test School" not in quoted
    assert "[the pupil] laughed with [a member of staff]" in quoted
    for audience in ("inspectors", "commissioners", "funders"):
        assert organisation_pack(organisation=world.school, period=default_period(), audience=audience)["quotes"] == []
    headings = [s["heading"] for s in management["sections"]]
    assert "Outcomes for our pupils" in headings
