from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from attunement.organisations.models import AuditEntry, Role
from attunement.privacy import hooks
from attunement.privacy.consent_rules import REVIEW_GRACE_DAYS, Status
from attunement.privacy.models import Consent, Purpose
from attunement.privacy.selectors import consent_allows, consent_get, consent_history, consent_status
from attunement.privacy.services import consent_withdraw

from .conftest import a_consent, today


@pytest.fixture
def handler_calls():
    calls = []

    def handler(learner_id, purpose):
        calls.append((learner_id, purpose))
        return 2

    hooks.on_consent_withdrawn(handler)
    yield calls
    hooks.forget_handler(handler)


@pytest.mark.django_db
class TestRecordingConsent:
    def test_a_recorded_consent_allows_its_purpose_only_from_its_start(self, world):
        consent = a_consent(world, starts=-10)
        assert consent_allows(world.mine, Purpose.VIDEO)
        assert not consent_allows(world.mine, Purpose.VIDEO, on=today() - timedelta(days=11))
        assert not consent_allows(world.mine, Purpose.RESEARCH)
        assert not consent_allows(world.unassigned, Purpose.VIDEO)
        entry = AuditEntry.objects.get(action="consent.recorded")
        assert entry.learner_id == world.mine.pk and entry.target_id == consent.pk

    def test_a_passed_review_date_still_allows_but_says_review_due_until_the_grace_ends(self, world):
        a_consent(world, starts=-400, review=-5)
        assert consent_allows(world.mine, "video")
        video = next(p for p in consent_status(world.mine) if p.purpose == "video")
        assert video.status == Status.REVIEW_DUE and video.allows
        later = today() + timedelta(days=REVIEW_GRACE_DAYS)
        assert not consent_allows(world.mine, "video", on=later)
        assert next(p for p in consent_status(world.mine, on=later) if p.purpose == "video").status == Status.EXPIRED

    def test_status_covers_every_purpose_even_with_no_consent(self, world):
        statuses = consent_status(world.mine)
        assert [p.purpose for p in statuses] == Purpose.values
        assert all(p.status is None and not p.allows for p in statuses)

    def test_a_best_interests_decision_needs_the_decision_makers_name_and_role(self, world):
        with pytest.raises(ValidationError) as error:
            a_consent(world, given_by="best_interests", giver_name="", decision_maker_role="")
        messages = error.value.message_dict
        assert "best-interests decision" in messages["giver_name"][0]
        assert "decision-maker's role" in messages["decision_maker_role"][0]
        assert not Consent.objects.exists()
        consent = a_consent(world, given_by="best_interests", giver_name="Sam Lee", decision_maker_role="Care manager")
        assert consent.decision_maker_role == "Care manager"

    def test_a_parent_must_be_named_and_the_person_themselves_need_not_be(self, world):
        with pytest.raises(ValidationError, match="parent or guardian"):
            a_consent(world, given_by="parent", giver_name="  ")
        consent = a_consent(world, given_by="person", giver_name="ignored", decision_maker_role="ignored")
        assert consent.giver_name == "" and consent.decision_maker_role == ""

    @pytest.mark.parametrize(
        ("change", "field", "words"),
        [
            ({"review": -1}, "review_on", "after the start date"),
            ({"review": 0}, "review_on", "after the start date"),
            ({"review": 6 * 366}, "review_on", "within 5 years"),
            ({"starts": 800, "review": 900}, "starts_on", "more than a year away"),
            ({"purpose": "marketing"}, "purpose", "from the list"),
            ({"given_by": "neighbour"}, "given_by", "from the list"),
            ({"note": "x" * 501}, "note", "under 500"),
        ],
    )
    def test_bad_input_is_refused_in_plain_words_and_nothing_is_saved(self, world, change, field, words):
        with pytest.raises(ValidationError) as error:
            a_consent(world, **change)
        assert words in " ".join(error.value.message_dict[field])
        assert not Consent.objects.exists()

    def test_a_start_before_the_person_was_born_is_refused(self, world):
        world.mine.date_of_birth = today() - timedelta(days=30)
        world.mine.save()
        with pytest.raises(ValidationError, match="before the person was born"):
            a_consent(world, starts=-60)

    @pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.THERAPIST, Role.FAMILY, Role.EXTERNAL])
    def test_only_organisation_wide_roles_record_consent(self, world, role):
        with pytest.raises(PermissionDenied):
            a_consent(world, actor=world.members[role])
        assert not Consent.objects.exists()

    @pytest.mark.parametrize("role", [Role.COORDINATOR, Role.MANAGER, Role.ADMINISTRATOR])
    def test_coordinators_managers_and_administrators_record_consent(self, world, role):
        a_consent(world, actor=world.members[role])

    def test_nobody_records_consent_for_another_organisations_person(self, world):
        with pytest.raises(PermissionDenied):
            a_consent(world, learner=world.foreign)

    def test_a_new_consent_replaces_the_old_one_which_stays_in_the_history(self, world):
        old = a_consent(world, starts=-100, review=200)
        new = a_consent(world, starts=-1, review=300, given_by="person")
        rows = {row.consent.pk: row for row in consent_history(actor=world.practitioner, learner=world.mine)}
        assert rows[old.pk].status == Status.REPLACED and not rows[old.pk].may_withdraw
        assert rows[new.pk].status == Status.CURRENT
        assert consent_allows(world.mine, "video")


