from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from attunement.learners.models import CommunicationProfile, Learner, Plan
from attunement.organisations.models import AuditEntry, Role
from attunement.practice.models import Session
from attunement.practice.services import session_record, session_withdraw
from attunement.privacy.dates import add_years
from attunement.privacy.models import RetentionRun, RetentionSettings
from attunement.privacy.services import legal_hold_place
from attunement.records.retention import plan_for
from attunement.records.services import retention_apply, retention_settings_update

from ..conftest import details
from .conftest import today


def leaves(learner):
    Learner.objects.filter(pk=learner.pk).update(is_active=False)
    learner.refresh_from_db()


def years_on(n, days=1):
    return add_years(today(), n) + timedelta(days=days)


@pytest.fixture
def leaver(world):
    """Una has sessions, a plan and a profile, and left today."""
    session_record(actor=world.coordinator, learner=world.unassigned, details=details(what_happened="Hums"))
    Plan.objects.create(learner=world.unassigned, kind="care")
    CommunicationProfile.objects.filter(learner=world.unassigned).update(what_they_enjoy="Swings")
    leaves(world.unassigned)
    return world.unassigned


@pytest.mark.django_db
class TestRetentionRules:
    def test_nothing_is_due_while_people_are_supported_or_before_their_time(self, world, leaver):
        session_record(actor=world.coordinator, learner=world.mine, details=details())
        counts = plan_for(world.school, today=years_on(5)).counts()
        assert counts["person"] == counts["sessions"] == counts["plans"] == 0

    def test_sessions_go_first_then_the_rest_then_the_person_as_a_whole(self, world, leaver):
        after_six = plan_for(world.school, today=years_on(6)).counts()
        assert after_six["sessions"] == 1 and after_six["plans"] == 0 and after_six["person"] == 0
        after_eight = plan_for(world.school, today=years_on(8)).counts()
        assert after_eight["person"] == 1 and after_eight["plans"] == 1 and after_eight["profiles"] == 1

    def test_the_dry_run_deletes_nothing_and_applying_deletes_what_it_listed(self, world, leaver):
        kept = Session.objects.exclude(learner=leaver).count()
        dry = dict((plan.organisation, counts) for plan, counts in retention_apply(today=years_on(6)))
        assert dry[world.school]["sessions"] == 1 and dry[world.other]["sessions"] == 0
        assert Session.objects.filter(learner=leaver).exists()
        applied = dict(
            (plan.organisation, counts) for plan, counts in retention_apply(today=years_on(6), dry_run=False)
        )
        assert applied[world.school] == dry[world.school]
        assert not Session.objects.filter(learner=leaver).exists()
        assert Session.objects.count() == kept and Learner.objects.filter(pk=leaver.pk).exists()
        assert RetentionRun.objects.filter(organisation=world.school, applied=True).exists()
        again = dict((plan.organisation, counts) for plan, counts in retention_apply(today=years_on(6), dry_run=False))
        assert not any(again[world.school].values()), "a second run the same day deletes nothing more"

    def test_a_withdrawn_session_is_deleted_on_time_like_any_other(self, world, leaver):
        withdrawn = session_record(actor=world.coordinator, learner=leaver, details=details(what_happened="Twice"))
        session_withdraw(actor=world.coordinator, session=withdrawn.session, reason="Recorded twice")
        assert plan_for(world.school, today=years_on(6)).counts()["sessions"] == 2
        retention_apply(today=years_on(6), dry_run=False)
        assert not Session.every_record.filter(learner=leaver).exists()

    def test_the_whole_person_goes_with_their_audit_entries_leaving_one_nameless_entry(self, world, leaver):
        leaver_id = leaver.pk
        retention_apply(today=years_on(8), dry_run=False)
        assert not Learner.objects.filter(pk=leaver_id).exists()
        left = AuditEntry.objects.filter(target_type="Learner", target_id=leaver_id)
        assert [e.action for e in left] == ["retention.person_deleted"]
        assert not AuditEntry.objects.filter(learner_id=leaver_id).exists()

    def test_nothing_about_a_child_goes_before_their_25th_birthday(self, world, leaver):
        Learner.objects.filter(pk=leaver.pk).update(date_of_birth=add_years(today(), -10))
        before = plan_for(world.school, today=years_on(14, days=0)).counts()
        assert before["person"] == before["sessions"] == before["plans"] == 0
        after = plan_for(world.school, today=years_on(15, days=0)).counts()
        assert after["person"] == 1 and after["sessions"] == 1

    def test_a_legal_hold_stops_all_deletion(self, world, leaver):
        legal_hold_place(actor=world.coordinator, learner=leaver, reason="Claim")
        plan = plan_for(world.school, today=years_on(30))
        assert plan.held == 1 and plan.counts()["person"] == 0 and plan.counts()["sessions"] == 0
        retention_apply(today=years_on(30), dry_run=False)
        assert Session.objects.filter(learner=leaver).exists()
        assert AuditEntry.objects.filter(learner_id=leaver.pk).exists()

    def test_old_audit_entries_go_after_their_own_period(self, world):
        session_record(actor=world.coordinator, learner=world.mine, details=details())
        assert plan_for(world.school, today=years_on(7)).counts()["audit"] == 0
        assert plan_for(world.school, today=years_on(8)).counts()["audit"] > 0

    def test_the_organisations_own_settings_are_used(self, world, leaver):
        retention_settings_update(actor=world.coordinator, sessions_years=2)
        assert plan_for(world.school, today=years_on(2)).counts()["sessions"] == 1

    def test_the_command_reports_first_and_deletes_only_when_asked(self, world, leaver, monkeypatch):
        import attunement.records.services as services

        real = services.plans_for_all
        monkeypatch.setattr(services, "plans_for_all", lambda today=None: real(today=years_on(6)))
        out = StringIO()
        call_command("retention_run", "--dry-run", stdout=out)
        report = out.getvalue()
        assert "nothing has been deleted" in report and "Test School" in report and "Sessions" in report
        assert Session.objects.filter(learner=leaver).exists()
        out = StringIO()
        call_command("retention_run", "--apply", stdout=out)
        assert "Deleted:" in out.getvalue()
        assert not Session.objects.filter(learner=leaver).exists()

    def test_the_scheduled_task_applies_the_rules(self, world, leaver, monkeypatch):
        import attunement.records.services as services
        from attunement.records.tasks import retention_run

        real = services.plans_for_all
        monkeypatch.setattr(services, "plans_for_all", lambda today=None: real(today=years_on(6)))
        result = retention_run.call()
        assert result[str(world.school.pk)]["sessions"] == 1
        assert not Session.objects.filter(learner=leaver).exists()


