"""The dashboard tells the whole truth: every alert names everyone it counts, a person with one review is not
said to have "stayed the same", consent reviews due and consents expired are alerts that match the records,
withdrawn sessions and reviews count nowhere, and the charts carry their figures in words."""

import random
import re
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from attunement.learners.models import CommunicationProfile, Learner
from attunement.organisations.models import Role
from attunement.outcomes import dashboard as board
from attunement.outcomes.movement import COMPARED
from attunement.outcomes.periods import Period
from attunement.practice.models import FamilyFeedback, ProgressReview, Session
from attunement.practice.selectors import week_start
from attunement.practice.services import RatingInput, review_record
from attunement.privacy.consent_rules import REVIEW_GRACE_DAYS, Status
from attunement.privacy.models import Consent
from attunement.privacy.selectors import consent_status, consents_needing_attention

from ..conftest import login, shown

DASHBOARD = "outcomes:dashboard"


def text_of(html: str) -> str:
    words = re.sub(r"<[^>]+>", " ", html).replace("&#x27;", "'").replace("&quot;", '"')
    return " ".join(words.split())


def card(html: str, element_id: str) -> str:
    """The HTML of one alert card."""
    match = re.search(rf'<div class="card alert[^"]*" id="{element_id}">(.*?)</div>', html, re.S)
    assert match, element_id
    return match.group(1)


def a_person(organisation, first_name, last_name="Test", **fields):
    learner = Learner.objects.create(organisation=organisation, first_name=first_name, last_name=last_name, **fields)
    CommunicationProfile.objects.create(learner=learner)
    return learner


def on(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


def listed_links(html: str) -> list[str]:
    """The links to people in an alert card, or in the list of an alert's own page."""
    listed = re.search(r'<ul class="plain-list card" id="alert-list">(.*?)</ul>', html, re.S)
    return re.findall(r'<li><a href="([^"]+)"', listed.group(1) if listed else html)


@pytest.mark.django_db
def test_an_alert_names_the_first_ten_and_see_all_lists_everyone_it_counts(world, client, monkeypatch):
    from attunement.outcomes import views

    for learner in (world.mine, world.unassigned):
        learner.weekly_session_target = 0  # never below a target of none
        learner.save()
    behind = [a_person(world.school, f"Pupil{n:02d}", "Behind", weekly_session_target=2) for n in range(13)]
    login(client, world.coordinator)
    html = shown(client.get(reverse(DASHBOARD)))
    below = card(html, "alert-below-target")
    assert "Below their session target two weeks running: 13" in text_of(below)
    # The first ten by name, and the way to everyone.
    assert listed_links(below) == [reverse("practice:timeline", args=[p.pk]) for p in behind[:10]]
    see_all = reverse("outcomes:dashboard_alert", args=["below-target"])
    assert f'<a href="{see_all}">See all 13</a>' in below

    monkeypatch.setattr(views, "ALERT_PAGE_SIZE", 5)  # three pages: each person once, in name order
    links = []
    for page in (1, 2, 3):
        listed = shown(client.get(see_all, {"page": page}))
        assert "Below their session target two weeks running: 13 people" in text_of(listed)
        links += listed_links(listed)
    assert links == [reverse("practice:timeline", args=[p.pk]) for p in behind]

    # Without a review this term: everyone in the organisation here (15), counted by the database.
    everyone = Learner.objects.filter(organisation=world.school, is_active=True).order_by("first_name", "last_name")
    no_review = card(html, "alert-no-review")
    assert "No progress review this term" in text_of(no_review) and ": 15" in text_of(no_review)
    assert len(listed_links(no_review)) == 10 and "See all 15" in no_review
    monkeypatch.setattr(views, "ALERT_PAGE_SIZE", 50)
    listed = shown(client.get(reverse("outcomes:dashboard_alert", args=["no-review"])))
    assert listed_links(listed) == [reverse("practice:review_create", args=[p.pk]) for p in everyone]
    assert "Faro" not in listed


@pytest.mark.django_db
def test_an_alert_of_ten_or_fewer_names_everyone_and_has_no_see_all(world, client):
    for learner in (world.mine, world.unassigned):
        learner.weekly_session_target = 0
        learner.save()
    behind = [a_person(world.school, f"Pupil{n:02d}", "Behind", weekly_session_target=2) for n in range(10)]
    login(client, world.coordinator)
    below = card(shown(client.get(reverse(DASHBOARD))), "alert-below-target")
    assert listed_links(below) == [reverse("practice:timeline", args=[p.pk]) for p in behind]
    assert "See all" not in below


@pytest.mark.django_db
def test_the_see_all_list_keeps_the_dashboard_s_site_and_group(world, client):
    site = world.school.sites.create(name="North building")
    here = a_person(world.school, "Here", site=site, needs=["autism"])
    a_person(world.school, "Elsewhere", needs=["autism"])
    a_person(world.school, "Other", site=site, needs=["pmld"])
    login(client, world.coordinator)
    query = {"site": site.pk, "need": "autism"}
    html = shown(client.get(reverse(DASHBOARD), query))
    listed = shown(client.get(reverse("outcomes:dashboard_alert", args=["no-review"]), query))
    truth = [reverse("practice:review_create", args=[here.pk])]
    assert listed_links(listed) == truth
    assert listed_links(card(html, "alert-no-review")) == truth


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.FAMILY])
def test_the_alert_lists_are_refused_to_practitioners_and_families(world, client, role):
    a_person(world.school, "Zebedee", "Behindley", weekly_session_target=2)  # in two alerts
    login(client, world.members[role])
    for slug in board.ALERT_LISTS:
        response = client.get(reverse("outcomes:dashboard_alert", args=[slug]))
        assert response.status_code == 403, (role, slug)
        assert "Behindley" not in shown(response)


