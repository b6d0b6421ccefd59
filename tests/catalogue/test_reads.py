"""Reading the catalogues never writes: the default lists come with the organisation, not with the first visit."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attunement.coding.model import Event
from attunement.codings.models import EthogramCode
from attunement.means.models import Course
from attunement.organisations.models import Role
from attunement.practice.models import Fundamental

from ..conftest import login
from ..reflection.conftest import a_pass, a_session, url

# Reading a page about a person records who read it; that is the only write a read may make.
READ_AUDIT = "organisations_auditentry"


def _inserts(queries) -> list[str]:
    tables = (re.match(r'\s*INSERT INTO "?(\w+)"?', q["sql"], re.IGNORECASE) for q in queries)
    return [m.group(1) for m in tables if m and m.group(1) != READ_AUDIT]


@pytest.mark.django_db
def test_reading_pages_with_empty_catalogues_adds_nothing(world, client):
    session = a_session(world)
    coding_pass = a_pass(world, session, [Event(1.0, "L-smiles", "learner")])
    for model in (Fundamental, Course, EthogramCode):
        model.objects.filter(organisation=world.school).delete()
    pages = {
        Role.COORDINATOR: [
            reverse("practice:fundamentals"),
            reverse("means:courses"),
            reverse("means:training_matrix"),
            reverse("means:training_record"),
            reverse("reflection:ethogram"),
        ],
        Role.PRACTITIONER: [
            reverse("practice:log_session", args=[world.mine.pk]),
            reverse("means:training"),
            reverse("means:training_record"),
            reverse("reflection:ethogram"),
            url("pass", session, pass_id=coding_pass.pk),
        ],
    }
    for role, addresses in pages.items():
        login(client, world.members[role])
        for address in addresses:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(address)
            assert response.status_code == 200, address
            assert _inserts(queries.captured_queries) == [], address
    for model in (Fundamental, Course, EthogramCode):
        assert not model.objects.filter(organisation=world.school).exists()


@pytest.mark.django_db
def test_a_new_organisation_starts_with_all_three_lists(world):
    for organisation in (world.school, world.other):
        assert organisation.fundamentals.count() == 17
        assert organisation.courses.filter(name="Induction", required=True).exists()
        assert organisation.ethogram_codes.filter(key="L-looks", retired_at__isnull=True).exists()
