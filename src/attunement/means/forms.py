from django import forms
from django.utils import timezone

from attunement.forms import SizeLimitedFileField, SizeLimitedFileInput
from attunement.learners.forms import DateInput
from attunement.learners.naming import name_of, names_for
from attunement.organisations.policies import roles_in_words

from .models import ChampionKind, MeetingKind
from .policies import LEADER_ROLES
from .services import CERTIFICATE_SIZE, ActionInput
from .vocabulary import RATING_WORDS, SELF_REPORT_ITEMS


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, membership):
        return f"{membership.user} ({membership.get_role_display()})"


class CourseForm(forms.Form):
    name = forms.CharField(max_length=200, label="Course name")
    refresh_months = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=120,
        label="Refresh every (months)",
        help_text="For example 12 for a yearly refresher. Leave blank if doing it once is enough.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    required = forms.BooleanField(required=False, label="Every member of staff must do this")


class CourseEditForm(CourseForm):
    version = forms.CharField(widget=forms.HiddenInput, required=False)


class CompletionForm(forms.Form):
    staff = StaffChoiceField(queryset=None, label="Who did the training?", empty_label=None)
    course = forms.ModelChoiceField(queryset=None, label="Course", empty_label="Choose a course")
    completed_on = forms.DateField(label="Finished on", widget=DateInput)
    provider = forms.CharField(
        max_length=200,
        label="Who gave the training?",
        help_text="For example: Intensive Interaction Institute, or in-house.",
    )
    certificate = SizeLimitedFileField(
        limit=CERTIFICATE_SIZE,
        required=False,
        label="Certificate",
        help_text="A PDF, JPEG or PNG file up to {limit}. "
        f"Only you and your {roles_in_words(LEADER_ROLES)} can open it.",
        widget=SizeLimitedFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args, staff, courses, actor, may_record_any: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses
        self.fields["completed_on"].initial = timezone.localdate()
        if may_record_any:
            self.fields["staff"].queryset = staff
            self.fields["staff"].initial = actor.pk
        else:
            del self.fields["staff"]


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(choices=MeetingKind.choices, label="Kind of meeting", widget=forms.RadioSelect)
    supervisor = StaffChoiceField(queryset=None, label="Supervisor or mentor", empty_label="Choose a person")
    supervisee = StaffChoiceField(queryset=None, label="Member of staff supervised", empty_label="Choose a person")
    met_on = forms.DateField(label="Date of the meeting", widget=DateInput)
    sessions = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Sessions talked about",
        help_text="Sessions from the last 90 days. Only sessions the supervisor may see can be chosen.",
    )
    notes = forms.CharField(
        required=False,
        max_length=10000,
        label="Notes",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What went well, what was hard, what to try next.",
    )

    def __init__(self, *args, staff, sessions, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = staff
        self.fields["supervisee"].queryset = staff
        self.fields["sessions"].queryset = sessions
        names = names_for(actor)  # people who share a first name are told apart
        self.fields["sessions"].label_from_instance = lambda s: (
            f"{name_of(s.learner, names)} — {timezone.localtime(s.started_at):%-d %b %Y}, {s.minutes} min"
        )
        self.fields["met_on"].initial = timezone.localdate()
        self.fields["kind"].initial = MeetingKind.SUPERVISION
        if actor.role in LEADER_ROLES:
            self.fields["supervisor"].initial = actor.pk
        else:
            self.fields["supervisee"].initial = actor.pk
        if not sessions:
            del self.fields["sessions"]


class ActionForm(forms.Form):
    text = forms.CharField(max_length=300, required=False, label="Action agreed")
    owner = forms.ChoiceField(
        choices=[("supervisee", "The member of staff supervised"), ("supervisor", "The supervisor or mentor")],
        label="Who will do it?",
        initial="supervisee",
    )
    due_on = forms.DateField(required=False, label="By when?", widget=DateInput)

    def to_action(self, *, supervisor, supervisee) -> ActionInput:
        data = self.cleaned_data
        owner = supervisor if data.get("owner") == "supervisor" else supervisee
        return ActionInput(text=data.get("text", ""), owner=owner, due_on=data.get("due_on"))


ActionFormSet = forms.formset_factory(ActionForm, extra=3, max_num=20)


class DoneForm(forms.Form):
    done_on = forms.DateField(required=False, label="Done on", widget=DateInput)
    undo = forms.BooleanField(required=False)


class ChampionForm(forms.Form):
    staff = StaffChoiceField(queryset=None, label="Member of staff", empty_label="Choose a person")
    kind = forms.ChoiceField(choices=ChampionKind.choices, label="Role", widget=forms.RadioSelect)
    site = forms.ModelChoiceField(queryset=None, required=False, label="Where", empty_label="The whole organisation")
    started_on = forms.DateField(required=False, label="From", widget=DateInput)

    def __init__(self, *args, staff, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff
        self.fields["kind"].initial = ChampionKind.CHAMPION
        self.fields["started_on"].initial = timezone.localdate()
        if sites.exists():
            self.fields["site"].queryset = sites
        else:
            del self.fields["site"]


RATING_CHOICES = [(value, f"{value} — {words}") for value, words in RATING_WORDS.items()]


class SelfReportForm(forms.Form):
    """One radio group a statement, rated 1 (not at all) to 5 (very much)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field, statement, _ in SELF_REPORT_ITEMS:
            self.fields[field] = forms.TypedChoiceField(
                choices=RATING_CHOICES, coerce=int, label=statement, widget=forms.RadioSelect
            )


class TrendsForm(forms.Form):
    since = forms.DateField(required=False, label="From", widget=DateInput)
    until = forms.DateField(required=False, label="To", widget=DateInput)
