from django import forms

from .models import Channel, Kind


class PreferencesForm(forms.Form):
    """One group of three choices for each kind of notification the member can hear of."""

    def __init__(self, *args, kinds: list[str], current: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in kinds:
            self.fields[kind] = forms.ChoiceField(
                choices=Channel.choices,
                label=Kind(kind).label,
                widget=forms.RadioSelect,
                initial=current[kind],
                error_messages={"required": f"Choose how to hear about {Kind(kind).label.lower()}."},
            )
