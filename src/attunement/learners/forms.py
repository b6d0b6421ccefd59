from django import forms
from django.db.models import Q

from attunement.forms import FileSizeLimit, SizeLimitedFileField, SizeLimitedFileInput, SizeLimitedImageField
from attunement.organisations.selectors import staff_of

from .models import PROFILE_SECTIONS, Need, PlanKind
from .photos import PHOTO_SIZE, check_pixels


class PhotoField(SizeLimitedImageField):
    """An image field that measures the file and then the picture from its header first, so a huge picture
    is never decoded."""

    def to_python(self, data):
        if data not in self.empty_values and hasattr(data, "seek"):
            self.limit.check(data.size)
            check_pixels(data)
        return super().to_python(data)


class DateInput(forms.DateInput):
    """The browser's own date picker, which only understands ISO dates."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class LearnerForm(forms.Form):
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    preferred_name = forms.CharField(
        max_length=100, required=False, help_text="The name they know and like to be called, if different."
    )
    date_of_birth = forms.DateField(required=False, widget=DateInput)
    group = forms.ModelChoiceField(
        queryset=None, required=False, label="Class or group", empty_label="Not in a class or group"
    )
    identifier = forms.CharField(
        max_length=50,
        required=False,
        label="Identifier",
        help_text="Optional. A number your records use for them, such as a UPN. No two people share one.",
    )
    needs = forms.MultipleChoiceField(choices=Need.choices, required=False, widget=forms.CheckboxSelectMultiple)
    site = forms.ModelChoiceField(queryset=None, required=False, empty_label="No particular site")
    weekly_session_target = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=50,
        help_text="Sessions a week to aim for. Leave blank to use your organisation's target.",
    )
    assigned = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Staff who work with them",
        help_text="Practitioners and therapists only see the people they are assigned to. Later, "
        "“Who works with them” sets dates and links family members.",
    )
    still_supported = forms.BooleanField(
        required=False,
        initial=True,
        label="We still support them",
        help_text="Untick when they leave. Their records are then kept for the retention period, then deleted.",
    )
    photo = PhotoField(required=False, limit=PHOTO_SIZE, help_text="Optional. A JPEG or PNG under {limit}.")
    remove_photo = forms.BooleanField(required=False, label="Remove the current photo")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, organisation, current_group=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Retired classes are not offered, except the one the person is in now.
        groups = organisation.groups.filter(retired_at__isnull=True)
        if current_group is not None:
            groups = organisation.groups.filter(Q(retired_at__isnull=True) | Q(pk=current_group.pk))
        self.fields["group"].queryset = groups
        if not organisation.groups.exists():
            del self.fields["group"]
        self.fields["site"].queryset = organisation.sites.all()
        if not organisation.sites.exists():
            del self.fields["site"]
        self.fields["assigned"].queryset = staff_of(organisation)


class KeyPersonForm(forms.Form):
    name = forms.CharField(max_length=120, required=False)
    relationship = forms.CharField(max_length=120, required=False, help_text="For example: mum, key worker.")
    notes = forms.CharField(max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("name") and not data.get("relationship"):
            self.add_error("relationship", "Please say who this person is to them.")
        return data


KeyPeopleFormSet = forms.formset_factory(KeyPersonForm, extra=2, max_num=20)


class ProfileForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field, title, hint in PROFILE_SECTIONS:
            self.fields[field] = forms.CharField(
                label=title,
                help_text=hint,
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def sections(self):
        return {field: self.cleaned_data[field] for field, _, _ in PROFILE_SECTIONS}


class PlanForm(forms.Form):
    kind = forms.ChoiceField(choices=PlanKind.choices, label="Kind of plan")
    title = forms.CharField(max_length=200, required=False, help_text="Optional, for example: EHCP 2026–27.")
    starts_on = forms.DateField(required=False, widget=DateInput, label="Starts")
    review_on = forms.DateField(required=False, widget=DateInput, label="Next review")
    is_active = forms.BooleanField(required=False, initial=True, label="This plan is current")
    new_outcomes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Add outcomes",
        help_text="One outcome per line, as written in the plan.",
    )

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome_fields = []
        if plan is not None:
            for outcome in plan.outcomes.all():
                name = f"outcome_{outcome.pk}"
                self.fields[name] = forms.CharField(
                    max_length=400,
                    required=False,
                    initial=outcome.text,
                    label="Outcome",
                    help_text="" if outcome.is_active else "Retired. Type it back to use it again.",
                )
                if not outcome.is_active:
                    self.fields[name].initial = ""
                self.outcome_fields.append((outcome, name))

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    DETAILS = ("kind", "title", "starts_on", "review_on")

    def plan_details(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.DETAILS}

    def outcome_texts(self) -> dict[int, str]:
        return {outcome.pk: self.cleaned_data[name] for outcome, name in self.outcome_fields}

    def new_outcome_lines(self) -> list[str]:
        return [line for line in self.cleaned_data["new_outcomes"].splitlines() if line.strip()]


class AssignmentForm(forms.Form):
    user = forms.ModelChoiceField(queryset=None, label="Who", empty_label="Choose someone")
    starts_on = forms.DateField(required=False, widget=DateInput, label="From", help_text="Leave blank for now.")
    ends_on = forms.DateField(
        required=False,
        widget=DateInput,
        label="Until",
        help_text="Optional. Access ends by itself after this day: use it for agency staff and visiting therapists.",
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = members.order_by("first_name", "last_name")
        self.fields["user"].label_from_instance = lambda user: f"{user} ({user.email})"


class GroupForm(forms.Form):
    name = forms.CharField(max_length=200, label="Name", help_text="For example: Class 3B, Oak House, Team North.")
    site = forms.ModelChoiceField(queryset=None, required=False, label="Site", empty_label="Any site")

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = organisation.sites.all()
        if not organisation.sites.exists():
            del self.fields["site"]


class GroupEditForm(GroupForm):
    version = forms.CharField(widget=forms.HiddenInput, required=False)


IMPORT_SIZE = FileSizeLimit(
    "PEOPLE_IMPORT_MAX_BYTES", "The file is larger than {limit}. Please split it into smaller files."
)


class ImportUploadForm(forms.Form):
    file = SizeLimitedFileField(
        limit=IMPORT_SIZE,
        label="The spreadsheet",
        help_text="A CSV or Excel (.xlsx) file up to {limit}, one row for each person, with headings in the first row.",
        widget=SizeLimitedFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class ImportColumnsForm(forms.Form):
    """Which column of the file holds each thing: one choice for each thing the import reads."""

    def __init__(self, *args, headings: list[str], columns, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "Not in this file")] + [
            (str(index), f"Column {index + 1}: {heading or '(no heading)'}") for index, heading in enumerate(headings)
        ]
        for column in columns:
            self.fields[column.key] = forms.ChoiceField(
                choices=choices, required=column.required, label=column.label, help_text=column.hint
            )
            if column.required:
                self.fields[column.key].error_messages["required"] = (
                    f"Please choose the column with the {column.label.lower()}."
                )

    def mapping(self) -> dict[str, int | None]:
        return {key: int(value) if value != "" else None for key, value in self.cleaned_data.items()}
