"""Every run of the interaction analysis is kept; one counts. Measuring again (a trial with other boxes or
settings) never changes the figures on the session page or the person's progress trend: the first run that
finished counts until a co-ordinator or manager chooses another, and that choice is audited."""

import importlib
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from django.utils import timezone

from attunement.interaction import analyses as interaction
from attunement.interaction.models import AnalysisStatus, VideoAnalysis
from attunement.organisations.models import AuditEntry, Role

from ..conftest import login, shown
from .conftest import a_session
from .test_interaction import filmed, learner_leads  # noqa: F401  (a video where the person leads)
from .videos import consent, uploaded

LEADERS = {Role.COORDINATOR, Role.MANAGER, Role.ADMINISTRATOR}


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def text(response) -> str:
    """What the page says, without its tags."""
    words = re.sub(r"<[^>]+>", " ", shown(response)).replace("&#x27;", "'").replace("&quot;", '"')
    return " ".join(words.split()).replace(" .", ".").replace(" ,", ",")


def choose_url(run) -> str:
    return reverse("reflection:video_analysis_choose", args=[run.video_id, run.pk])


def trend_leaders(actor, learner) -> list[str]:
    return [row.leader for row in interaction.interaction_trend(actor=actor, learner=learner)]


@pytest.mark.django_db(transaction=True)
def test_a_trial_run_changes_nothing_until_the_reviewer_chooses_it(world, client, tmp_path, learner_leads):  # noqa: F811
    consent(world.mine)
    video = filmed(world, tmp_path, learner_leads)
    session_url = reverse("practice:session", args=[world.mine.pk, video.session_id])
    video_url = reverse("reflection:video", args=[video.pk])
    assert trend_leaders(world.practitioner, world.mine) == ["learner"]

    # The practitioner tries boxes the other way round: the "person" box now holds the follower.
    login(client, world.practitioner)
    client.post(
        reverse("reflection:video_analysis_request", args=[video.pk]),
        {"preset": "short", "learner_region": "160,0,160,180", "partner_region": "0,0,160,180"},
    )
    first, trial = VideoAnalysis.objects.filter(video=video).order_by("pk")
    assert trial.status == AnalysisStatus.DONE and interaction.headline(trial).leader == "partner"

    # Both runs are kept, and everything still shows the first.
    assert interaction.counting_run(video) == first
    assert trend_leaders(world.practitioner, world.mine) == ["learner"]
    assert trend_leaders(world.coordinator, world.mine) == ["learner"]
    assert "Mina led" in text(client.get(session_url))
    page = text(client.get(video_url))
    assert "These figures count for this video: run 1" in page and "Mina led" in page
    assert "Every measurement of this video (2)" in page
    assert "Run 2 — Trial — boxes drawn by hand, short-session settings — asked for by" in page
    assert "Use this run" not in page  # the practitioner does not choose
    assert "A co-ordinator or manager chooses which run counts." in page
    assert client.post(choose_url(trial)).status_code == 403

    # The trial can be opened: its figures are there, said not to count.
    opened = text(client.get(f"{video_url}?run={trial.pk}"))
    assert "A trial: these figures do not count." in opened and "The partner led" in opened
    assert "The session page and the progress trend use run 1." in opened

    # The co-ordinator chooses the trial: the session page and the trend now use it.
    login(client, world.coordinator)
    opened = text(client.get(f"{video_url}?run={trial.pk}"))
    assert "Use this run" in opened
    response = client.post(choose_url(trial), follow=True)
    assert "This run now counts" in text(response)
    assert interaction.counting_run(video) == trial
    assert trend_leaders(world.coordinator, world.mine) == ["partner"]
    assert trend_leaders(world.practitioner, world.mine) == ["partner"]
    assert "the partner led" in text(client.get(session_url))
    page = text(client.get(video_url))
    assert "These figures count for this video: run 2" in page and "chosen by" in page
    assert "Run 1 — Trial — left half for Mina, right half for the partner" in page

    entry = AuditEntry.objects.get(action="video_analysis.chosen")
    assert entry.learner_id == world.mine.pk and entry.target_id == trial.pk
    assert entry.detail["counts_now"]["run"] == trial.pk and entry.detail["counted_before"]["run"] == first.pk
    assert "boxes drawn by hand" in entry.detail["counts_now"]["settings"]

    # Choosing it again changes nothing and says so.
    response = client.post(choose_url(trial), follow=True)
    assert "already counts" in text(response)
    assert AuditEntry.objects.filter(action="video_analysis.chosen").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_first_run_to_finish_counts_and_a_later_run_never_takes_over(world, tmp_path):
    consent(world.mine)
    video = uploaded(world, a_session(world), tmp_path)
    (first,) = video.analyses.all()
    now = timezone.now()
    first.finished_at = now - timedelta(minutes=30)
    first.save()

    def run(status=AnalysisStatus.DONE, finished=None, **fields):
        return VideoAnalysis.objects.create(
            video=video,
            status=status,
            results=first.results if status == AnalysisStatus.DONE else None,
            finished_at=finished,
            **fields,
        )

    failed = run(AnalysisStatus.FAILED, problem="Stopped")
    later = run(finished=now - timedelta(minutes=5))
    run(AnalysisStatus.QUEUED)
    assert interaction.counting_run(video) == first
    # A run asked for earlier but finished later than another does not count first.
    VideoAnalysis.objects.filter(pk=first.pk).update(finished_at=now - timedelta(minutes=1))
    assert interaction.counting_run(video) == later

    interaction.analysis_choose(actor=world.coordinator, analysis=first)
    run(finished=now)  # measured again after the choice
    assert interaction.counting_run(video) == first
    runs = interaction.runs_of(video)
    assert [r.number for r in runs] == [1, 2, 3, 4, 5]
    assert [r.counts for r in runs] == [True, False, False, False, False]
    with pytest.raises(Exception, match="Only a finished measurement can count"):
        interaction.analysis_choose(actor=world.coordinator, analysis=failed)
    assert interaction.counting_run(video) == first


