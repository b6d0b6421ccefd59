import pytest
from django.urls import reverse

from attunement.organisations.models import AuditEntry
from attunement.practice.services import session_record

from ..conftest import details, login


@pytest.mark.django_db
class TestAuditTrail:
    def test_reads_and_writes_appear_with_who_what_and_from_where_and_can_be_filtered(self, world, client):
        session_record(actor=world.practitioner, learner=world.mine, details=details())
        login(client, world.practitioner)
        client.get(reverse("practice:timeline", kwargs={"learner_id": world.mine.pk}), REMOTE_ADDR="10.1.2.3")
        login(client, world.coordinator)
        page = client.get(reverse("audit"), {"person": world.mine.pk}).content.decode()
        assert "looked at: timeline" in page and "added: session" in page
        assert "10.1.2.3" in page and "Mina Test" in page
        other = client.get(reverse("audit"), {"person": world.unassigned.pk}).content.decode()
        assert "looked at: timeline" not in other
        by_user = client.get(reverse("audit"), {"user": world.coordinator.user_id}).content.decode()
        assert "added: session" not in by_user

    def test_only_leaders_read_it_and_never_another_organisations(self, world, client):
        login(client, world.other_coordinator)
        client.get(reverse("learners:about", kwargs={"learner_id": world.foreign.pk}))
        login(client, world.practitioner)
        assert client.get(reverse("audit")).status_code == 403
        login(client, world.coordinator)
        assert "Faro" not in client.get(reverse("audit")).content.decode()
        assert AuditEntry.objects.filter(learner_id=world.foreign.pk).exists()

    def test_an_audit_entry_cannot_be_changed(self, world):
        entry = AuditEntry.objects.create(action="x.read")
        entry.action = "something else"
        with pytest.raises(ValueError):
            entry.save()
