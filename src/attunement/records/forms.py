from django import forms

from attunement.learners.forms import DateInput
from attunement.organisations.selectors import staff_of
from attunement.privacy.models import RETENTION_LABELS, RetentionSettings

from .selectors import audit_trail_people
from .services import retention_edit_token


class EraseForm(forms.Form):
    typed_name = forms.CharField(max_length=250, label="Type the person's full name to confirm")


class RetentionSettingsForm(forms.Form):
    """One whole number of years for each kind of record."""

    HELP = {
        "person_years": "Years after the person leaves. Nothing about a child goes before their 25th birthday.",
        "audit_years": "Years after each entry was written.",
    }

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, settings: RetentionSettings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = retention_edit_token(settings)
        for name, label in RETENTION_LABELS.items():
            self.fields[name] = forms.IntegerField(
                label=f"{label} (years)",
                initial=getattr(settings, name),
                help_text=self.HELP.get(name, "Years after the person leaves."),
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )


class AuditFilterForm(forms.Form):
    person = forms.ModelChoiceField(queryset=None, required=False, empty_label="Anyone")
    user = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any user", label="Done by")
    since = forms.DateField(required=False, label="From")
    until = forms.DateField(required=False, label="To")

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = audit_trail_people(organisation)
        self.fields["person"].label_from_instance = lambda learner: learner.full_name
        self.fields["user"].queryset = staff_of(organisation)
        self.fields["since"].widget = DateInput()
        self.fields["until"].widget = DateInput()

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError("The “From” date is after the “To” date.")
        return data