@pytest.mark.django_db
def test_one_review_in_the_period_is_one_review_so_far_not_stayed_the_same(world, client):
    today = timezone.localdate()
    scale = world.school.progress_scale
    levels = list(scale.levels.all())
    fundamental = world.school.fundamentals.first()
    steady = a_person(world.school, "Steady")
    withdrawn = a_person(world.school, "Withdrawn")

    def review(learner, days_ago, level):
        return review_record(
            actor=world.coordinator,
            learner=learner,
            scale=scale,
            reviewed_on=today - timedelta(days=days_ago),
            ratings=[RatingInput(level_id=levels[level].pk, fundamental_id=fundamental.pk)],
        )

    review(world.mine, 200, 0)  # before the period: not compared
    review(world.mine, 30, 1)  # the only review in the period
    review(steady, 50, 1)
    review(steady, 20, 1)  # two reviews, the same level: stayed the same
    review(withdrawn, 50, 0)
    later = review(withdrawn, 20, 2)
    ProgressReview.every_record.filter(pk=later.pk).update(withdrawn_at=timezone.now())  # withdrawn: not counted
    period = Period(since=today - timedelta(days=60), until=today)

    moved = board.progress_movement(board.Scope().people(world.coordinator), period)
    assert moved == {  # Una has no review
        "up_most": 0,
        "up_some": 0,
        "mixed": 0,
        "same": 1,
        "down": 0,
        "one_review": 2,
        "no_review": 1,
    }

    login(client, world.coordinator)
    html = shown(client.get(reverse(DASHBOARD), {"since": period.since.isoformat(), "until": today.isoformat()}))
    figures = re.search(r'<dl class="figures card" id="progress-figures">(.*?)</dl>', html, re.S).group(1)
    assert text_of(figures) == (
        "Moved up on more than half of their items 0 "
        "Moved up on some items (half or fewer) and down on none 0 "
        "Moved up on some items and down on others (up on half or fewer) 0 "
        "Stayed at the same level on every item 1 "
        "Moved down on some items and up on none 0 "
        "Only one review in the period, so no change can be seen yet 2 "
        "No review in the period 1"
    )
    # The chart says the same, in words for a screen reader.
    desc = re.search(r'<desc id="progress-desc">(.*?)</desc>', html, re.S).group(1)
    assert text_of(desc) == (
        "Up on most items: 0. Up on some, down on none: 0. Up on some, down on others: 0. No change: 1. "
        "Down only: 0. One review so far: 2. No review in the period: 1."
    )