@pytest.mark.django_db(transaction=True)
class TestWhoMayChoose:
    @pytest.fixture
    def runs(self, world, tmp_path):
        consent(world.mine)
        video = uploaded(world, a_session(world), tmp_path)
        (first,) = video.analyses.all()
        second = VideoAnalysis.objects.create(
            video=video, status=AnalysisStatus.DONE, results=first.results, finished_at=timezone.now()
        )
        return first, second

    @pytest.mark.parametrize("role", Role.values)
    def test_each_role(self, world, client, runs, role):
        first, second = runs
        login(client, world.members[role])
        response = client.post(choose_url(second))
        if role in LEADERS:
            assert response.status_code == 302
            assert interaction.counting_run(second.video) == second
            assert AuditEntry.objects.filter(action="video_analysis.chosen", actor=world.members[role].user).exists()
        else:
            # Practitioners and therapists who work with the person see the video but may not choose; family
            # members and outside viewers do not see it at all.
            expected = 403 if role in {Role.PRACTITIONER, Role.THERAPIST} else 404
            assert response.status_code == expected
            assert interaction.counting_run(second.video) == first
            assert not AuditEntry.objects.filter(action="video_analysis.chosen").exists()

    def test_only_by_post(self, world, client, runs):
        login(client, world.coordinator)
        assert client.get(choose_url(runs[1])).status_code == 405
        assert interaction.counting_run(runs[1].video) == runs[0]

    def test_another_organisation_and_another_video_are_not_found(self, world, client, runs, tmp_path):
        first, second = runs
        login(client, world.other_coordinator)
        assert client.post(choose_url(second)).status_code == 404
        other_video = uploaded(world, a_session(world), tmp_path)
        login(client, world.coordinator)
        wrong = reverse("reflection:video_analysis_choose", args=[other_video.pk, second.pk])
        assert client.post(wrong).status_code == 404
        assert interaction.counting_run(second.video) == first

    def test_not_while_consent_to_video_is_withdrawn(self, world, client, runs):
        first, second = runs
        world.mine.consents.update(withdrawn_on=timezone.localdate())
        login(client, world.coordinator)
        assert client.post(choose_url(second)).status_code == 404
        assert interaction.counting_run(second.video) == first


@pytest.mark.django_db(transaction=True)
def test_the_migration_makes_each_video_s_first_finished_run_count(world, tmp_path):
    consent(world.mine)
    video = uploaded(world, a_session(world), tmp_path)
    (first,) = video.analyses.all()
    now = timezone.now()
    VideoAnalysis.objects.filter(pk=first.pk).update(finished_at=now - timedelta(hours=2))
    latest = VideoAnalysis.objects.create(video=video, status="done", results=first.results, finished_at=now)
    migration = importlib.import_module("attunement.reflection.migrations.0006_analysis_run_chosen")
    # The models as the migration saw them, when runs of the analysis were still the videos app's.
    state = MigrationLoader(connection).project_state(("reflection", "0006_analysis_run_chosen"))
    migration.first_finished_run_counts(state.apps, None)
    first.refresh_from_db()
    latest.refresh_from_db()
    assert first.chosen_at is not None and first.chosen_by is None and latest.chosen_at is None
    assert interaction.counting_run(video) == first