@pytest.mark.django_db
class TestRetentionSettings:
    def test_defaults_until_changed_then_saved_and_audited(self, world):
        assert plan_for(world.school).settings.person_years == 8
        settings = retention_settings_update(actor=world.members[Role.ADMINISTRATOR], audit_years=10, sessions_years=3)
        assert RetentionSettings.objects.get(organisation=world.school).audit_years == 10
        assert settings.person_years == 8 and settings.sessions_years == 3
        assert AuditEntry.objects.filter(action="retention.settings_changed").exists()

    @pytest.mark.parametrize(
        ("change", "field", "words"),
        [
            ({"sessions_years": 0}, "sessions_years", "from 1 to 50"),
            ({"audit_years": 51}, "audit_years", "from 1 to 50"),
            ({"sessions_years": 9}, "sessions_years", "cannot be kept longer than the person as a whole (8 years)"),
            ({"person_years": 5}, "reviews_years", "Please choose 5 years or fewer"),
        ],
    )
    def test_bad_values_are_refused_in_plain_words_and_nothing_is_saved(self, world, change, field, words):
        with pytest.raises(ValidationError) as error:
            retention_settings_update(actor=world.coordinator, **change)
        assert words in " ".join(error.value.message_dict[field])
        assert not RetentionSettings.objects.exists()

    @pytest.mark.parametrize("role", [Role.MANAGER, Role.PRACTITIONER, Role.FAMILY, Role.THERAPIST])
    def test_only_coordinators_and_administrators_change_them(self, world, role):
        with pytest.raises(PermissionDenied):
            retention_settings_update(actor=world.members[role], sessions_years=2)
