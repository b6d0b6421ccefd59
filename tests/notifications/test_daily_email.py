"""The daily e-mail, sent through a real SMTP server started in the test and read back from it."""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from attunement.learners.models import Assignment, Learner
from attunement.notifications.models import Channel, DigestSent, Kind, Preference
from attunement.notifications.services import digest_send, digest_send_all
from attunement.notifications.tasks import daily_digest
from attunement.organisations.models import AuditEntry, Role
from attunement.practice.services import home_observation_add

NOTE = "She laughed when Grandad sang the bath song and reached for his hand"


def note_from_home(world, text=NOTE, days_ago=0):
    return home_observation_add(
        actor=world.members[Role.FAMILY],
        learner=world.mine,
        observed_on=timezone.localdate() - timedelta(days=days_ago),
        text=text,
    )


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


@pytest.mark.django_db
def test_the_daily_email_arrives_once_says_whose_and_what_kind_and_never_the_note(world, inbox):
    Preference.objects.create(membership=world.practitioner, kind=Kind.TRAINING, channel=Channel.APP)
    note_from_home(world)
    digest_send_all()
    [message] = inbox.to(world.practitioner.user.email)
    text = body(message)
    assert "A note from home about Mina." in text
    assert "Sign in to read more: https://attunement.example/notifications/" in text
    assert "Grandad" not in text and "bath" not in text and NOTE not in message.as_string()
    assert "Mina Test" not in text  # the first name only
    assert message["Subject"] == "Attunement: 1 new thing for you"
    # nobody outside the person's team, and not the family member who wrote it
    for outsider in (world.other_coordinator, world.members[Role.FAMILY]):
        assert not any("Mina" in body(message) for message in inbox.to(outsider.user.email))
    # a second run the same day sends nothing more to anyone
    before = len(inbox.envelopes)
    assert digest_send_all() == 0
    assert len(inbox.envelopes) == before
    assert DigestSent.objects.filter(membership=world.practitioner).count() == 1
    assert AuditEntry.objects.filter(action="notifications.digest_sent", actor=None).exists()


@pytest.mark.django_db
def test_the_unsubscribe_link_works_signed_out_and_one_click_then_nothing_more_is_sent(world, inbox):
    note_from_home(world)
    digest_send_all()
    [message] = inbox.to(world.practitioner.user.email)
    header = message["List-Unsubscribe"].strip()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.search(r"Stop these e-mails: (\S+)", body(message)).group(1)
    assert header == f"<{link}>" and link.startswith("https://attunement.example/notifications/unsubscribe/")
    path = link.removeprefix("https://attunement.example")

    signed_out = Client(enforce_csrf_checks=True)
    page = signed_out.get(path)
    assert page.status_code == 200 and "Stop the daily e-mail?" in page.content.decode()
    assert Preference.objects.filter(membership=world.practitioner).count() == 0  # opening the link changed nothing
    # what a mail program sends for one click (RFC 8058): a POST with this body and no cookie or token
    done = signed_out.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert done.status_code == 200 and "You will get no more daily e-mails" in done.content.decode()
    assert set(Preference.objects.filter(membership=world.practitioner).values_list("channel", flat=True)) == {
        Channel.APP
    }

    # the next day something new happens: still shown in the app, never mailed
    tomorrow = timezone.localdate() + timedelta(days=1)
    note_from_home(world, text="Another quiet evening")
    before = len(inbox.to(world.practitioner.user.email))
    digest_send_all(today=tomorrow)
    assert len(inbox.to(world.practitioner.user.email)) == before == 1


@pytest.mark.django_db
def test_a_broken_unsubscribe_link_changes_nothing_and_says_so(world, client):
    response = client.post("/notifications/unsubscribe/not-a-real-token/")
    assert response.status_code == 400 and "This link does not work" in response.content.decode()
    assert not Preference.objects.exists()


