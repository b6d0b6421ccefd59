"""The people list: a page at a time in name order, with everyone on one page or another, and each card the same
as the template loop that used to write it."""

import re
from datetime import date

import pytest
from django.template import Context, Template
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attunement.learners.models import Assignment, Learner
from attunement.learners.selectors import learner_list
from attunement.learners.templatetags.person_links import person_cards
from attunement.learners.views import PER_PAGE
from attunement.organisations.models import Site

from ..conftest import login

pytestmark = pytest.mark.django_db

# The loop learners/list.html had before the cards were written by {% person_cards %}.
TEMPLATE_LOOP = Template(
    """{% load person_links %}{% for learner in learners %}
  <li class="person-card">
    <a href="{% person_url 'learners:about' learner.pk %}" class="person-link">{% if learner.photo %}<img class="avatar" src="{% person_url 'learners:photo' learner.pk %}" alt="" width="56" height="56">{% else %}<span class="avatar initials" aria-hidden="true">{{ learner.initials }}</span>{% endif %}<span>{{ learner.display_name }} {{ learner.last_name }}</span></a>
    {% if learner.site %}<span class="muted">{{ learner.site }}</span>{% endif %}
    {% if not learner.is_active %}<span class="badge retired">Left{% if learner.left_on %} {{ learner.left_on|date:"M Y" }}{% endif %}</span>{% endif %}
    <span class="card-actions"><a href="{% person_url 'practice:timeline' learner.pk %}">Timeline</a><a href="{% person_url 'practice:progress' learner.pk %}">Progress</a></span>
  </li>
  {% endfor %}"""  # noqa: E501
)


def _same_html(html: str) -> str:
    return re.sub(r"\s+", " ", html).replace("> <", "><").strip()


def _names(response) -> list[str]:
    return re.findall(r"<span>([^<]*)</span></a>", response.content.decode())


def _people(world, n: int, *, first=lambda i: f"Person{i:03}", last="Many") -> list[Learner]:
    return [Learner.objects.create(organisation=world.school, first_name=first(i), last_name=last) for i in range(n)]


name = st.text(alphabet=st.sampled_from("AbcZé<>&\"' ßØ"), min_size=1, max_size=8)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    people=st.lists(
        st.tuples(
            name,
            name,
            st.sampled_from(["", "Jo", "<b>"]),
            st.booleans(),
            st.booleans(),
            st.one_of(st.none(), st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31))),
            st.sampled_from([None, "North & South", "Main"]),
        ),
        max_size=6,
    )
)
def test_each_card_is_what_the_template_loop_wrote(world, people):
    Learner.objects.filter(organisation=world.school).delete()
    for first, last, preferred, photo, active, left_on, site in people:
        Learner.objects.create(
            organisation=world.school,
            first_name=first,
            last_name=last,
            preferred_name=preferred,
            photo="learner-photos/x.jpg" if photo else "",
            is_active=active,
            left_on=left_on,
            site=Site.objects.get_or_create(organisation=world.school, name=site)[0] if site else None,
        )
    page = learner_list(actor=world.coordinator, include_inactive=True, per_page=100)
    records = list(Learner.objects.filter(organisation=world.school).order_by("first_name", "last_name", "pk"))
    assert [p.pk for p in page.people] == [r.pk for r in records]
    assert _same_html(person_cards(page.people)) == _same_html(TEMPLATE_LOOP.render(Context({"learners": records})))


def test_a_team_of_forty_sees_everyone_on_one_page_without_a_pager(world, client):
    _people(world, 39)  # with Mina and Una: 41 people still supported (Una is not assigned to anyone)
    login(client, world.coordinator)
    response = client.get(reverse("learners:list"))
    assert len(_names(response)) == 41 and 'class="pager"' not in response.content.decode()


def test_a_large_organisation_pages_and_everyone_is_on_exactly_one_page_in_name_order(world, client):
    # Same first names and surnames across the page boundaries: the order still has one place for each person.
    _people(world, 2 * PER_PAGE + 10, first=lambda i: f"Sam{i % 7}", last="Same")
    login(client, world.coordinator)
    url = reverse("learners:list")
    pages = [client.get(url, {"page": n}) for n in (1, 2, 3)]
    assert [len(_names(page)) for page in pages] == [PER_PAGE, PER_PAGE, 12]
    first, last = pages[0].content.decode(), pages[2].content.decode()
    assert "page=2" in first and "Previous" not in first and "Next" in first
    assert "page=2" in last and "Next" not in last and "Page 3" in last
    ids = [
        int(pk)
        for page in pages
        for pk in re.findall(r'href="/learners/(\d+)/" class="person-link"', page.content.decode())
    ]
    expected = Learner.objects.filter(organisation=world.school, is_active=True).order_by(
        "first_name", "last_name", "pk"
    )
    assert ids == list(expected.values_list("pk", flat=True))


def test_the_search_and_the_people_who_have_left_stay_in_the_pager_s_links(world, client):
    people = _people(world, PER_PAGE + 5, first=lambda i: f"Ann{i:03}")
    Learner.objects.filter(pk=people[0].pk).update(is_active=False)
    login(client, world.coordinator)
    page = client.get(reverse("learners:list"), {"q": "ann", "left": "1"}).content.decode()
    assert "?q=ann&amp;left=1&amp;page=2" in page
    second = client.get(reverse("learners:list"), {"q": "ann", "left": "1", "page": "2"})
    assert len(_names(second)) == 5 and "?q=ann&amp;left=1&amp;page=1" in second.content.decode()


def test_a_page_past_the_end_goes_back_to_the_first(world, client):
    login(client, world.coordinator)
    response = client.get(reverse("learners:list"), {"q": "Mina", "page": "9"})
    assert response.status_code == 302 and response.url == reverse("learners:list") + "?q=Mina"
    for nonsense in ("0", "-1", "x", "99999999999", "²", "１"):
        assert client.get(reverse("learners:list"), {"page": nonsense}).status_code == 200


def test_a_practitioner_pages_through_only_their_own_people(world, client):
    for learner in _people(world, PER_PAGE + 3):
        Assignment.objects.create(learner=learner, user=world.practitioner.user)
    login(client, world.practitioner)
    pages = [client.get(reverse("learners:list"), {"page": n}) for n in (1, 2)]
    names = [n for page in pages for n in _names(page)]
    assert len(names) == PER_PAGE + 4 and "Una Test" not in names and "Mina Test" in names
