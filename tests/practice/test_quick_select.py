"""QuickSelect draws a select box in Python: it must write exactly what Django's Select writes through its
templates, for any choices (grouped or not), chosen value and attributes."""

from django import forms
from hypothesis import given
from hypothesis import strategies as st

from attunement.practice.forms import QuickSelect

TEXT = st.text(alphabet=st.sampled_from(list("ab <&>\"'é—")), max_size=12)
OPTIONS = st.lists(st.tuples(st.one_of(TEXT, st.integers(0, 99)), TEXT), max_size=6)
CHOICES = st.one_of(OPTIONS, st.lists(st.tuples(TEXT.filter(bool), OPTIONS), max_size=3))
ATTRS = st.dictionaries(
    st.sampled_from(["id", "class", "aria-describedby", "aria-invalid", "required", "disabled", "data-x"]),
    st.one_of(TEXT, st.booleans(), st.integers()),
    max_size=4,
)


@given(choices=CHOICES, attrs=ATTRS, chosen=st.one_of(st.none(), TEXT, st.integers(0, 99)), name=TEXT)
def test_a_quick_select_writes_what_django_s_select_writes(choices, attrs, chosen, name):
    expected = forms.Select(attrs=attrs, choices=choices).render(name, chosen)
    assert QuickSelect(attrs=attrs, choices=choices).render(name, chosen) == expected


def test_a_quick_select_in_a_bound_form_with_an_error_writes_what_django_s_select_writes():
    class Form(forms.Form):
        pick = forms.ChoiceField(choices=[("1", "One"), ("2", "Two & <three>")])

    class QuickForm(forms.Form):
        pick = forms.ChoiceField(choices=[("1", "One"), ("2", "Two & <three>")], widget=QuickSelect)

    for data in ({"pick": "2"}, {"pick": "9"}, None):
        assert str(QuickForm(data)["pick"]) == str(Form(data)["pick"])
