"""Widgets drawn in Python (practice.forms.DrawnInPython) must write exactly what Django's widgets write through
their templates: select boxes for any choices (grouped or not), chosen value and attributes; input boxes and text
areas for any value and attributes."""

from datetime import datetime

from django import forms
from hypothesis import given
from hypothesis import strategies as st

from attunement.learners.forms import DateInput
from attunement.practice.forms import (
    LocalDateTimeInput,
    QuickDateInput,
    QuickHiddenInput,
    QuickNumberInput,
    QuickSelect,
    QuickTextarea,
    QuickTextInput,
)

TEXT = st.text(alphabet=st.sampled_from(list("ab <&>\"'é—\n")), max_size=12)
OPTIONS = st.lists(st.tuples(st.one_of(TEXT, st.integers(0, 99)), st.one_of(TEXT, st.integers())), max_size=6)
CHOICES = st.one_of(OPTIONS, st.lists(st.tuples(TEXT.filter(bool), OPTIONS), max_size=3))
ATTRS = st.dictionaries(
    st.sampled_from(["id", "class", "aria-describedby", "aria-invalid", "required", "disabled", "data-x", "rows"]),
    st.one_of(TEXT, st.booleans(), st.integers()),
    max_size=4,
)


class DjangoLocalDateTimeInput(forms.DateTimeInput):
    """LocalDateTimeInput as it was, drawn by Django's templates."""

    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


VALUES = st.one_of(st.none(), TEXT, st.integers(), st.dates(), st.datetimes(min_value=datetime(2000, 1, 1)))


@given(choices=CHOICES, attrs=ATTRS, chosen=st.one_of(st.none(), TEXT, st.integers(0, 99)), name=TEXT)
def test_a_quick_select_writes_what_django_s_select_writes(choices, attrs, chosen, name):
    expected = forms.Select(attrs=attrs, choices=choices).render(name, chosen)
    assert QuickSelect(attrs=attrs, choices=choices).render(name, chosen) == expected


@given(attrs=ATTRS, value=VALUES, name=TEXT)
def test_quick_boxes_write_what_django_s_write(attrs, value, name):
    pairs = [
        (QuickTextInput, forms.TextInput),
        (QuickNumberInput, forms.NumberInput),
        (QuickHiddenInput, forms.HiddenInput),
        (QuickTextarea, forms.Textarea),
        (QuickDateInput, DateInput),
    ]
    for quick, django in pairs:
        assert quick(attrs=attrs).render(name, value) == django(attrs=attrs).render(name, value)
    assert LocalDateTimeInput(attrs=attrs).render(name, value) == DjangoLocalDateTimeInput(attrs=attrs).render(
        name, value
    )


def test_quick_widgets_in_a_bound_form_with_an_error_write_what_django_s_write():
    class Form(forms.Form):
        pick = forms.ChoiceField(choices=[("1", "One"), ("2", "Two & <three>")])
        words = forms.CharField(max_length=3, widget=forms.Textarea)
        number = forms.IntegerField()

    class QuickForm(forms.Form):
        pick = forms.ChoiceField(choices=[("1", "One"), ("2", "Two & <three>")], widget=QuickSelect)
        words = forms.CharField(max_length=3, widget=QuickTextarea)
        number = forms.IntegerField(widget=QuickNumberInput)

    for data in ({"pick": "2", "words": "a <b>", "number": "x"}, {"pick": "9", "words": "", "number": "4"}, None):
        for name in ("pick", "words", "number"):
            assert str(QuickForm(data)[name]) == str(Form(data)[name])
