"""`{% chips %}` writes what practice/_chips.html wrote through a template loop, for any choices, labels and
ticked values, as checkboxes or radio buttons."""

from django import forms
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from attunement.practice.templatetags.practice_chips import chips

# practice/_chips.html before the chips were written in Python.
CHIPS_TEMPLATE = Template(
    '<div class="chips">{% for choice in choices %}<label class="chip" for="{{ choice.id_for_label }}">'
    '<input type="{{ type|default:\'checkbox\' }}" name="{{ choice.data.name }}" value="{{ choice.data.value }}" '
    'id="{{ choice.id_for_label }}"{% if choice.data.selected %} checked{% endif %}><span>{{ choice.choice_label }}'
    "</span></label>{% endfor %}</div>\n"
)

TEXT = st.text(alphabet=st.sampled_from(list("ab <&>\"'é—")), max_size=10)
CHOICES = st.lists(st.tuples(st.one_of(TEXT, st.integers(0, 99)), TEXT), max_size=6, unique_by=lambda c: str(c[0]))


@given(choices=CHOICES, ticked=st.lists(st.integers(0, 5), max_size=3), radio=st.booleans(), prefix=TEXT)
def test_the_chips_are_what_the_template_wrote(choices, ticked, radio, prefix):
    values = [str(choices[i][0]) for i in ticked if i < len(choices)]

    class Form(forms.Form):
        pick = (
            forms.ChoiceField(choices=choices, widget=forms.RadioSelect, required=False)
            if radio
            else forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, required=False)
        )

    data = {"pick": values[:1] if radio else values}
    field = Form(data, prefix=prefix or None)["pick"]
    kind = "radio" if radio else ""
    expected = CHIPS_TEMPLATE.render(Context({"choices": field, "type": kind}))
    assert chips(field, kind) == expected
    assert chips(list(field), kind) == expected
