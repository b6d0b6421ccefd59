from django import forms

from attunement.forms import SizeLimitedFileField
from attunement.reflection.uploads import CODING_FILE_SIZE

from .models import Kind, Subject


class ImportForm(forms.Form):
    file = SizeLimitedFileField(
        limit=CODING_FILE_SIZE,
        label="Coding file",
        help_text="A BORIS project (.boris), an ELAN file (.eaf) or a CSV file, up to {limit}.",
    )
    title = forms.CharField(
        label="Title", max_length=200, required=False, help_text="For example “Sam's coding, first viewing”."
    )
    observation = forms.CharField(
        label="BORIS observation",
        max_length=200,
        required=False,
        help_text="For a BORIS file with several observations: the one to import. Leave empty for the first.",
    )


class EthogramImportForm(forms.Form):
    file = SizeLimitedFileField(
        limit=CODING_FILE_SIZE,
        label="BORIS file",
        help_text="A BORIS project (.boris), with or without observations, up to {limit}.",
    )
    subject = forms.ChoiceField(label="Who shows these behaviours?", choices=Subject.choices, widget=forms.RadioSelect)


class AgreementForm(forms.Form):
    first = forms.TypedChoiceField(label="First coding", coerce=int)
    second = forms.TypedChoiceField(label="Second coding", coerce=int)
    unit = forms.FloatField(
        label="Time unit (seconds)",
        min_value=0.5,
        max_value=10,
        initial=1,
        required=False,
        help_text="Both codings are cut into units this long and compared unit by unit: from 0.5 to 10 seconds.",
    )
    definition = forms.ChoiceField(
        label="Compare units as",
        choices=[
            ("attunement", "Attunement does: everyone together, over the whole video"),
            ("boris", "BORIS does: each person apart, over the coded stretch (to compare with BORIS's kappa)"),
        ],
        initial="attunement",
        required=False,
        widget=forms.RadioSelect,
    )
    tolerance = forms.FloatField(
        label="Moments match within (seconds)",
        min_value=0,
        max_value=10,
        initial=1,
        required=False,
        help_text="Two moments of the same code and person count as the same moment when this close: 0 to 10 seconds.",
    )
    people = forms.MultipleChoiceField(
        label="People to compare",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to compare everyone.",
    )
    codes = forms.MultipleChoiceField(
        label="Codes to compare",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to compare every code.",
    )

    def __init__(self, *args, passes=(), subjects=(), codes=(), names=None, **kwargs):
        """`subjects` and `codes` are those used in the passes; `names` shows each subject."""
        super().__init__(*args, **kwargs)
        choices = [(p.pk, f"{p.title} — {p.coder or 'unknown coder'}, {p.created_at:%d %b %Y}") for p in passes]
        self.fields["first"].choices = choices
        self.fields["second"].choices = choices
        self.fields["people"].choices = [(s or "-", (names or {}).get(s, s)) for s in subjects]
        self.fields["codes"].choices = [(c, c) for c in codes]
        if len(subjects) < 2:
            del self.fields["people"]
        if not codes:
            del self.fields["codes"]

    def clean(self):
        data = super().clean()
        if data.get("first") is not None and data.get("first") == data.get("second"):
            raise forms.ValidationError("Please choose two different codings to compare.")
        if data.get("unit") is None:
            data["unit"] = 1.0
        if not data.get("definition"):
            data["definition"] = "attunement"
        if data.get("tolerance") is None:
            data["tolerance"] = 1.0
        data["people"] = ["" if s == "-" else s for s in data.get("people") or []]  # "-": events with no subject
        data["codes"] = list(data.get("codes") or [])
        return data


class StatisticsForm(forms.Form):
    gap = forms.FloatField(
        label="Longest pause within a chain of turns (seconds)",
        min_value=0.5,
        max_value=30,
        initial=3,
        required=False,
    )
    learner = forms.ChoiceField(label="Who is the learner in this coding", required=False)
    partner = forms.ChoiceField(label="Who is the partner in this coding", required=False)

    def __init__(self, *args, subjects=(), names=None, **kwargs):
        """`subjects` are the coding's subjects (BORIS subjects, ELAN participants); `names` shows each."""
        super().__init__(*args, **kwargs)
        choices = [("", "Nobody chosen")] + [(s or "-", (names or {}).get(s, s)) for s in subjects]
        self.fields["learner"].choices = choices
        self.fields["partner"].choices = choices

    def clean(self):
        data = super().clean()
        for name in ("learner", "partner"):
            value = data.get(name) or None
            data[name] = "" if value == "-" else value  # "-" stands for events with no subject
        if data.get("learner") is not None and data.get("learner") == data.get("partner"):
            raise forms.ValidationError("Please choose two different people: one learner and one partner.")
        return data


class CodeForm(forms.Form):
    key = forms.CharField(label="Key", max_length=40, help_text="Short and never changed, for example “L-claps”.")
    name = forms.CharField(label="Description", max_length=120)
    subject = forms.ChoiceField(label="Who shows it", choices=Subject.choices)
    kind = forms.ChoiceField(label="Kind", choices=Kind.choices)
    shortcut = forms.CharField(label="Shortcut key", max_length=1, required=False, help_text="One key.")
