"""Consent is part of the video scope: the lists, the clip library, the detail pages and the anonymised counts
all answer from the same condition in the database, and that condition costs the same whatever the number of
people in the organisation."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from attunement.outcomes.selectors import counted_people, organisation_summary
from attunement.privacy.models import Consent, Purpose
from attunement.privacy.selectors import consent_allows
from attunement.reflection.models import Clip
from attunement.reflection.policies import video_policy
from attunement.reflection.video_selectors import clip_get, library_clips, video_lists

from ..conftest import login
from .conftest import a_session
from .videos import filmed_clipped_and_coded

GRACE = 90  # consent_rules.REVIEW_GRACE_DAYS, written out: the days a review may be overdue and still count


def _today():
    return timezone.localdate()


def _agree(learner, purpose=Purpose.VIDEO, *, starts=-10, review=300, withdrawn=None):
    today = _today()
    return Consent.objects.create(
        learner=learner,
        purpose=purpose,
        given_by="parent",
        starts_on=today + timedelta(days=starts),
        review_on=today + timedelta(days=review),
        withdrawn_on=None if withdrawn is None else today + timedelta(days=withdrawn),
    )


# Each person's consent to video, and whether it allows video today (from the rules as the privacy notice
# states them, not from the code).
HISTORIES = {
    "in force": ([{}], True),
    "review overdue, within the grace period": ([{"starts": -200, "review": -30}], True),
    "on the last day of the grace period": ([{"starts": -200, "review": -GRACE}], True),
    "the day after the grace period": ([{"starts": -200, "review": -GRACE - 1}], False),
    "withdrawn today": ([{"withdrawn": 0}], False),
    "withdrawn from tomorrow": ([{"withdrawn": 1}], True),
    "not started yet": ([{"starts": 1}], False),
    "replaced by a newer consent, since withdrawn": ([{}, {"starts": -5, "withdrawn": -2}], False),
    "a newer consent that has not started yet": ([{}, {"starts": 5, "withdrawn": 8}], True),
    "two from the same day, the later one withdrawn": ([{}, {"withdrawn": -1}], False),
    "two from the same day, the earlier one withdrawn": ([{"withdrawn": -1}, {}], True),
    "none": ([], False),
}


@pytest.fixture
def filmed(world):
    """One person per consent history, each with a session, a video of it (shared with the team) and a clip in
    the library. Every other person agreed to training clips; "no training" did not."""
    found = {}
    for name, (consents, allowed) in HISTORIES.items():
        learner = world.learner(world.school, name)
        for values in consents:
            _agree(learner, **values)
        _agree(learner, Purpose.TRAINING)
        video, clip, _ = filmed_clipped_and_coded(a_session(world, learner, world.coordinator), world.coordinator)
        found[name] = (video, clip, allowed)
    learner = world.learner(world.school, "no training")
    _agree(learner)
    video, clip, _ = filmed_clipped_and_coded(a_session(world, learner, world.coordinator), world.coordinator)
    found["no training"] = (video, clip, True)
    return found


def test_every_list_and_every_detail_page_answer_alike_and_as_the_consent_rule_does(world, filmed, client):
    colleague = world.members["therapist"]  # sees team videos and the library, works with none of these people
    listed = {
        v.pk for lists in (video_lists(world.coordinator), video_lists(colleague)) for v in lists.mine + lists.team
    }
    in_library = {c.pk for c in library_clips(colleague)}
    login(client, colleague)
    for name, (video, clip, allowed) in filmed.items():
        learner = video.session.learner
        assert consent_allows(learner, Purpose.VIDEO) is allowed, name  # the rule itself
        assert (video.pk in listed) is allowed, name
        assert video_policy.allows(world.coordinator, "view", video) is allowed, name
        page = client.get(reverse("reflection:video", kwargs={"video_id": video.pk}))
        assert page.status_code == (200 if allowed else 404), name
        in_training = allowed and name != "no training"
        assert (clip.pk in in_library) is in_training, name
        page = client.get(reverse("reflection:library_clip", kwargs={"clip_id": clip.pk}))
        assert page.status_code == (200 if in_training else 404), name
        if not in_training:
            with pytest.raises(Clip.DoesNotExist):
                clip_get(actor=colleague, clip_id=clip.pk)


def _people_with_everything(world, count: int):
    for n in range(count):
        learner = world.learner(world.school, f"Person{n}")
        for purpose in (Purpose.VIDEO, Purpose.TRAINING, Purpose.REPORTS):
            _agree(learner, purpose)
        _agree(learner, Purpose.VIDEO, starts=-400, review=-200)  # an old consent, replaced
        filmed_clipped_and_coded(a_session(world, learner, world.coordinator), world.coordinator)


def _reads(world) -> tuple[list[str], dict]:
    """Runs every consent-dependent read once; returns the SQL it sent and what it found."""
    with CaptureQueriesContext(connection) as queries:
        lists = video_lists(world.coordinator)
        clips = list(library_clips(world.coordinator))
        people = counted_people(world.school, _today()).count()
        summary = organisation_summary(organisation=world.school, today=_today())
    found = {"videos": len(lists.mine), "clips": len(clips), "people": people, "summary": summary["people"]}
    return [query["sql"] for query in queries.captured_queries], found


def test_consent_dependent_reads_cost_the_same_whatever_the_number_of_people(world):
    _people_with_everything(world, 6)  # enough for the anonymised figures to be shown
    few_sql, few = _reads(world)
    _people_with_everything(world, 10)
    many_sql, many = _reads(world)

    assert (few["videos"], few["clips"], few["people"]) == (6, 6, 6)
    assert (many["videos"], many["clips"], many["people"]) == (16, 16, 16)
    assert len(many_sql) == len(few_sql)
    # No query grows with the people found: a list of their ids would add a comma for each one.
    assert [sql.count(",") for sql in many_sql] == [sql.count(",") for sql in few_sql]
    assert any("EXISTS" in sql.upper() and "privacy_consent" in sql for sql in many_sql)
