"""'Never seen before' is checked against the person's history, and every list of firsts counts a behaviour once."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from attunement.organisations.models import Role
from attunement.practice import novelty
from attunement.practice.models import ObservedBehaviour, Session
from attunement.practice.services import session_record

from ..conftest import details, login

# --- The matching rule --------------------------------------------------------------------------------------

WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=10).filter(
    lambda w: w not in novelty.SMALL_WORDS
)
PHRASES = st.lists(WORDS, min_size=1, max_size=6)


@st.composite
def written_differently(draw, words):
    """The same words, typed with other capitals, spaces and punctuation."""
    out = []
    for word in words:
        cased = "".join(c.upper() if draw(st.booleans()) else c for c in word)
        before = draw(st.sampled_from(["", " ", "  ", "\t", "“", "("]))
        after = draw(st.sampled_from(["", ",", ".", "!", "?", "”", ")", " -", "…", ";"]))
        out.append(before + cased + after)
    return draw(st.sampled_from([" ", "  ", " \n "])).join(out) + draw(st.sampled_from(["", " ", ".", "!!"]))


@given(data=st.data(), words=PHRASES)
def test_case_spacing_and_punctuation_do_not_make_a_different_behaviour(data, words):
    plain = " ".join(words)
    variant = data.draw(written_differently(words))
    assert novelty.behaviour_key(variant) == novelty.behaviour_key(plain)
    assert novelty.same_behaviour(variant, plain)


@given(a=PHRASES, b=PHRASES)
def test_behaviours_with_no_word_in_common_are_different(a, b):
    stems_a = {novelty.behaviour_key(w) for w in a}
    stems_b = {novelty.behaviour_key(w) for w in b}
    # Words that share nothing, not even a stem or a one-letter slip, describe different behaviours.
    if stems_a & stems_b or any(novelty.is_close(x, y) for x in stems_a for y in stems_b):
        return
    assert not novelty.same_behaviour(" ".join(a), " ".join(b))


@pytest.mark.parametrize(
    ("earlier", "now", "same"),
    [
        ("Reached for my hand", "reached  for my HAND.", True),
        ("Reached for my hand", "Reached for the hands", True),
        ("Smiled back", "smiles back!", True),
        ("Vocalised to get my attention", "vocalized to get attention", True),
        ("Reached for my hand", "Reached for my head", False),
        ("Laughed", "Laughed at the pause", False),
        ("Looked at my face", "Looked at my feet", False),
    ],
)
def test_close_matches_and_real_differences(earlier, now, same):
    assert novelty.same_behaviour(earlier, now) is same


def test_the_list_of_firsts_keeps_each_behaviour_once_at_its_earliest():
    rows = [
        (1, 7, "Reached for my hand", "new"),
        (2, 7, "reached for my hand.", "new"),  # the same first again
        (3, 7, "Copied my hum", "typical"),
        (4, 7, "Copied my hum", "new"),  # already seen: not a first
        (5, 8, "Reached for my hand", "new"),  # another person: their own first
        (6, 7, "Leaned in close", "rare"),
    ]
    assert novelty.first_ids(rows) == {1, 5}


# --- The quick log ---------------------------------------------------------------------------------------------


def _history(world, text, times, *, start_days_ago=30, withdrawn=False):
    sessions = []
    for n in range(times):
        recorded = session_record(
            actor=world.practitioner,
            learner=world.mine,
            details=details(
                started_at=timezone.now() - timedelta(days=start_days_ago - n),
                behaviours=[(text, "typical" if n else "new")],
            ),
        )
        sessions.append(recorded.session)
    if withdrawn:
        Session.objects.filter(pk__in=[s.pk for s in sessions]).update(withdrawn_at=timezone.now())
    return sessions


def _post(client, world, text, **extra):
    started = timezone.localtime() - timedelta(minutes=15)
    data = {
        "submission_key": str(uuid.uuid4()),
        "started_at": started.strftime("%Y-%m-%dT%H:%M"),
        "minutes": "10",
        "planned": "false",
        "behaviour-0-text": text,
        "behaviour-0-novelty": "new",
        "behaviour-1-text": "Something truly different today",
        "behaviour-1-novelty": "new",
    }
    data.update(extra)
    url = reverse("practice:log_session", kwargs={"learner_id": world.mine.pk})
    return client.post(url, data, follow=True), data


@pytest.mark.django_db
class TestQuickLogAsksBeforeSavingAsNew:
    def test_a_behaviour_already_in_the_history_is_sent_back_with_what_the_history_says(self, world, client):
        sessions = _history(world, "Reached for my hand", 3)
        first_on = timezone.localtime(sessions[0].started_at)
        login(client, world.practitioner)
        before = Session.objects.count()
        response, _ = _post(client, world, "reached for my hand!")
        page = response.content.decode()
        assert response.status_code == 400
        assert Session.objects.count() == before  # nothing saved
        assert f"Seen before: 3 times, first on {first_on:%-d %b %Y}" in page
        assert "Yes, it is new (save as never seen before)" in page
        assert "Mark it as typical" in page
        assert 'name="behaviour-0-seen"' in page
        assert 'name="behaviour-1-seen"' not in page  # the truly new one is not questioned
        assert "(written" not in page  # the same words: no need to show how they were first written

    def test_a_close_match_shows_how_it_was_first_written(self, world, client):
        _history(world, "Reached for my hand", 2)
        login(client, world.practitioner)
        response, _ = _post(client, world, "Reached for the hands")
        assert "Seen before: 2 times" in response.content.decode()
        assert "(written “Reached for my hand”)" in response.content.decode()

    def test_yes_it_is_new_saves_it_as_never_seen_before(self, world, client):
        _history(world, "Reached for my hand", 2)
        login(client, world.practitioner)
        _, data = _post(client, world, "Reached for my hand")
        data |= {"behaviour-0-seen": "new", "behaviour-0-checked": "Reached for my hand"}
        response = client.post(reverse("practice:log_session", kwargs={"learner_id": world.mine.pk}), data)
        assert response.status_code == 302
        saved = ObservedBehaviour.objects.get(
            session__submission_key=data["submission_key"], pk__isnull=False, description="Reached for my hand"
        )
        assert saved.novelty == "new"

    def test_mark_it_as_typical_saves_it_as_typical(self, world, client):
        _history(world, "Reached for my hand", 2)
        login(client, world.practitioner)
        _, data = _post(client, world, "Reached for my hand")
        data |= {"behaviour-0-seen": "typical", "behaviour-0-checked": "Reached for my hand"}
        response = client.post(reverse("practice:log_session", kwargs={"learner_id": world.mine.pk}), data)
        assert response.status_code == 302
        session = Session.objects.get(submission_key=data["submission_key"])
        novelties = dict(session.behaviours.values_list("description", "novelty"))
        assert novelties == {"Reached for my hand": "typical", "Something truly different today": "new"}

    def test_a_yes_given_for_other_words_does_not_let_a_changed_behaviour_through(self, world, client):
        _history(world, "Copied my hum", 2)
        login(client, world.practitioner)
        response, _ = _post(
            client, world, "Copied my hum", **{"behaviour-0-seen": "new", "behaviour-0-checked": "Leaned in close"}
        )
        assert response.status_code == 400
        assert "Seen before: 2 times" in response.content.decode()

    def test_withdrawn_sessions_and_other_people_do_not_count_as_history(self, world, client):
        _history(world, "Reached for my hand", 3, withdrawn=True)
        session_record(
            actor=world.coordinator,
            learner=world.unassigned,
            details=details(behaviours=[("Reached for my hand", "new")]),
        )
        login(client, world.practitioner)
        response, data = _post(client, world, "Reached for my hand")
        assert response.status_code == 200
        assert Session.objects.filter(submission_key=data["submission_key"]).exists()


# --- Every list of firsts ----------------------------------------------------------------------------------------


@pytest.fixture
def repeated_first(world):
    """'Reached for my hand' marked new four times (the demo's fault); 'Copied my hum' typical, then marked new."""
    from attunement.privacy.models import Consent

    Consent.objects.create(
        learner=world.mine,
        purpose="family",
        given_by="parent",
        giver_name="Mum",
        starts_on=timezone.localdate() - timedelta(days=60),
        review_on=timezone.localdate() + timedelta(days=300),
    )
    rows = [
        (40, [("Reached for my hand", "new")]),
        (30, [("reached for my hand.", "new"), ("Copied my hum", "typical")]),
        (20, [("Reached for my hand", "new")]),
        (10, [("Copied my hum", "new")]),
        (5, [("Reached for my HAND", "new")]),
    ]
    for days_ago, behaviours in rows:
        ObservedBehaviour.objects.bulk_create(
            ObservedBehaviour(session=s, description=text, novelty=kind)
            for s in [
                Session.objects.create(
                    learner=world.mine,
                    recorded_by=world.practitioner.user,
                    started_at=timezone.now() - timedelta(days=days_ago),
                    minutes=10,
                    has_new_behaviour=True,
                )
            ]
            for text, kind in behaviours
        )
    novelty.refresh_first_flags([world.mine.pk])  # as the migration does for records saved before the check
    return world


@pytest.mark.django_db
class TestFirstsCountEachBehaviourOnce:
    def test_the_timeline_marks_only_the_earliest(self, repeated_first, client):
        world = repeated_first
        login(client, world.practitioner)
        page = client.get(reverse("practice:timeline", kwargs={"learner_id": world.mine.pk})).content.decode()
        assert page.count('<span class="badge new">Never seen before</span>') == 1
        assert page.count('<span class="new-moment">') == 1
        filtered = client.get(
            reverse("practice:timeline", kwargs={"learner_id": world.mine.pk}), {"new_only": "on"}
        ).content.decode()
        assert "1 session" in filtered and "1 sessions" not in filtered

    def test_about_me_lists_each_first_once(self, repeated_first, client):
        world = repeated_first
        login(client, world.practitioner)
        page = client.get(reverse("learners:about", kwargs={"learner_id": world.mine.pk})).content.decode()
        assert page.lower().count("reached for my hand") == 1
        assert "Copied my hum" not in page.split("new-moment", 1)[-1].split("</ul>", 1)[0]

    def test_the_family_page_shows_each_first_once(self, repeated_first, client):
        world = repeated_first
        login(client, world.members[Role.FAMILY])
        page = client.get(reverse("practice:family_person", kwargs={"learner_id": world.mine.pk})).content.decode()
        assert page.lower().count("reached for my hand") == 1
        assert "Copied my hum" not in page

    def test_the_report_best_moments_counts_each_first_once(self, repeated_first):
        from attunement.outcomes.periods import default_period
        from attunement.outcomes.reports import best_moments

        world = repeated_first
        firsts = [m for m in best_moments(world.coordinator, world.mine, default_period()) if m["kind"] == "first time"]
        assert [m["text"] for m in firsts] == ["Reached for my hand"]

    def test_a_withdrawn_earliest_record_hands_the_first_to_the_next(self, repeated_first):
        world = repeated_first
        from attunement.practice.selectors import new_behaviour_moments
        from attunement.practice.services import session_withdraw

        earliest = Session.objects.filter(learner=world.mine).order_by("started_at").first()
        session_withdraw(actor=world.coordinator, session=earliest, reason="Logged for the wrong child")

        moments = list(new_behaviour_moments(actor=world.coordinator, learner=world.mine))
        assert [m.description for m in moments] == ["reached for my hand."]


@pytest.mark.django_db
class TestFirstFlagsFeedTheCounts:
    """The session flag read by the dashboard and report counts says whether it holds a real first."""

    def test_a_repeat_marked_new_does_not_flag_its_session(self, world):
        first = _history(world, "Reached for my hand", 1)[0]
        repeat = session_record(
            actor=world.practitioner, learner=world.mine, details=details(behaviours=[("reached for my hand", "new")])
        ).session
        first.refresh_from_db()
        assert first.has_new_behaviour and not repeat.has_new_behaviour

    def test_a_session_logged_for_an_earlier_day_takes_the_first(self, world):
        later = _history(world, "Copied my hum", 1, start_days_ago=5)[0]
        session_record(
            actor=world.practitioner,
            learner=world.mine,
            details=details(started_at=timezone.now() - timedelta(days=20), behaviours=[("Copied my hum", "typical")]),
        )
        later.refresh_from_db()
        assert not later.has_new_behaviour

    def test_withdrawing_the_first_hands_the_flag_to_the_next(self, world):
        from attunement.practice.services import session_withdraw

        first, second = (
            session_record(
                actor=world.practitioner,
                learner=world.mine,
                details=details(started_at=timezone.now() - timedelta(days=d), behaviours=[("Leaned in close", "new")]),
            ).session
            for d in (9, 3)
        )
        second.refresh_from_db()
        assert first.has_new_behaviour and not second.has_new_behaviour
        session_withdraw(actor=world.coordinator, session=first, reason="Logged for the wrong child")
        second.refresh_from_db()
        assert second.has_new_behaviour
