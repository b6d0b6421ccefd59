"""A page calls a service through one helper: problems land on the form (400), refusals reach the 403 page."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from attunement.organisations.service_calls import errors_as_message, errors_onto, form_status


class NameForm(forms.Form):
    name = forms.CharField()


def test_a_service_s_problem_is_shown_beside_its_field_and_the_page_carries_on():
    form = NameForm({"name": "Sam"})
    assert form.is_valid()
    reached = []
    with errors_onto(form):
        raise ValidationError({"name": "There is already someone called Sam.", "other": "Please check the date."})
    reached.append("after")
    assert reached == ["after"]
    assert form.errors["name"] == ["There is already someone called Sam."]
    assert form.non_field_errors() == ["Please check the date."]
    assert form_status(form) == 400


def test_nothing_is_added_when_the_service_succeeds():
    form = NameForm({"name": "Sam"})
    assert form.is_valid()
    with errors_onto(form):
        pass
    assert form_status(form) == 200 and form_status(None, NameForm()) == 200


def test_a_refusal_is_not_swallowed():
    form = NameForm({"name": "Sam"})
    form.is_valid()
    with pytest.raises(PermissionDenied, match="Only co-ordinators"), errors_onto(form):
        raise PermissionDenied("Only co-ordinators and administrators can change the scales.")


def test_a_formset_with_problems_makes_the_page_a_400():
    formset = forms.formset_factory(NameForm, extra=0)(
        {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-name": ""}
    )
    formset.is_valid()
    assert form_status(NameForm({"name": "Sam"}), formset) == 400


def test_a_button_without_a_form_says_why_at_the_top_of_the_next_page():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    with errors_as_message(request, "Nothing was changed: "):
        raise ValidationError(["This was already ended.", "Please reload the page."])
    assert [str(m) for m in get_messages(request)] == [
        "Nothing was changed: This was already ended. Please reload the page."
    ]
