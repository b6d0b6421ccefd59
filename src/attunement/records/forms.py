from django import forms

from attunement.privacy.models import RETENTION_LABELS, RetentionSettings

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
