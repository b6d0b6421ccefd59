"""The database expression for "consent in force" gives what the pure rule gives, on generated histories.

`consent_rules.allows` is the specification. Each example records a few consents for a few people (several
purposes, the same start date more than once, withdrawals before, on and after the start, reviews long overdue)
and asks both, for every person and purpose, on every day where the answer could change.
"""

from datetime import date, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from attunement.learners.models import Learner
from attunement.organisations.models import Setting
from attunement.privacy import consent_rules
from attunement.privacy.consent_sql import consent_in_force
from attunement.privacy.models import Consent, GivenBy, Purpose
from attunement.setup.services import organisation_create

PEOPLE = 3
BASE = date(2026, 1, 1)
GRACE = consent_rules.REVIEW_GRACE_DAYS

# Narrow ranges, so that start dates collide and reviews, withdrawals and grace periods overlap.
offsets = st.integers(0, 60)
consent_records = st.fixed_dictionaries(
    {
        "person": st.integers(0, PEOPLE - 1),
        "purpose": st.sampled_from([Purpose.VIDEO, Purpose.TRAINING, Purpose.REPORTS]),
        "given_by": st.sampled_from(GivenBy.values),
        "starts": offsets,
        "review_after": st.integers(-5, 40),
        "withdrawn_after": st.none() | st.integers(-5, 150),
    }
)


def _consent(person=0, purpose=Purpose.VIDEO, starts=0, review_after=30, withdrawn_after=None):
    return {
        "person": person,
        "purpose": purpose,
        "given_by": GivenBy.PARENT,
        "starts": starts,
        "review_after": review_after,
        "withdrawn_after": withdrawn_after,
    }


def _days_to_ask(records: list[Consent], extra: list[date]) -> set[date]:
    """The days on which some consent starts, is withdrawn or expires, each with the day before (where the
    answer may change), and a few drawn ones."""
    days = set(extra)
    for record in records:
        edges = [record.starts_on, consent_rules.expires_on(record)]
        if record.withdrawn_on is not None:
            edges.append(record.withdrawn_on)
        for edge in edges:
            days.update({edge - timedelta(days=1), edge})
    return days


@pytest.fixture
def people(db):
    organisation = organisation_create(name="Consent School", setting=Setting.SCHOOL)
    return [
        Learner.objects.create(organisation=organisation, first_name=f"P{n}", last_name="Test") for n in range(PEOPLE)
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    drawn=st.lists(consent_records, max_size=8),
    extra_days=st.lists(st.builds(lambda n: BASE + timedelta(days=n), st.integers(-10, 260)), max_size=3),
)
# Two consents starting the same day: the one recorded later counts, withdrawn or not.
@example(drawn=[_consent(), _consent(withdrawn_after=3)], extra_days=[])
@example(drawn=[_consent(withdrawn_after=3), _consent()], extra_days=[])
# A newer consent that has expired hides an older one still in force; another person's consent does not count.
@example(drawn=[_consent(review_after=200), _consent(starts=5, review_after=-5), _consent(person=1)], extra_days=[])
def test_the_database_and_the_rule_agree_for_every_person_purpose_and_day(people, drawn, extra_days):
    with transaction.atomic():
        for item in drawn:
            starts = BASE + timedelta(days=item["starts"])
            withdrawn = item["withdrawn_after"]
            Consent.objects.create(
                learner=people[item["person"]],
                purpose=item["purpose"],
                given_by=item["given_by"],
                starts_on=starts,
                review_on=starts + timedelta(days=item["review_after"]),
                withdrawn_on=None if withdrawn is None else starts + timedelta(days=withdrawn),
            )
        records = list(Consent.objects.filter(learner__in=people))
        for day in sorted(_days_to_ask(records, extra_days)):
            in_database = {
                (person.pk, purpose)
                for person in Learner.objects.filter(pk__in=[p.pk for p in people]).annotate(
                    **{purpose: consent_in_force(purpose, day) for purpose in Purpose.values}
                )
                for purpose in Purpose.values
                if getattr(person, purpose)
            }
            by_rule = {
                (person.pk, purpose)
                for person in people
                for purpose in Purpose.values
                if consent_rules.allows([r for r in records if r.learner_id == person.pk and r.purpose == purpose], day)
            }
            assert in_database == by_rule, f"on {day}"
        transaction.set_rollback(True)


def test_an_unknown_purpose_is_refused():
    with pytest.raises(ValueError):
        consent_in_force("gossip", BASE)
