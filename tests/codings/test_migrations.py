"""A database made before codings and the interaction analysis had their own apps migrates to the new layout with
every row, every link between rows, and the admin's content types, permissions and history intact; the pages
show the rows afterwards."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from attunement.coding.model import DEFAULT_ETHOGRAM
from attunement.codings.models import CodingEvent, CodingPass, EthogramCode
from attunement.interaction.models import VideoAnalysis
from attunement.interaction.tasks import video_analyse
from attunement.organisations.models import Organisation
from attunement.reflection.models import SessionVideo

from ..conftest import login, shown
from ..reflection.conftest import a_session
from ..reflection.videos import consent

MOVED_APPS = ("codings", "interaction")
MOVED = {"ethogramcode": "codings", "codingpass": "codings", "codingevent": "codings", "videoanalysis": "interaction"}


def _leaves(executor):
    return executor.loader.graph.leaf_nodes()


def _migrate_to_old_layout(reflection_migration: str):
    """Unapply the move (and, for 0006, the default ethogram too); return the models as they were then."""
    executor = MigrationExecutor(connection)
    old_nodes = [node for node in _leaves(executor) if node[0] not in (*MOVED_APPS, "reflection")]
    old_nodes.append(("reflection", reflection_migration))
    executor.migrate([("reflection", reflection_migration), *((app, None) for app in MOVED_APPS)])
    return MigrationExecutor(connection).loader.project_state(old_nodes).apps


def _migrate_to_the_end():
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(_leaves(executor))


def _as_an_old_database_had_them():
    """Content types as a database made before the move holds them: under reflection, none under the new apps."""
    ContentType.objects.filter(app_label__in=MOVED_APPS).delete()
    return {
        model: ContentType.objects.get_or_create(app_label="reflection", model=model)[0].pk for model in sorted(MOVED)
    }


@pytest.mark.django_db(transaction=True)
def test_every_moved_row_and_link_survives_the_migration_and_the_pages_show_them(world, client):
    consent(world.mine)
    session = a_session(world)
    old = _migrate_to_old_layout("0007_default_ethogram")
    Video = old.get_model("reflection", "SessionVideo")
    Code = old.get_model("reflection", "EthogramCode")
    Pass = old.get_model("reflection", "CodingPass")
    Event = old.get_model("reflection", "CodingEvent")
    Analysis = old.get_model("reflection", "VideoAnalysis")
    content_types = _as_an_old_database_had_them()

    video = Video.objects.create(
        session_id=session.pk,
        uploaded_by_id=world.practitioner.pk,
        folder="0123456789abcdef",
        original="videos/0123456789abcdef/original.mp4",
        size_bytes=1000,
        duration=60.0,
        width=640,
        height=360,
        status="ready",
    )
    code = Code.objects.create(
        organisation_id=world.school.pk, key="L-hums", name="Hums a tune", subject="learner", kind="point", position=99
    )
    coding = Pass.objects.create(
        session_id=session.pk,
        coder_id=world.practitioner.user_id,
        title="Hums and looks",
        source="entered",
        video=video,
    )
    events = [
        Event.objects.create(coding_pass=coding, time=3.5, code="L-hums", subject="learner", comment="Quietly"),
        Event.objects.create(coding_pass=coding, time=10.0, end=14.0, code="L-looks", subject="learner"),
    ]
    chosen_at = timezone.now()
    analysis = Analysis.objects.create(
        video=video,
        requested_by_id=world.coordinator.pk,
        chosen_by_id=world.coordinator.pk,
        chosen_at=chosen_at,
        status="done",
        engine_version="3",
        results={"kept": "as it was"},
        speaker_corrections={"2": "partner"},
    )
    permission = Permission.objects.get_or_create(
        content_type_id=content_types["codingpass"], codename="change_codingpass", defaults={"name": "Can change"}
    )[0]
    queued = DBTaskResult.objects.create(
        task_path="attunement.reflection.tasks.video_analyse",
        args_kwargs={"args": [analysis.pk], "kwargs": {}},
        status=TaskResultStatus.READY,
        backend_name="default",
        run_after=timezone.now(),
        exception_class_path="",
        traceback="",
    )
    history = LogEntry.objects.create(
        user_id=world.coordinator.user_id,
        content_type_id=content_types["codingpass"],
        object_id=str(coding.pk),
        object_repr="Hums and looks",
        action_flag=CHANGE,
    )

    _migrate_to_the_end()

    moved_code = EthogramCode.objects.get(pk=code.pk)
    assert (moved_code.organisation, moved_code.key, moved_code.name) == (world.school, "L-hums", "Hums a tune")
    moved_pass = CodingPass.objects.get(pk=coding.pk)
    assert moved_pass.session == session and moved_pass.coder == world.practitioner.user
    assert moved_pass.video == SessionVideo.objects.get(pk=video.pk)
    assert list(moved_pass.events.values_list("pk", "time", "end", "code", "comment")) == [
        (events[0].pk, 3.5, None, "L-hums", "Quietly"),
        (events[1].pk, 10.0, 14.0, "L-looks", ""),
    ]
    assert CodingEvent.objects.filter(coding_pass__video_id=video.pk).count() == 2
    moved_analysis = VideoAnalysis.objects.get(pk=analysis.pk)
    assert moved_analysis.video_id == video.pk and moved_analysis.chosen_by == world.coordinator
    assert moved_analysis.results == {"kept": "as it was"}
    assert moved_analysis.speaker_corrections == {"2": "partner"}
    assert moved_analysis.chosen_at == chosen_at
    assert list(SessionVideo.objects.get(pk=video.pk).analyses.all()) == [moved_analysis]

    # Content types keep their ids under the new apps' labels, so permissions and history follow the models.
    for model, app in MOVED.items():
        assert ContentType.objects.get(pk=content_types[model]).app_label == app
    assert not ContentType.objects.filter(app_label="reflection", model__in=MOVED).exists()
    assert ContentType.objects.get_for_model(CodingPass).pk == content_types["codingpass"]
    permission.refresh_from_db()
    assert permission.content_type.model_class() is CodingPass
    history.refresh_from_db()
    assert history.get_edited_object() == moved_pass
    # A measurement waiting in the queue is found where the task now lives.
    assert import_string(DBTaskResult.objects.get(pk=queued.pk).task_path) is video_analyse

    login(client, world.practitioner)
    page = shown(client.get(reverse("reflection:pass", args=[world.mine.pk, session.pk, coding.pk])))
    assert "<h1>Hums and looks</h1>" in page
    assert "<dt>Events</dt><dd>2</dd>" in page
    assert "Hums a tune" in page  # the event's code, named from the moved ethogram
    session_page = shown(client.get(reverse("practice:session", args=[world.mine.pk, session.pk])))
    assert reverse("reflection:video", args=[video.pk]) in session_page
    assert reverse("reflection:passes", args=[world.mine.pk, session.pk]) in session_page
    login(client, world.coordinator)
    ethogram = shown(client.get(reverse("reflection:ethogram")))
    assert "Hums a tune" in ethogram


@pytest.mark.django_db(transaction=True)
def test_the_default_ethogram_migration_still_gives_organisations_without_codes_the_default(world):
    old = _migrate_to_old_layout("0006_analysis_run_chosen")
    old.get_model("reflection", "EthogramCode").objects.filter(organisation_id=world.other.pk).delete()

    _migrate_to_the_end()

    codes = EthogramCode.objects.filter(organisation=Organisation.objects.get(pk=world.other.pk))
    assert list(codes.values_list("key", flat=True)) == [code.key for code in DEFAULT_ETHOGRAM.codes]