@pytest.mark.django_db
def test_consent_reviews_due_and_expired_are_alerts_that_match_the_records(world, client):
    today = timezone.localdate()

    def consent(learner, purpose, review_days_ago, *, started_days_ago=400, withdrawn=False):
        return Consent.objects.create(
            learner=learner,
            purpose=purpose,
            given_by="parent",
            starts_on=today - timedelta(days=started_days_ago),
            review_on=today - timedelta(days=review_days_ago),
            withdrawn_on=today - timedelta(days=1) if withdrawn else None,
        )

    due = a_person(world.school, "Duena")
    expired = a_person(world.school, "Expira")
    consent(due, "video", 10)  # review date passed 10 days ago: review due
    consent(due, "reports", 1)
    consent(expired, "video", REVIEW_GRACE_DAYS + 5)  # past the grace period: expired
    consent(expired, "reports", -100)  # current
    consent(world.mine, "video", REVIEW_GRACE_DAYS + 30)  # expired, but replaced by a newer one:
    consent(world.mine, "video", -300, started_days_ago=10)
    consent(world.unassigned, "video", 5, withdrawn=True)  # withdrawn: not a review to do
    consent(world.foreign, "video", 5)  # another organisation's

    alerts = consents_needing_attention(actor=world.coordinator)
    assert [(a.learner, [c.purpose for c in a.consents]) for a in alerts["review_due"]] == [(due, ["reports", "video"])]
    assert [(a.learner, [c.purpose for c in a.consents]) for a in alerts["expired"]] == [(expired, ["video"])]
    assert (alerts["review_due_consents"], alerts["expired_consents"]) == (2, 1)

    login(client, world.coordinator)
    html = shown(client.get(reverse(DASHBOARD)))
    review_card, expired_card = card(html, "alert-consent-review"), card(html, "alert-consent-expired")
    assert "Consent reviews due: 2 (1 person)" in text_of(review_card)
    assert reverse("privacy:consents", args=[due.pk]) in review_card
    assert "video recording (review was due" in text_of(review_card)
    assert "Consents expired: 1 (1 person)" in text_of(expired_card)
    assert reverse("privacy:consents", args=[expired.pk]) in expired_card
    assert "Faro" not in html
    # Each alert's own page lists the same people with the same consents.
    for slug, person, words in (("consent-review", due, "reports (review was due"), ("consent-expired", expired, "")):
        page = shown(client.get(reverse("outcomes:dashboard_alert", args=[slug])))
        assert listed_links(page) == [reverse("privacy:consents", args=[person.pk])]
        assert words in text_of(page)


@pytest.mark.django_db
def test_the_consent_alerts_agree_with_each_person_s_consent_page_for_any_records(world):
    """Against the rule the consent page uses (consent_status), over many random sets of consents."""
    rng = random.Random(12)
    today = timezone.localdate()
    people = [a_person(world.school, f"Person{n}") for n in range(6)]
    purposes = ["video", "reports", "family", "training", "research"]
    for _ in range(25):
        Consent.objects.filter(learner__in=people).delete()
        for learner in people:
            for _ in range(rng.randint(0, 4)):
                start = today - timedelta(days=rng.randint(-20, 700))
                Consent.objects.create(
                    learner=learner,
                    purpose=rng.choice(purposes),
                    given_by="parent",
                    starts_on=start,
                    review_on=start + timedelta(days=rng.randint(1, 500)),
                    withdrawn_on=today - timedelta(days=rng.randint(0, 30)) if rng.random() < 0.2 else None,
                )
        alerts = consents_needing_attention(actor=world.coordinator, learners=people)
        first_two = consents_needing_attention(actor=world.coordinator, learners=people, shown=2)
        for key, status in (("review_due", Status.REVIEW_DUE), ("expired", Status.EXPIRED)):
            assert first_two[key] == alerts[key][:2]
            assert first_two[f"{key}_people"] == alerts[f"{key}_people"] == len(alerts[key])
            truth = {
                (learner.pk, row.purpose)
                for learner in people
                for row in consent_status(learner, today)
                if row.status == status
            }
            listed = {(a.learner.pk, c.purpose) for a in alerts[key] for c in a.consents}
            assert listed == truth and alerts[f"{key}_consents"] == len(truth)


@pytest.mark.django_db
def test_sessions_against_target_chart_counts_whole_weeks_and_leaves_withdrawn_sessions_out(world, client):
    world.mine.weekly_session_target = 2
    world.mine.save()
    world.unassigned.weekly_session_target = 1
    world.unassigned.save()
    this_week = week_start(timezone.localdate())
    last_week, week_before = this_week - timedelta(weeks=1), this_week - timedelta(weeks=2)
    Session.objects.create(learner=world.mine, started_at=on(last_week), minutes=10)
    Session.objects.create(learner=world.mine, started_at=on(last_week + timedelta(days=2)), minutes=10)
    Session.objects.create(learner=world.unassigned, started_at=on(last_week), minutes=10)
    gone = Session.objects.create(learner=world.unassigned, started_at=on(week_before), minutes=10)
    Session.every_record.filter(pk=gone.pk).update(withdrawn_at=timezone.now())
    Session.objects.create(learner=world.foreign, started_at=on(week_before), minutes=10)  # not ours
    period = Period(since=week_before, until=this_week - timedelta(days=1))

    ends = board.ends(actor=world.coordinator, scope=board.Scope(), period=period)
    assert [(w["week"], w["count"], w["target"], w["people_met"]) for w in ends["weeks"]] == [
        (week_before, 0, 3, 0),
        (last_week, 3, 3, 2),
    ]
    assert ends["sessions"] == 3 and ends["weeks_reached"] == 1

    login(client, world.coordinator)
    html = shown(client.get(reverse(DASHBOARD), {"since": period.since.isoformat(), "until": period.until.isoformat()}))
    desc = text_of(re.search(r'<desc id="weeks-desc">(.*?)</desc>', html, re.S).group(1))
    assert "Bar chart of 2 whole weeks" in desc and "the 3 sessions their weekly targets add up to" in desc
    assert "reached in 1 of the 2 weeks" in desc
    assert 'role="img" aria-labelledby="weeks-title weeks-desc"' in html
    table = text_of(
        re.search(r"<caption[^>]*>Sessions against target, week by week</caption>(.*?)</table>", html, re.S).group(1)
    )
    assert f"{last_week.day} {last_week:%b %Y} 3 3 2 of 2" in table


