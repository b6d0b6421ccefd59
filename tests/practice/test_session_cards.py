"""The timeline's session cards, written in Python by `{% session_cards %}`, are exactly what the template loop
wrote before: the same HTML, every value escaped the same way, for any mix of sessions."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.template import Context, Template
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attunement.practice import selectors
from attunement.practice.services import session_correct, session_record
from attunement.practice.templatetags.session_cards import session_cards

from ..conftest import details

# The loop of practice/timeline.html before the cards were written in Python (the firsts read as `s.firsts`).
TEMPLATE_LOOP = Template(
    "{% for s in sessions %}{% url 'practice:session' learner.pk s.pk as session_url %}"
    '{% with news=s.firsts %}<li class="session-card{% if news %} has-new{% endif %}">\n'
    '      <h3><a href="{{ session_url }}">{{ s.started_at|date:"l j F Y, H:i" }}</a> · {{ s.minutes }} min'
    "{% if s.place %} · {{ s.place }}{% endif %}</h3>\n"
    '      {% if news %}<p><span class="badge new">Never seen before</span>{% for b in news %} '
    '<span class="new-moment">{{ b.description }}</span>{% endfor %}</p>{% endif %}\n'
    '      <p class="muted">With {% for p in s.partners.all %}{{ p }}{% if not forloop.last %}, {% endif %}'
    "{% empty %}—{% endfor %} · {% if s.planned %}planned{% else %}in the moment{% endif %}"
    "{% if s.enjoyment %} · enjoyment: {{ s.get_enjoyment_display|lower }}{% endif %}"
    "{% if s.ending %} · {{ s.get_ending_display|lower }}{% endif %}"
    '{% if s.was_corrected %} · <a href="{{ session_url }}#history-heading">changed after saving</a>{% endif %}</p>\n'
    "      {% with fundamentals=s.fundamentals.all %}{% if fundamentals %}"
    '<ul class="tag-list" aria-label="Fundamentals seen">{% for f in fundamentals %}<li>{{ f.name }}</li>{% endfor %}'
    "</ul>{% endif %}{% endwith %}\n"
    "      {% if s.what_happened %}<p>{{ s.what_happened|truncatewords:40 }}</p>{% endif %}\n"
    "    </li>{% endwith %}{% empty %}<li>No sessions match.</li>{% endfor %}"
)

TEXT = st.text(alphabet=st.sampled_from(list("ab <&>\"'é—\n")), max_size=30)
SESSION = st.fixed_dictionaries(
    {
        "days": st.integers(0, 400),
        "minutes": st.integers(1, 60),
        "place": TEXT,
        "planned": st.booleans(),
        "enjoyment": st.sampled_from([None, 1, 2, 3]),
        "ending": st.sampled_from(["", "natural", "had_enough", "interrupted", "partner_ended"]),
        "what_happened": st.one_of(TEXT, st.integers(0, 60).map(lambda n: " ".join(f"word{i}" for i in range(n)))),
        "behaviours": st.lists(st.tuples(TEXT, st.sampled_from(["typical", "rare", "new"])), max_size=3),
        "partners": st.integers(0, 2),
        "fundamentals": st.integers(0, 3),
        "corrected": st.booleans(),
    }
)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sessions=st.lists(SESSION, max_size=4))
def test_the_cards_are_what_the_template_wrote(world, sessions):
    actor = world.coordinator
    staff = [world.practitioner.user_id, world.coordinator.user_id]
    fundamentals = list(world.school.fundamentals.values_list("pk", flat=True)[:3])
    now = timezone.now()

    def written(s, minutes):
        return details(
            started_at=now - timedelta(days=s["days"], minutes=7),
            minutes=minutes,
            place=s["place"],
            planned=s["planned"],
            enjoyment=s["enjoyment"],
            ending=s["ending"],
            ending_reason="Time for lunch" if s["ending"] == "partner_ended" else "",
            what_happened=s["what_happened"],
            behaviours=s["behaviours"],
            partner_ids=staff[: s["partners"]],
            fundamental_ids=fundamentals[: s["fundamentals"]],
        )

    with transaction.atomic():
        for s in sessions:
            saved = session_record(actor=actor, learner=world.mine, details=written(s, s["minutes"])).session
            if s["corrected"]:
                session_correct(
                    actor=actor,
                    session=saved,
                    details=written(s, s["minutes"] % 60 + 1),
                )
        shown = list(selectors.learner_timeline(actor=actor, learner=world.mine))
        expected = TEMPLATE_LOOP.render(Context({"sessions": shown, "learner": world.mine}))
        assert session_cards(shown, world.mine) == expected
        transaction.set_rollback(True)
