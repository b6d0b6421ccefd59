import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse

from attunement.learners.models import Learner
from attunement.organisations.models import AuditEntry, Role
from attunement.privacy.models import Consent, LegalHold, RetentionSettings
from attunement.records.services import retention_edit_token

from ..conftest import login, shown
from .conftest import a_consent, today


def url(name, learner, **kwargs):
    app = "records" if name in ("export", "erase") else "privacy"
    return reverse(f"{app}:{name}", kwargs={"learner_id": learner.pk, **kwargs})


def consent_post(**overrides):
    data = {
        "purpose": "video",
        "given_by": "best_interests",
        "giver_name": "Sam Lee",
        "decision_maker_role": "Care manager",
        "starts_on": today().isoformat(),
        "review_on": (today() + timedelta(days=365)).isoformat(),
        "note": "Form in the office file",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
class TestConsentPages:
    def test_a_coordinator_records_a_consent_and_sees_it_current(self, world, client):
        login(client, world.coordinator)
        response = client.post(url("consent_create", world.mine), consent_post(), follow=True)
        assert response.redirect_chain[-1][0] == url("consents", world.mine)
        page = response.content.decode()
        assert "The consent is recorded." in page and "Current" in page and "Sam Lee" in page and "Care manager" in page
        assert Consent.objects.get().given_by == "best_interests"

    @pytest.mark.parametrize(
        ("change", "words"),
        [
            ({"decision_maker_role": ""}, "decision-maker&#x27;s role"),
            ({"review_on": "2000-01-01"}, "after the start date"),
            ({"starts_on": ""}, "This field is required"),
            ({"starts_on": "31/02/2026"}, "Enter a valid date"),
            ({"purpose": "marketing"}, "Select a valid choice"),
        ],
    )
    def test_bad_input_shows_a_plain_message_and_saves_nothing(self, world, client, change, words):
        login(client, world.coordinator)
        response = client.post(url("consent_create", world.mine), consent_post(**change))
        page = response.content.decode()
        assert response.status_code == 400
        assert "Nothing was saved" in page and words in page
        assert "Form in the office file" in page
        assert not Consent.objects.exists()

    def test_an_assigned_practitioner_sees_consent_but_cannot_change_it(self, world, client):
        consent = a_consent(world)
        login(client, world.practitioner)
        page = client.get(url("consents", world.mine)).content.decode()
        assert "Sharing with family" in page and "Ruth Test" in page
        assert "Record a consent" not in page and "Withdraw" not in page and "Erase" not in page
        assert client.get(url("consent_create", world.mine)).status_code == 403
        assert client.post(url("consent_create", world.mine), consent_post()).status_code == 403
        assert client.post(url("consent_withdraw", world.mine, consent_id=consent.pk)).status_code == 403
        assert AuditEntry.objects.filter(action="consents.read", learner_id=world.mine.pk).exists()

    def test_family_and_external_viewers_do_not_see_the_consent_pages(self, world, client):
        for role in (Role.FAMILY, Role.EXTERNAL):
            login(client, world.members[role])
            assert client.get(url("consents", world.mine)).status_code in (403, 404)

    def test_another_organisation_or_an_unassigned_person_is_not_found(self, world, client):
        consent = a_consent(world)
        login(client, world.other_coordinator)
        assert client.get(url("consents", world.mine)).status_code == 404
        assert client.post(url("consent_withdraw", world.mine, consent_id=consent.pk)).status_code == 404
        login(client, world.practitioner)
        assert client.get(url("consents", world.unassigned)).status_code == 404

    def test_a_consent_is_only_found_under_its_own_person(self, world, client):
        consent = a_consent(world)
        login(client, world.coordinator)
        assert client.get(url("consent_withdraw", world.unassigned, consent_id=consent.pk)).status_code == 404

    def test_withdrawing_from_the_page(self, world, client):
        consent = a_consent(world, starts=-10)
        login(client, world.members[Role.MANAGER])
        page = client.get(url("consents", world.mine)).content.decode()
        assert url("consent_withdraw", world.mine, consent_id=consent.pk) in page
        future = client.post(
            url("consent_withdraw", world.mine, consent_id=consent.pk),
            {"withdrawn_on": (today() + timedelta(days=3)).isoformat()},
        )
        assert future.status_code == 400 and "cannot be in the future" in future.content.decode()
        response = client.post(
            url("consent_withdraw", world.mine, consent_id=consent.pk),
            {"withdrawn_on": today().isoformat(), "note": "Said no at the review"},
            follow=True,
        )
        page = response.content.decode()
        assert "is withdrawn" in page and "Withdrawn" in page and "Said no at the review" in page
        consent.refresh_from_db()
        assert consent.withdrawn_on == today()
        again = client.post(url("consent_withdraw", world.mine, consent_id=consent.pk), {"withdrawn_on": today()})
        assert again.status_code == 400 and "already withdrawn" in again.content.decode()


@pytest.mark.django_db
class TestHoldExportAndErasurePages:
    def test_placing_and_lifting_a_legal_hold(self, world, client):
        login(client, world.coordinator)
        empty = client.post(url("legal_hold", world.mine), {"action": "place", "reason": " "})
        assert empty.status_code == 400 and not LegalHold.objects.exists()
        client.post(url("legal_hold", world.mine), {"action": "place", "reason": "Complaint under way"})
        assert "Complaint under way" in client.get(url("consents", world.mine)).content.decode()
        erase_page = client.get(url("erase", world.mine)).content.decode()
        assert "nothing can be erased" in erase_page
        client.post(url("legal_hold", world.mine), {"action": "lift"})
        assert LegalHold.objects.get().lifted_at is not None
        login(client, world.practitioner)
        assert client.get(url("legal_hold", world.mine)).status_code == 403

    def test_the_export_downloads_a_zip_and_is_audited(self, world, client):
        login(client, world.coordinator)
        assert "Download the zip file" in client.get(url("export", world.mine)).content.decode()
        response = client.post(url("export", world.mine))
        assert response.status_code == 200 and response["Content-Type"] == "application/zip"
        assert "attachment" in response["Content-Disposition"] and "Mina" not in response["Content-Disposition"]
        assert response["Cache-Control"] == "no-store"
        assert "data.json" in zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
        assert AuditEntry.objects.filter(action="learner.subject_access_exported").count() == 1

    @pytest.mark.parametrize("role", [Role.MANAGER, Role.PRACTITIONER, Role.THERAPIST])
    def test_other_roles_may_not_export_or_erase(self, world, client, role):
        login(client, world.members[role])
        for name in ("export", "erase"):
            assert client.get(url(name, world.mine)).status_code == 403
            assert client.post(url(name, world.mine), {"typed_name": "Mina Test"}).status_code == 403
        assert Learner.objects.filter(pk=world.mine.pk).exists()

    def test_erasure_needs_the_name_typed_and_then_erases(self, world, client):
        login(client, world.members[Role.ADMINISTRATOR])
        wrong = client.post(url("erase", world.mine), {"typed_name": "Mina"})
        assert wrong.status_code == 400 and "does not match" in wrong.content.decode()
        assert Learner.objects.filter(pk=world.mine.pk).exists()
        response = client.post(url("erase", world.mine), {"typed_name": "Mina Test"}, follow=True)
        assert response.redirect_chain[-1][0] == reverse("learners:list")
        assert "has been erased" in response.content.decode()
        assert not Learner.objects.filter(pk=world.mine.pk).exists()

    def test_nobody_reaches_another_organisations_person(self, world, client):
        login(client, world.coordinator)
        for name in ("consents", "consent_create", "legal_hold", "export", "erase"):
            assert client.get(url(name, world.foreign)).status_code == 404
            assert client.post(url(name, world.foreign), {"typed_name": "Faro Test"}).status_code == 404
        assert Learner.objects.filter(pk=world.foreign.pk).exists()


@pytest.mark.django_db
class TestRetentionPage:
    def test_a_coordinator_sees_the_dry_run_and_changes_the_settings(self, world, client):
        Learner.objects.filter(pk=world.unassigned.pk).update(is_active=False)
        login(client, world.coordinator)
        page = client.get(reverse("records:retention")).content.decode()
        assert "What the next run would delete" in page and "The person as a whole" in page
        opened = re.search(r'name="version" value="(\w+)"', page).group(1)
        response = client.post(
            reverse("records:retention"),
            {
                "sessions_years": "3",
                "reviews_years": "8",
                "profile_years": "8",
                "plans_years": "8",
                "person_years": "8",
                "audit_years": "6",
                "version": opened,
            },
            follow=True,
        )
        assert "The retention settings are saved." in response.content.decode()
        assert RetentionSettings.objects.get(organisation=world.school).sessions_years == 3

    def test_bad_settings_show_a_plain_message_and_save_nothing(self, world, client):
        login(client, world.members[Role.ADMINISTRATOR])
        response = client.post(
            reverse("records:retention"),
            {
                "sessions_years": "12",
                "reviews_years": "8",
                "profile_years": "8",
                "plans_years": "8",
                "person_years": "8",
                "audit_years": "abc",
            },
        )
        page = response.content.decode()
        assert response.status_code == 400 and "Enter a whole number" in page
        response = client.post(
            reverse("records:retention"),
            {
                "sessions_years": "12",
                "reviews_years": "8",
                "profile_years": "8",
                "plans_years": "8",
                "person_years": "8",
                "audit_years": "8",
                "version": retention_edit_token(RetentionSettings(organisation=world.school)),
            },
        )
        assert response.status_code == 400 and "cannot be kept longer than the person" in response.content.decode()
        assert not RetentionSettings.objects.exists()

    @pytest.mark.parametrize("role", [Role.MANAGER, Role.PRACTITIONER, Role.FAMILY, Role.THERAPIST, Role.EXTERNAL])
    def test_other_roles_may_not_see_it(self, world, client, role):
        login(client, world.members[role])
        assert client.get(reverse("records:retention")).status_code == 403
        assert client.post(reverse("records:retention"), {"sessions_years": "1"}).status_code == 403

    def test_it_never_shows_another_organisation(self, world, client):
        Learner.objects.filter(pk=world.foreign.pk).update(is_active=False)
        login(client, world.coordinator)
        page = shown(client.get(reverse("records:retention")))
        assert "Faro" not in page and "Other Service" not in page
