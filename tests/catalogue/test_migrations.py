"""The data migrations give organisations that existed before the change the default lists they lack, and leave
every list someone has already started alone."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from attunement.coding.model import DEFAULT_ETHOGRAM
from attunement.means.vocabulary import DEFAULT_COURSES
from attunement.practice.vocabulary import DEFAULT_FUNDAMENTALS

BEFORE = [
    ("practice", "0009_withdrawn_record_brought_back"),
    ("means", "0001_initial"),
    ("reflection", "0006_analysis_run_chosen"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_organisations_lacking_defaults_get_them_and_started_lists_are_left_alone():
    old = _migrate(BEFORE)
    Organisation = old.get_model("organisations", "Organisation")
    Fundamental = old.get_model("practice", "Fundamental")
    Course = old.get_model("means", "Course")
    EthogramCode = old.get_model("reflection", "EthogramCode")
    bare = Organisation.objects.create(name="Never opened a list", setting="school")
    started = Organisation.objects.create(name="Made the lists its own", setting="adult_service")
    Fundamental.objects.create(organisation=started, name="Waiting together", area="communication", position=1)
    Fundamental.objects.create(
        organisation=started, name="Trust", area="emotional", position=2, retired_at="2026-01-05T10:00:00Z"
    )
    Course.objects.create(organisation=started, name="Staff induction", required=True, position=1)
    EthogramCode.objects.create(
        organisation=started,
        key="L-looks",
        name="Looks at my face",
        subject="learner",
        kind="state",
        position=1,
        retired_at="2026-02-01T09:00:00Z",
    )

    new = _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    Fundamental = new.get_model("practice", "Fundamental")
    Course = new.get_model("means", "Course")
    EthogramCode = new.get_model("codings", "EthogramCode")
    assert list(Fundamental.objects.filter(organisation_id=bare.pk).values_list("name", "area")) == [
        (name, area.value) for area, name in DEFAULT_FUNDAMENTALS
    ]
    assert list(Course.objects.filter(organisation_id=bare.pk).values_list("name", "refresh_months", "required")) == [
        *DEFAULT_COURSES
    ]
    assert list(
        EthogramCode.objects.filter(organisation_id=bare.pk).values_list("key", "name", "subject", "kind", "shortcut")
    ) == [(c.key, c.name, c.subject, c.kind, c.shortcut) for c in DEFAULT_ETHOGRAM.codes]

    assert [(f.name, f.retired_at is None) for f in Fundamental.objects.filter(organisation_id=started.pk)] == [
        ("Waiting together", True),
        ("Trust", False),
    ]
    assert list(Course.objects.filter(organisation_id=started.pk).values_list("name", flat=True)) == ["Staff induction"]
    assert [(c.name, c.retired_at is None) for c in EthogramCode.objects.filter(organisation_id=started.pk)] == [
        ("Looks at my face", False)
    ]
