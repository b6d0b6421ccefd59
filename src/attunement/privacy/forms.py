from django import forms
from django.utils import timezone

from attunement.learners.forms import DateInput

from .dates import add_years
from .models import GivenBy, Purpose


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(choices=Purpose.choices, label="What is the consent for?", widget=forms.RadioSelect)
    given_by = forms.ChoiceField(
        choices=GivenBy.choices,
        label="Who gave it?",
        widget=forms.RadioSelect,
        help_text="A best-interests decision can only be made for someone aged 16 or over.",
    )
    giver_name = forms.CharField(
        max_length=120,
        required=False,
        label="Name of the parent, guardian or decision-maker",
        help_text="Needed for a parent or guardian, and for a best-interests decision.",
    )
    decision_maker_role = forms.CharField(
        max_length=120,
        required=False,
        label="The decision-maker's role",
        help_text="Needed for a best-interests decision, for example: care manager, social worker.",
    )
    starts_on = forms.DateField(label="Consent starts on", widget=DateInput)
    review_on = forms.DateField(
        label="Review by", widget=DateInput, help_text="When to check the consent still stands. Usually a year."
    )
    note = forms.CharField(
        max_length=500,
        required=False,
        label="Note",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: where the signed form is kept, or how the person showed they agreed.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["starts_on"].initial = today
        self.fields["review_on"].initial = add_years(today, 1)


class WithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(label="Consent was withdrawn on", widget=DateInput)
    note = forms.CharField(
        max_length=500,
        required=False,
        label="Note",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: who said so, and how.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["withdrawn_on"].initial = timezone.localdate()


class LegalHoldForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        label="Why must the records be kept?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: a complaint, a safeguarding enquiry or a legal claim that is under way.",
    )