@pytest.mark.django_db
def test_the_next_days_email_tells_only_what_is_new(world, inbox):
    note_from_home(world)
    assert digest_send(membership=world.practitioner) is True
    today = timezone.localdate()
    assert digest_send(membership=world.practitioner, today=today + timedelta(days=1)) is False  # nothing new
    note_from_home(world, text="Slept well after swimming")
    assert digest_send(membership=world.practitioner, today=today + timedelta(days=1)) is True
    first, second = inbox.to(world.practitioner.user.email)
    assert body(second).count("A note from home about Mina.") == 1  # the new note only


@pytest.mark.django_db
def test_only_the_kinds_chosen_for_email_are_mailed(world, inbox):
    Preference.objects.create(membership=world.practitioner, kind=Kind.HOME_NOTES, channel=Channel.APP)
    note_from_home(world)
    digest_send_all()
    assert not any("note from home" in body(message) for message in inbox.to(world.practitioner.user.email))
    [therapists] = inbox.to(world.members[Role.THERAPIST].user.email)  # who did not change the default
    assert "A note from home about Mina." in body(therapists)


@pytest.mark.django_db
def test_a_failed_send_is_tried_again_by_the_next_run(world, inbox, settings):
    note_from_home(world)
    settings.EMAIL_PORT = 1  # nothing listens there
    assert digest_send_all() == 0
    assert not DigestSent.objects.exists()
    settings.EMAIL_PORT = inbox.port
    assert digest_send_all() >= 1
    assert len(inbox.to(world.practitioner.user.email)) == 1


@pytest.mark.django_db
def test_the_hourly_command_sends_from_the_chosen_hour_once_a_day(world, inbox, settings):
    note_from_home(world)
    settings.NOTIFICATIONS_DIGEST_HOUR = 24  # not yet, whatever the time
    call_command("notifications_digest", stdout=io.StringIO())
    assert inbox.envelopes == []
    settings.NOTIFICATIONS_DIGEST_HOUR = 0
    for _hour in range(3):
        call_command("notifications_digest", stdout=io.StringIO())
    assert len(inbox.to(world.practitioner.user.email)) == 1


@pytest.mark.django_db
def test_the_background_task_sends_the_daily_email_once(world, inbox):
    note_from_home(world)
    daily_digest.enqueue()
    daily_digest.enqueue()
    assert len(inbox.to(world.practitioner.user.email)) == 1


@pytest.mark.django_db
def test_a_run_that_finds_todays_email_already_taken_by_another_run_sends_nothing(world, inbox):
    note_from_home(world)
    # another run has taken today's e-mail for this member and not yet recorded what it told
    DigestSent.objects.create(membership=world.practitioner, day=timezone.localdate(), keys=[])
    assert digest_send(membership=world.practitioner) is False
    assert inbox.to(world.practitioner.user.email) == []


@pytest.mark.django_db
def test_the_record_of_old_emails_is_kept_only_as_long_as_it_is_needed(world, inbox):
    today = timezone.localdate()
    DigestSent.objects.create(membership=world.practitioner, day=today - timedelta(days=500), keys=["x"])
    DigestSent.objects.create(membership=world.practitioner, day=today - timedelta(days=10), keys=["y"])
    digest_send_all(today=today)
    kept = DigestSent.objects.filter(membership=world.practitioner, day__lt=today)
    assert list(kept.values_list("keys", flat=True)) == [["y"]]


@pytest.mark.django_db
def test_two_people_with_the_same_first_name_are_told_apart_in_the_email(world, inbox):
    family = world.members[Role.FAMILY]
    for last_name in ("Taylor", "Jones"):
        chloe = Learner.objects.create(organisation=world.school, first_name="Chloe", last_name=last_name)
        for member in (world.practitioner, family):
            Assignment.objects.create(learner=chloe, user=member.user)
        home_observation_add(actor=family, learner=chloe, observed_on=timezone.localdate(), text="A good day")
    digest_send_all()
    [message] = inbox.to(world.practitioner.user.email)
    assert "A note from home about Chloe T." in body(message)
    assert "A note from home about Chloe J." in body(message)
    assert "Taylor" not in body(message) and "Jones" not in body(message)