@pytest.mark.django_db
def test_family_feedback_is_among_the_ends(world, client):
    today = timezone.localdate()
    for days_ago, score in ((10, 4), (40, 5), (500, 1)):
        FamilyFeedback.objects.create(
            learner=world.mine,
            given_on=today - timedelta(days=days_ago),
            understand=score,
            connected=score,
            reassured=score,
            enjoy=score,
        )
    login(client, world.coordinator)
    page = text_of(shown(client.get(reverse(DASHBOARD))))
    assert "2 answers to the family feedback form in the period, from 1 family." in page
    assert "“I feel more connected to them” 4.5" in page


@pytest.mark.django_db(transaction=True)
def test_video_reflection_is_among_the_means(world, client, settings, tmp_path):
    from attunement.interaction import analyses as interaction
    from attunement.reflection.video_services import comment_add

    from ..reflection.conftest import a_session
    from ..reflection.videos import consent, uploaded

    settings.MEDIA_ROOT = tmp_path / "media"
    consent(world.mine)
    watched = uploaded(world, a_session(world), tmp_path)
    uploaded(world, a_session(world), tmp_path)  # filmed, measured, but nobody has reflected on it yet
    withdrawn = uploaded(world, a_session(world), tmp_path)
    Session.every_record.filter(pk=withdrawn.session_id).update(withdrawn_at=timezone.now())
    comment_add(actor=world.practitioner, video=watched, time=1.0, text="Lovely pause")
    first = watched.analyses.get()
    trial = watched.analyses.create(status="done", results=first.results, finished_at=timezone.now())
    interaction.analysis_choose(actor=world.coordinator, analysis=trial)

    figures = board.video_reflection(board.Scope().people(world.coordinator), board_period())
    assert figures == {"videos": 2, "reflected_on": 1, "runs": 3, "measured": 2, "chosen": 1}
    login(client, world.coordinator)
    page = text_of(shown(client.get(reverse(DASHBOARD))))
    assert "Videos 2 Reflected on 1 of 2 Measured 2 of 2 Measurement runs 3 Runs chosen to count 1" in page


def board_period() -> Period:
    today = timezone.localdate()
    return Period(since=today - timedelta(days=364), until=today)


@pytest.mark.django_db
@hypothesis_settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    plans=st.lists(
        st.lists(st.tuples(st.integers(0, 90), st.integers(0, 3), st.booleans()), max_size=4),
        min_size=3,
        max_size=3,
    )
)
def test_every_person_is_in_exactly_one_progress_group_and_one_review_is_never_a_movement(world, plans):
    """For any reviews (some withdrawn), the groups add up to everyone, and only people with two or more
    reviews in the period are said to have moved up, stayed the same or moved down."""
    today = timezone.localdate()
    scale = world.school.progress_scale
    levels = list(scale.levels.all())
    fundamental = world.school.fundamentals.first()
    ProgressReview.every_record.all().delete()
    people = [world.mine, world.unassigned, world.foreign]
    kept_reviews = {}
    for learner, plan in zip(people[:2], plans[:2], strict=True):
        kept_reviews[learner.pk] = 0
        for days_ago, level, withdrawn in plan:
            review = review_record(
                actor=world.coordinator,
                learner=learner,
                scale=scale,
                reviewed_on=today - timedelta(days=days_ago),
                ratings=[RatingInput(level_id=levels[min(level, len(levels) - 1)].pk, fundamental_id=fundamental.pk)],
            )
            if withdrawn:
                ProgressReview.every_record.filter(pk=review.pk).update(withdrawn_at=timezone.now())
            elif days_ago <= 60:
                kept_reviews[learner.pk] += 1
    period = Period(since=today - timedelta(days=60), until=today)
    moved = board.progress_movement(board.Scope().people(world.coordinator), period)
    assert sum(moved.values()) == 2  # Mina and Una; Faro is another organisation's
    assert moved["no_review"] == sum(1 for n in kept_reviews.values() if n == 0)
    assert moved["one_review"] == sum(1 for n in kept_reviews.values() if n == 1)
    assert sum(moved[key] for key in COMPARED) == sum(1 for n in kept_reviews.values() if n >= 2)
