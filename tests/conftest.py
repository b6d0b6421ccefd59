import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from attunement.accounts.two_factor import enrol_authenticator
from attunement.learners.models import Assignment, CommunicationProfile, Learner
from attunement.organisations.models import Role, Setting
from attunement.organisations.services import membership_add
from attunement.practice.services import SessionDetails
from attunement.setup.services import organisation_create

# Machines running the tests can be busy: a generated example's time is no measure of anything here, so no
# property test fails for taking long (speed is measured by the scripts in bench/).
hypothesis_settings.register_profile(
    "busy_machine", deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
hypothesis_settings.load_profile("busy_machine")

PASSWORD = "a-long-test-password"
TOTP_SECRET = "JBSWY3DPEHPK3PXPTESTSECRETKEYABC"

# A test that uses one of these starts a real web server (and Chromium) in the test run: it is an `e2e` test,
# slow and left out by `pytest -m "not e2e"`. Tests that start the whole service are marked where they are.
REAL_SERVER_FIXTURES = frozenset({"live_server", "browser"})


@pytest.hookimpl(tryfirst=True)  # before `-m` chooses the tests
def pytest_collection_modifyitems(items):
    for item in items:
        if REAL_SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def _fast_test_settings(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class World:
    """Two organisations with staff in each role and a few learners, built the way the app builds them."""

    def __init__(self):
        self.school = organisation_create(name="Test School", setting=Setting.SCHOOL)
        self.other = organisation_create(name="Other Service", setting=Setting.ADULT_SERVICE)
        self.members = {}
        for role in Role.values:
            self.members[role] = self.member(self.school, role)
        self.coordinator = self.members[Role.COORDINATOR]
        self.practitioner = self.members[Role.PRACTITIONER]
        self.other_coordinator = self.member(self.other, Role.COORDINATOR, name="othercoord")
        self.mine = self.learner(
            self.school, "Mina", assign=[self.practitioner, self.members[Role.THERAPIST], self.members[Role.FAMILY]]
        )
        self.unassigned = self.learner(self.school, "Una")
        self.foreign = self.learner(self.other, "Faro", assign=[self.other_coordinator])

    def member(self, organisation, role, name=None):
        name = name or role
        user = get_user_model().objects.create_user(
            email=f"{name}@{organisation.pk}.example", password=PASSWORD, first_name=name.title()
        )
        if role in settings.MFA_REQUIRED_ROLES:
            enrol_authenticator(user, TOTP_SECRET)
        return membership_add(organisation=organisation, user=user, role=role)

    def learner(self, organisation, first_name, assign=()):
        learner = Learner.objects.create(organisation=organisation, first_name=first_name, last_name="Test")
        CommunicationProfile.objects.create(learner=learner)
        for membership in assign:
            Assignment.objects.create(learner=learner, user=membership.user)
        return learner


@pytest.fixture
def world(db):
    return World()


def details(**overrides) -> SessionDetails:
    values = {"started_at": timezone.now() - timedelta(minutes=20), "minutes": 12, "place": "Sensory room"}
    values.update(overrides)
    return SessionDetails(**values)


def login(client, membership):
    client.force_login(membership.user)
    return client


def shown(response) -> str:
    """The page's text without its forms' random token: letters and digits, which can spell a name by chance."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
