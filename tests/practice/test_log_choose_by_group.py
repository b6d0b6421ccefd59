"""Choosing whom to log a session with, one class or group at a time."""

from django.urls import reverse

from attunement.learners.models import Group
from tests.conftest import login


def test_the_chooser_shows_one_class_at_a_time_and_only_people_the_member_works_with(world, client):
    red = Group.objects.create(organisation=world.school, name="Red class")
    blue = Group.objects.create(organisation=world.school, name="Blue class")
    world.mine.group = red
    world.mine.save()
    world.unassigned.group = red
    world.unassigned.save()
    login(client, world.practitioner)

    everyone = client.get(reverse("practice:log")).content.decode()
    assert "Red class" in everyone and "Blue class" in everyone
    assert "Mina" in everyone

    red_only = client.get(reverse("practice:log"), {"group": red.pk}).content.decode()
    assert "Mina" in red_only
    assert "Una" not in red_only  # in the class, but not someone this practitioner works with

    blue_only = client.get(reverse("practice:log"), {"group": blue.pk}).content.decode()
    assert "Mina" not in blue_only
    assert "None of the" in blue_only

    foreign = Group.objects.create(organisation=world.other, name="Elsewhere")
    assert "Mina" in client.get(reverse("practice:log"), {"group": foreign.pk}).content.decode()  # ignored