@pytest.mark.django_db
class TestWithdrawingConsent:
    def test_withdrawal_stops_the_purpose_at_once_and_queues_the_media_clean_up(
        self, world, handler_calls, django_capture_on_commit_callbacks
    ):
        consent = a_consent(world, starts=-30)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            consent_withdraw(actor=world.coordinator, consent=consent, withdrawn_on=today(), note="Mum rang")
        assert len(callbacks) == 1
        assert not consent_allows(world.mine, "video")
        assert consent_allows(world.mine, "video", on=today() - timedelta(days=1))
        consent.refresh_from_db()
        assert consent.withdrawn_on == today() and consent.withdrawn_recorded_by_id == world.coordinator.user_id
        assert consent.withdrawal_note == "Mum rang"
        assert handler_calls == [(world.mine.pk, "video")]
        assert consent.media_checked_at is not None and consent.media_items_removed == 2
        assert AuditEntry.objects.filter(
            action="consent.media_cleanup_checked", learner_id=world.mine.pk, target_id=consent.pk
        ).exists()
        assert AuditEntry.objects.filter(action="consent.withdrawn", target_id=consent.pk).exists()

    def test_the_clean_up_does_nothing_if_consent_was_given_again(self, world, handler_calls):
        from attunement.privacy.tasks import media_withdrawn_consent_cleanup

        consent = a_consent(world, starts=-30)
        consent_withdraw(actor=world.coordinator, consent=consent, withdrawn_on=today())
        a_consent(world, starts=0)
        result = media_withdrawn_consent_cleanup.call(learner_id=world.mine.pk, purpose="video")
        assert result["checked"] is False and handler_calls == []

    def test_the_clean_up_is_safe_to_run_twice_and_after_erasure(self, world, handler_calls):
        from attunement.privacy.tasks import media_withdrawn_consent_cleanup

        consent = a_consent(world, starts=-30)
        consent_withdraw(actor=world.coordinator, consent=consent, withdrawn_on=today())
        media_withdrawn_consent_cleanup.call(learner_id=world.mine.pk, purpose="video")
        media_withdrawn_consent_cleanup.call(learner_id=world.mine.pk, purpose="video")
        consent.refresh_from_db()
        assert consent.media_items_removed == 4
        assert media_withdrawn_consent_cleanup.call(learner_id=999999, purpose="video")["checked"] is False

    def test_withdrawing_also_withdraws_a_consent_due_to_start_later(self, world):
        current = a_consent(world, starts=-30)
        later = a_consent(world, starts=30, review=400)
        consent_withdraw(actor=world.coordinator, consent=current, withdrawn_on=today())
        later.refresh_from_db()
        assert later.withdrawn_on == later.starts_on
        assert not consent_allows(world.mine, "video", on=today() + timedelta(days=60))

    def test_withdrawing_twice_or_in_the_future_or_before_the_start_is_refused(self, world):
        consent = a_consent(world, starts=-30)
        with pytest.raises(ValidationError, match="cannot be in the future"):
            consent_withdraw(actor=world.coordinator, consent=consent, withdrawn_on=today() + timedelta(days=1))
        with pytest.raises(ValidationError, match="before this consent started"):
            consent_withdraw(actor=world.coordinator, consent=consent, withdrawn_on=today() - timedelta(days=31))
        with pytest.raises(ValidationError, match="give the date"):
            consent_withdraw(actor=world.coordinator, consent=consent, withdrawn_on=None)
        consent.refresh_from_db()
        assert consent.withdrawn_on is None
        consent_withdraw(actor=world.coordinator, consent=consent, withdrawn_on=today())
        with pytest.raises(ValidationError, match="already withdrawn"):
            consent_withdraw(actor=world.coordinator, consent=consent, withdrawn_on=today())

    def test_a_replaced_consent_cannot_be_withdrawn_on_its_own(self, world):
        old = a_consent(world, starts=-100)
        a_consent(world, starts=-1)
        with pytest.raises(ValidationError, match="replaced"):
            consent_withdraw(actor=world.coordinator, consent=old, withdrawn_on=today())

    def test_a_practitioner_cannot_withdraw_and_another_organisation_cannot_see_it(self, world):
        consent = a_consent(world)
        with pytest.raises(PermissionDenied):
            consent_withdraw(actor=world.practitioner, consent=consent, withdrawn_on=today())
        with pytest.raises(PermissionDenied):
            consent_withdraw(actor=world.other_coordinator, consent=consent, withdrawn_on=today())
        with pytest.raises(Consent.DoesNotExist):
            consent_get(actor=world.other_coordinator, learner=world.mine, consent_id=consent.pk)
        assert consent_get(actor=world.practitioner, learner=world.mine, consent_id=consent.pk) == consent
        consent.refresh_from_db()
        assert consent.withdrawn_on is None
