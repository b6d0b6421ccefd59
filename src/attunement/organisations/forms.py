from django import forms

from .selectors import staff_of


class AuditFilterForm(forms.Form):
    person = forms.ModelChoiceField(queryset=None, required=False, empty_label="Anyone")
    user = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any user", label="Done by")
    since = forms.DateField(required=False, label="From")
    until = forms.DateField(required=False, label="To")

    def __init__(self, *args, organisation, **kwargs):
        from attunement.learners.forms import DateInput
        from attunement.learners.models import Learner

        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Learner.objects.filter(organisation=organisation).order_by(
            "first_name", "last_name"
        )
        self.fields["person"].label_from_instance = lambda learner: learner.full_name
        self.fields["user"].queryset = staff_of(organisation)
        self.fields["since"].widget = DateInput()
        self.fields["until"].widget = DateInput()

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError("The “From” date is after the “To” date.")
        return data
