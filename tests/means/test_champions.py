import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from attunement.means import selectors
from attunement.means.models import Champion
from attunement.means.services import champion_appoint, champion_stand_down
from attunement.organisations.models import AuditEntry, Role, Site

from ..conftest import login
from .conftest import today

LEADERS = (Role.COORDINATOR, Role.MANAGER, Role.ADMINISTRATOR)


@pytest.fixture
def site(world):
    return Site.objects.create(organisation=world.school, name="Upper school")


@pytest.mark.django_db
class TestChampions:
    @pytest.mark.parametrize("role", LEADERS)
    def test_leaders_name_champions_for_a_site_or_the_whole_organisation(self, world, site, role):
        actor = world.members[role]
        for_site = champion_appoint(actor=actor, staff=world.practitioner, site=site)
        whole = champion_appoint(actor=actor, staff=world.coordinator, kind="coordinator")
        assert for_site.started_on == today() and whole.site is None
        rows = selectors.champions(actor=world.practitioner)
        assert {(r["site"], r["name"], r["kind"]) for r in rows} == {
            ("Upper school", str(world.practitioner.user), "Intensive Interaction champion"),
            (None, str(world.coordinator.user), "Intensive Interaction co-ordinator"),
        }
        assert AuditEntry.objects.filter(action="champion.appointed").count() == 2

    @pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.THERAPIST, Role.FAMILY, Role.EXTERNAL])
    def test_others_cannot_name_champions(self, world, role):
        with pytest.raises(PermissionDenied):
            champion_appoint(actor=world.members[role], staff=world.practitioner)
        assert not Champion.objects.exists()

    def test_the_same_champion_twice_is_explained(self, world, site):
        champion_appoint(actor=world.coordinator, staff=world.practitioner, site=site)
        with pytest.raises(ValidationError, match="already the intensive interaction champion for Upper school"):
            champion_appoint(actor=world.coordinator, staff=world.practitioner, site=site)
        assert Champion.objects.count() == 1

    def test_family_members_cannot_be_champions(self, world):
        with pytest.raises(ValidationError, match="not a current member of staff"):
            champion_appoint(actor=world.coordinator, staff=world.members[Role.FAMILY])
        assert not Champion.objects.exists()

    def test_another_organisations_staff_and_sites_are_refused(self, world):
        foreign_site = Site.objects.create(organisation=world.other, name="Their site")
        with pytest.raises(PermissionDenied):
            champion_appoint(actor=world.coordinator, staff=world.other_coordinator)
        with pytest.raises(PermissionDenied):
            champion_appoint(actor=world.coordinator, staff=world.practitioner, site=foreign_site)
        assert not Champion.objects.exists()

    def test_standing_down_keeps_the_record(self, world):
        champion = champion_appoint(actor=world.coordinator, staff=world.practitioner)
        champion_stand_down(actor=world.members[Role.MANAGER], champion=champion)
        champion.refresh_from_db()
        assert champion.ended_on == today()
        assert selectors.champions(actor=world.coordinator) == []
        with pytest.raises(ValidationError, match="already ended"):
            champion_stand_down(actor=world.coordinator, champion=champion)
        with pytest.raises(PermissionDenied):
            champion_stand_down(actor=world.other_coordinator, champion=champion)

    def test_nobody_outside_the_staff_sees_champions(self, world):
        champion_appoint(actor=world.coordinator, staff=world.practitioner)
        assert selectors.champions(actor=world.members[Role.FAMILY]) == []
        assert selectors.champions(actor=world.members[Role.EXTERNAL]) == []
        assert selectors.champions(actor=world.other_coordinator) == []


@pytest.mark.django_db
class TestChampionPages:
    def test_a_leader_names_a_champion_on_the_page_and_staff_see_it(self, world, client, site):
        login(client, world.coordinator)
        response = client.post(
            reverse("means:champions"),
            {"staff": world.practitioner.pk, "kind": "champion", "site": site.pk, "started_on": today().isoformat()},
            follow=True,
        )
        assert "is now the intensive interaction champion" in response.content.decode()
        login(client, world.practitioner)
        page = client.get(reverse("means:champions")).content.decode()
        assert "Upper school" in page and "Stand down" not in page and "Name a champion" not in page
        assert client.post(reverse("means:champions"), {"staff": world.practitioner.pk}).status_code == 403

    def test_a_duplicate_on_the_page_answers_400(self, world, client):
        champion_appoint(actor=world.coordinator, staff=world.practitioner)
        login(client, world.coordinator)
        response = client.post(reverse("means:champions"), {"staff": world.practitioner.pk, "kind": "champion"})
        assert response.status_code == 400 and "already the" in response.content.decode()

    def test_standing_down_on_the_page(self, world, client):
        champion = champion_appoint(actor=world.coordinator, staff=world.practitioner)
        url = reverse("means:champion_end", args=[champion.pk])
        login(client, world.practitioner)
        assert client.post(url).status_code == 403
        login(client, world.other_coordinator)
        assert client.post(url).status_code == 404
        login(client, world.coordinator)
        assert client.get(url).status_code == 405
        client.post(url)
        champion.refresh_from_db()
        assert champion.ended_on == today()
