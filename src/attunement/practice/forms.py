import re
import uuid
from datetime import UTC, datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from attunement.learners.forms import DateInput
from attunement.organisations.models import LearnerWord
from attunement.organisations.selectors import staff_of

from . import novelty, selectors, services
from .models import Fundamental, Session
from .policies import CORRECTORS_IN_WORDS
from .services import RatingInput, SessionDetails
from .vocabulary import Ending, Enjoyment, Novelty, Phase, Technique

MINUTE_CHOICES = (5, 10, 15, 20, 30)
SAME_AS_LAST_NAMED = 3  # "Same as last time" names at most this many Fundamentals, then says how many more
MAX_BEHAVIOURS = 50
BEHAVIOUR_FIELD = re.compile(r"^behaviour-(\d+)-text$")


def _text(value) -> str:
    """A value as `{{ value|stringformat:'s' }}` writes it: as text, escaped unless already safe."""
    return conditional_escape(str(value))


def _attributes(attrs: dict) -> str:
    """An element's attributes as Django's widgets/attrs.html writes them."""
    return "".join(
        f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{_attributes(widget["attrs"])}>'


def _textarea(widget: dict) -> str:
    value = conditional_escape(localize(widget["value"])) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attributes(widget["attrs"])}>\n{value}</textarea>'


def _select(widget: dict) -> str:
    parts = [f'<select name="{_text(widget["name"])}"{_attributes(widget["attrs"])}>']
    for group_name, options, _ in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(localize(group_name))}">')
        for option in options:
            parts.append(
                f'\n  <option value="{_text(option["value"])}"{_attributes(option["attrs"])}>'
                f"{conditional_escape(localize(option['label']))}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class DrawnInPython:
    """A widget drawn in Python: the same HTML as Django's templates give for an input box, a text area or a
    select box (input.html, textarea.html, select.html with select_option.html and attrs.html, every value
    escaped as they would), without rendering a template for each box and each option. Other widgets are drawn by
    their templates as usual. (A form's template tells a checkbox by its widget's class name, so tick boxes keep
    Django's own widget.)"""

    _drawers = {
        **{
            f"django/forms/widgets/{kind}.html": _input
            for kind in ("input", "text", "number", "hidden", "date", "datetime", "email", "search")
        },
        "django/forms/widgets/textarea.html": _textarea,
        "django/forms/widgets/select.html": _select,
    }

    def _render(self, template_name, context, renderer=None):
        draw = self._drawers.get(template_name)
        if draw is None:
            return super()._render(template_name, context, renderer)
        return mark_safe(draw(context["widget"]))  # noqa: S308  (every value in it is escaped by the drawers)


class QuickSelect(DrawnInPython, forms.Select):
    pass


class QuickTextInput(DrawnInPython, forms.TextInput):
    pass


class QuickNumberInput(DrawnInPython, forms.NumberInput):
    pass


class QuickHiddenInput(DrawnInPython, forms.HiddenInput):
    pass


class QuickTextarea(DrawnInPython, forms.Textarea):
    pass


class QuickDateInput(DrawnInPython, DateInput):
    pass


class LocalDateTimeInput(DrawnInPython, forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def minutes_limits() -> dict[str, object]:
    """The minutes box's limits and the service's words about them, as attributes for the page and its script
    (`{minutes}` in a message stands for the number typed)."""
    return {
        "min": services.USUAL_MINUTES[0],
        "max": services.LONGEST_MINUTES,
        "data-usual-max": services.USUAL_MINUTES[1],
        "data-too-few": services.too_few_minutes_message(),
        "data-too-many": services.too_many_minutes_message("{minutes}"),
        "data-unusual": services.unusual_minutes_message("{minutes}"),
    }


def default_start(*, minutes: int | None, now: datetime | None = None) -> datetime:
    """When a session that has just finished started: `minutes` before now (the quick log is usually filled in just
    after the session), to the minute."""
    now = now or timezone.now()
    return (now - timedelta(minutes=minutes or 0)).replace(second=0, microsecond=0)


def local_moment(naive: datetime) -> datetime:
    """A date and time read off the clock where the organisation is (the page's box) as a moment. When the clocks go
    back, the hour that happens twice is taken as its first time; a time that never happens, in the hour skipped when
    the clocks go forward, is refused in plain words."""
    zone = timezone.get_current_timezone()
    moment = naive.replace(tzinfo=zone)
    if moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise forms.ValidationError(
            f"There is no {naive:%H:%M} on {naive.day} {naive:%b %Y}: the clocks went forward an hour that night. "
            "Please check the time.",
            code="skipped_time",
        )
    return moment.astimezone(UTC)  # in UTC: a time in the hour that happens twice compares as the instant it is


class StartField(forms.DateTimeField):
    """When a session started: a date and time as the page's box gives it, on the organisation's clock, or an exact
    moment with its offset from UTC ("2026-12-06T13:55:00Z"), as the quick log's script sends a start it worked out
    at the moment Save was tapped (so a form sent later, or from a tablet set to another time zone, keeps the
    right time)."""

    default_error_messages = {
        "invalid": "Please give the date and time the session started, for example 6 Dec 2026 at 13:55.",
        "required": "Please say when the session started.",
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value if timezone.is_aware(value) else local_moment(value)
        moment = self._exact_moment(value)
        if moment is not None:
            return moment
        text = str(value).strip()
        for pattern in self.input_formats:
            try:
                return local_moment(datetime.strptime(text, pattern))
            except ValueError:
                continue
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")

    def bound_data(self, data, initial):
        # An exact moment is shown again (after a problem elsewhere on the form) in the box, on the local clock.
        moment = self._exact_moment(data)
        return moment if moment is not None else data

    @staticmethod
    def _exact_moment(value) -> datetime | None:
        if not isinstance(value, str):
            return None
        try:
            moment = parse_datetime(value.strip())
        except ValueError:
            return None
        return moment if moment is not None and timezone.is_aware(moment) else None


class QuickLogForm(forms.Form):
    """The quick session log. Only the duration is required; everything else has a sensible default. Given what the
    page suggests (`selectors.QuickLogSuggestions`), a new log starts with the person's usual length and a start that
    many minutes ago."""

    submission_key = forms.UUIDField(widget=QuickHiddenInput)
    started_at = StartField(
        label="Started", widget=LocalDateTimeInput, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    minutes = forms.IntegerField(
        label="Minutes", widget=QuickNumberInput(attrs={"inputmode": "numeric", "aria-describedby": "minutes-warning"})
    )
    long_session_confirmed = forms.BooleanField(required=False, label="Yes, it really lasted this long")
    place = forms.CharField(max_length=120, required=False, label="Where?")
    planned = forms.TypedChoiceField(
        choices=[("false", "In the moment"), ("true", "Planned")],
        coerce=lambda v: v == "true",
        widget=forms.RadioSelect,
        initial="false",
        label="Planned or in the moment?",
    )
    partners = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label="Who was the partner?"
    )
    fundamentals = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label="Fundamentals seen"
    )
    phases = forms.MultipleChoiceField(
        choices=Phase.choices, required=False, widget=forms.CheckboxSelectMultiple, label="Phases reached"
    )
    techniques = forms.MultipleChoiceField(
        choices=Technique.choices, required=False, widget=forms.CheckboxSelectMultiple, label="Techniques I used"
    )
    outcomes = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label="Plan outcomes this is evidence for"
    )
    enjoyment = forms.TypedChoiceField(
        choices=Enjoyment.choices,
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
        label="How much did they enjoy it?",
    )
    ending = forms.ChoiceField(
        choices=Ending.choices, required=False, widget=forms.RadioSelect, label="How did it end?"
    )
    ending_reason = forms.CharField(max_length=300, required=False, label="Why did you end it?", widget=QuickTextInput)
    what_happened = forms.CharField(
        required=False, max_length=4000, label="What happened", widget=QuickTextarea(attrs={"rows": 3})
    )
    significant_moment = forms.CharField(
        required=False, max_length=4000, label="A significant moment", widget=QuickTextarea(attrs={"rows": 2})
    )
    how_i_did = forms.CharField(
        required=False, max_length=4000, label="How I did", widget=QuickTextarea(attrs={"rows": 2})
    )
    next_time = forms.CharField(
        required=False, max_length=4000, label="Next time", widget=QuickTextarea(attrs={"rows": 2})
    )

    def __init__(self, *args, actor, learner, outcomes, suggestions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.learner = learner
        self.suggestions = suggestions
        self.fields["partners"].queryset = staff_of(learner.organisation)
        # Retired Fundamentals are accepted here so the service can explain, in words, why they cannot be used.
        self.fields["fundamentals"].queryset = selectors.all_fundamentals_of(learner.organisation)
        self.fields["outcomes"].queryset = outcomes
        self.fields["minutes"].widget.attrs.update(minutes_limits())
        self.fields["minutes"].error_messages["required"] = services.too_few_minutes_message()
        if not self.is_bound:
            usual = suggestions.usual.minutes if suggestions else None
            self.initial.setdefault("submission_key", uuid.uuid4())
            if usual is not None:
                self.initial.setdefault("minutes", usual)
            self.initial.setdefault("started_at", timezone.localtime(default_start(minutes=usual)))
            self.initial.setdefault("partners", [actor.user_id])
        self.behaviour_rows = self._behaviour_rows()

    def fundamentals_in_use(self):
        """The Fundamentals to offer: those in use, plus a retired one only if it is already ticked."""
        return [choice for choice in self["fundamentals"] if not _retired(choice) or choice.data["selected"]]

    def fundamentals_offered(self) -> tuple[list, list]:
        """The Fundamentals to offer, in two lists: those the person is working on (from their latest progress
        review), then the others, each in the organisation's order."""
        working_on = self.suggestions.working_on if self.suggestions else None
        wanted = set(working_on.fundamental_ids) if working_on else set()
        choices = self.fundamentals_in_use()
        first = [choice for choice in choices if _value_id(choice) in wanted]
        return first, [choice for choice in choices if _value_id(choice) not in wanted]

    def same_as_last_time(self) -> dict | None:
        """The one-tap "Same as last time" choice: the Fundamentals of the person's previous session (those still in
        use), as ids for the page's script and in words; None when there was no session or it had none."""
        last_time = self.suggestions.last_time if self.suggestions else None
        if last_time is None or not last_time.fundamentals:
            return None
        names = [fundamental.name for fundamental in last_time.fundamentals]
        if len(names) > SAME_AS_LAST_NAMED:  # the rest are seen ticked once it is tapped
            names = [*names[: SAME_AS_LAST_NAMED - 1], f"{len(names) - SAME_AS_LAST_NAMED + 1} more"]
        return {
            "ids": " ".join(str(fundamental.pk) for fundamental in last_time.fundamentals),
            "words": names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1],
            "started_at": last_time.started_at,
        }

    def _behaviour_rows(self) -> list[dict]:
        """Every behaviour row the page posted (rows are added in the browser), in order; at least one."""
        indexes = sorted({int(m.group(1)) for key in self.data if (m := BEHAVIOUR_FIELD.match(key))})
        rows = [_behaviour_row(self.data, i) for i in indexes if self.data.get(f"behaviour-{i}-text", "").strip()]
        return rows or [{"index": 0, "text": "", "novelty": Novelty.TYPICAL}]

    def clean(self):
        data = super().clean()
        if len(self.behaviour_rows) > MAX_BEHAVIOURS:
            raise forms.ValidationError(f"Please record at most {MAX_BEHAVIOURS} behaviours for one session.")
        self._check_never_seen_before()
        return data

    def _check_never_seen_before(self) -> None:
        """A behaviour marked "never seen before" that the person's history already holds is sent back with
        what the history says, to be confirmed as new or marked typical (see practice.novelty)."""
        rows = self.behaviour_rows
        marked_new = [row for row in rows if row["novelty"] == Novelty.NEW and not row.get("confirmed_new")]
        if not marked_new:
            return
        editing = getattr(self, "editing_session", None)
        history = novelty.history_of(
            self.learner,
            leave_out_session_id=editing.pk if editing else None,
            leave_out_form=self.cleaned_data.get("submission_key"),
        )
        for row in marked_new:
            seen = history.seen_before(row["text"])
            if seen is not None:
                row["seen_before"] = seen
                same_words = novelty.normalise(seen.as_recorded) == novelty.normalise(row["text"])
                row["first_written"] = "" if same_words else seen.as_recorded
                self.add_error(
                    None,
                    f"“{row['text'].strip()}” is marked never seen before, but it has been recorded for "
                    f"this person before ({seen.summary()}). "
                    "Please choose below: is it new, or typical?",
                )

    def clean_minutes(self):
        minutes = self.cleaned_data["minutes"]
        if minutes is not None and minutes < services.USUAL_MINUTES[0]:
            raise forms.ValidationError(services.too_few_minutes_message())
        return minutes

    def to_details(self) -> SessionDetails:
        data = self.cleaned_data
        return SessionDetails(
            started_at=data["started_at"],
            minutes=data["minutes"],
            place=data["place"],
            planned=data["planned"],
            partner_ids=[user.pk for user in data["partners"]],
            phases=data["phases"],
            techniques=data["techniques"],
            fundamental_ids=[f.pk for f in data["fundamentals"]],
            outcome_ids=[o.pk for o in data["outcomes"]],
            behaviours=[(row["text"], row["novelty"]) for row in self.behaviour_rows if row["text"].strip()],
            enjoyment=data["enjoyment"],
            ending=data["ending"],
            ending_reason=data["ending_reason"],
            what_happened=data["what_happened"],
            significant_moment=data["significant_moment"],
            how_i_did=data["how_i_did"],
            next_time=data["next_time"],
            long_session_confirmed=data["long_session_confirmed"],
        )


def _behaviour_row(data, i: int) -> dict:
    """One posted behaviour row. After a "seen before" warning the row also carries the answer: "new" (keep it
    as never seen before, but only for the words that were checked) or "typical"."""
    text = data.get(f"behaviour-{i}-text", "")
    chosen = data.get(f"behaviour-{i}-novelty", Novelty.TYPICAL)
    answer = data.get(f"behaviour-{i}-seen", "")
    checked = data.get(f"behaviour-{i}-checked", "")
    confirmed_new = False
    if chosen == Novelty.NEW and answer == "typical":
        chosen = Novelty.TYPICAL
    elif chosen == Novelty.NEW and answer == "new":
        confirmed_new = novelty.behaviour_key(checked) == novelty.behaviour_key(text)
    return {"index": i, "text": text, "novelty": chosen, "confirmed_new": confirmed_new, "seen_before": None}


def _value_id(choice) -> int | None:
    value = choice.data["value"]
    return getattr(value, "value", value)


def _retired(choice) -> bool:
    instance = getattr(choice.data["value"], "instance", None)
    return instance is not None and instance.is_retired


class TimelineFilterForm(forms.Form):
    partner = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any partner", widget=QuickSelect)
    fundamental = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Any Fundamental", widget=QuickSelect
    )
    since = forms.DateField(required=False, label="From", widget=QuickDateInput())
    until = forms.DateField(required=False, label="To", widget=QuickDateInput())
    new_only = forms.BooleanField(required=False, label="Only sessions with something never seen before")

    def __init__(self, *args, learner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = staff_of(learner.organisation)
        self.fields["fundamental"].queryset = selectors.all_fundamentals_of(learner.organisation)

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError("The “From” date is after the “To” date.")
        return data


class FundamentalForm(forms.Form):
    name = forms.CharField(max_length=200, label="Name")
    area = forms.ChoiceField(choices=Fundamental._meta.get_field("area").choices, label="Area")


class OrganisationSettingsForm(forms.Form):
    learner_word = forms.ChoiceField(label="What do you call the people you support?", required=False)
    weekly_session_target = forms.IntegerField(
        min_value=0, max_value=50, label="Sessions a week to aim for, per person"
    )
    progress_scale = forms.ModelChoiceField(queryset=None, empty_label=None, label="Scale for progress reviews")
    correction_days = forms.IntegerField(
        min_value=0,
        max_value=365,
        label="Days staff may correct their own records",
        help_text="For this many days after saving a session or a progress review, the person who saved it may "
        f"correct or withdraw it. After that, only {CORRECTORS_IN_WORDS} can. 0 means only they can.",
        error_messages={
            "min_value": "Please choose a number of days from 0 to 365.",
            "max_value": "Please choose a number of days from 0 to 365.",
            "required": "Please say for how many days staff may correct their own records (7 is usual).",
        },
    )
    media_wait_on_tablets = forms.BooleanField(
        required=False,
        label="Photos, voice notes and clips may wait on a tablet with no connection",
        help_text="When ticked, a photo, voice note or clip taken where there is no signal waits on the tablet with "
        "its session, and is sent with it. It is deleted from the tablet once sent, or when its user logs out. "
        "When not ticked, the session waits but the file is not kept: it is added later, from the session's page.",
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["learner_word"].choices = [("", "The usual word for our setting")] + list(LearnerWord.choices)
        self.fields["progress_scale"].queryset = organisation.scales.all()


class ReviewForm(forms.Form):
    """A progress review: a level for each rated item, with the sessions that are evidence for it."""

    submission_key = forms.UUIDField(widget=forms.HiddenInput)
    reviewed_on = forms.DateField(label="Date of the review", widget=DateInput())
    period_label = forms.CharField(
        max_length=80,
        required=False,
        label="Period",
        widget=forms.TextInput(attrs={"placeholder": "For example: Autumn term 2026"}),
    )
    outcomes = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label="Plan outcomes this review speaks to"
    )
    summary = forms.CharField(
        max_length=4000, required=False, label="Summary", widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, items, levels, outcomes, latest, evidence, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcomes"].queryset = outcomes
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4())
            self.initial.setdefault("reviewed_on", timezone.localdate())
        level_choices = [("", "Not rated this time")] + [(str(level.pk), level.label) for level in levels]
        self.items = items
        for item in items:
            key = item["key"]
            self.fields[key] = forms.ChoiceField(
                choices=level_choices, required=False, label="Level", initial=latest.get(key, "")
            )
            self.fields[f"evidence:{key}"] = forms.MultipleChoiceField(
                choices=[
                    (
                        str(s.pk),
                        f"{timezone.localtime(s.started_at):%d %b}, {s.minutes} min"
                        + (f", {s.place}" if s.place else ""),
                    )
                    for s in evidence(item)
                ],
                required=False,
                widget=forms.CheckboxSelectMultiple,
                label="Evidence",
            )
            item["level_field"] = self[key]
            item["evidence_field"] = self[f"evidence:{key}"]

    def clean(self):
        data = super().clean()
        if not any(data.get(item["key"]) for item in self.items):
            raise forms.ValidationError("Please rate at least one item before saving the review.")
        return data

    def ratings(self) -> list[RatingInput]:
        return [
            RatingInput(
                level_id=int(self.cleaned_data[item["key"]]),
                fundamental_id=item["fundamental"].pk if item["fundamental"] else None,
                area=item["area"],
                evidence_ids=[int(pk) for pk in self.cleaned_data[f"evidence:{item['key']}"]],
            )
            for item in self.items
            if self.cleaned_data.get(item["key"])
        ]


class HomeObservationForm(forms.Form):
    observed_on = forms.DateField(label="When did you notice it?", widget=DateInput())
    text = forms.CharField(
        label="What did you notice?",
        max_length=2000,
        error_messages={"required": "Please write what you noticed."},
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="For example: a new sound, something that made them laugh, a hard night, a new way of asking.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["observed_on"].initial = timezone.localdate()


class FamilyFeedbackForm(forms.Form):
    """The same questions whether the family answers in the portal or staff copy in a paper form."""

    given_on = forms.DateField(label="Date", widget=DateInput())
    given_by_name = forms.CharField(max_length=120, required=False, label="Who in the family filled it in")
    comment = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Anything you would like to tell us",
        help_text="What has changed, what you have noticed, what matters.",
    )
    may_quote = forms.BooleanField(
        required=False,
        label="You may quote my words, without names, in reports to the managers and trustees",
    )

    def __init__(self, *args, on_paper: bool, **kwargs):
        from .models import FAMILY_FEEDBACK_QUESTIONS

        super().__init__(*args, **kwargs)
        self.fields["given_on"].initial = timezone.localdate()
        if not on_paper:
            del self.fields["given_by_name"]
        scale = [(n, str(n)) for n in range(1, 6)]
        for question, statement in FAMILY_FEEDBACK_QUESTIONS:
            self.fields[question] = forms.TypedChoiceField(
                choices=scale,
                coerce=int,
                widget=forms.RadioSelect,
                label=statement,
                help_text="1 = not at all, 5 = very much",
                error_messages={"required": "Please choose from 1 (not at all) to 5 (very much)."},
            )
        self.questions = [self[question] for question, _ in FAMILY_FEEDBACK_QUESTIONS]

    def scores(self) -> dict[str, int]:
        from .models import FAMILY_FEEDBACK_QUESTIONS

        return {question: self.cleaned_data[question] for question, _ in FAMILY_FEEDBACK_QUESTIONS}


# --- Correcting a saved session or review: the same forms, filled in with what was saved -------------------

REASON_HELP = "For example: logged for the wrong person, wrong length, “never seen before” by mistake."


class SessionCorrectionForm(QuickLogForm):
    """The quick log, filled in with a saved session, plus who it was with and why it is being changed."""

    learner = forms.ModelChoiceField(queryset=None, empty_label=None, label="Who was the session with?")
    version = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(max_length=300, required=False, label="What was wrong?", help_text=REASON_HELP)

    def __init__(self, *args, actor, learner, outcomes, session, people, version: str, **kwargs):
        self.editing_session = session  # so checks against the person's history can leave this session out
        initial = {} if args and args[0] is not None else _session_initial(session, version)
        super().__init__(*args, actor=actor, learner=learner, outcomes=outcomes, initial=initial, **kwargs)
        self.fields["submission_key"].required = False
        self.fields["learner"].queryset = people
        self.fields["learner"].label_from_instance = lambda person: person.full_name
        self.fields["partners"].queryset = selectors.partners_for_correction(
            staff=self.fields["partners"].queryset, session=session
        )

    def _behaviour_rows(self) -> list[dict]:
        if self.is_bound:
            return super()._behaviour_rows()
        rows = [
            {"index": i, "text": b.description, "novelty": b.novelty, "confirmed_new": False, "seen_before": None}
            for i, b in enumerate(self.editing_session.behaviours.order_by("pk"))
        ]
        return rows or [{"index": 0, "text": "", "novelty": Novelty.TYPICAL}]


def _session_initial(session, version: str) -> dict:
    return {
        "submission_key": session.submission_key or uuid.uuid4(),
        "learner": session.learner_id,
        "version": version,
        "started_at": timezone.localtime(session.started_at).replace(second=0, microsecond=0),
        **{name: getattr(session, name) for name in Session.FORM_FIELDS},
        "long_session_confirmed": session.minutes > services.USUAL_MINUTES[1],
        "planned": "true" if session.planned else "false",
        "partners": list(session.partners.values_list("pk", flat=True)),
        "fundamentals": list(session.fundamentals.values_list("pk", flat=True)),
        "outcomes": list(session.outcomes.values_list("pk", flat=True)),
    }


class ReviewCorrectionForm(ReviewForm):
    """The progress review form, filled in with a saved review, plus why it is being changed."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        max_length=300,
        required=False,
        label="What was wrong?",
        help_text="For example: a level chosen by mistake, the wrong date, evidence from another day.",
    )

    def __init__(self, *args, review, version: str, **kwargs):
        from .services import rating_key

        ratings = {rating_key(r.fundamental_id, r.area): r for r in review.ratings.all()}
        kwargs["latest"] = {key: str(r.level_id) for key, r in ratings.items()}
        if not (args and args[0] is not None):
            kwargs["initial"] = {
                "submission_key": review.submission_key or uuid.uuid4(),
                "version": version,
                "reviewed_on": review.reviewed_on,
                "period_label": review.period_label,
                "summary": review.summary,
                "outcomes": list(review.outcomes.values_list("pk", flat=True)),
                **{f"evidence:{key}": [str(s.pk) for s in r.evidence.all()] for key, r in ratings.items()},
            }
        super().__init__(*args, **kwargs)
        self.fields["submission_key"].required = False

    def offered(self) -> set[str]:
        """The items this form showed: an offered item left unrated loses its rating."""
        return {item["key"] for item in self.items}


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        label="Why are you withdrawing it?",
        help_text="For example: logged for the wrong person, or recorded twice. Everyone who can see the audit "
        "trail will read this.",
        error_messages={"required": "Please say why, in a few words."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class RestoreForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput, initial="restore")
    reason = forms.CharField(
        max_length=300,
        label="Why are you bringing it back?",
        help_text="For example: it was withdrawn by mistake. Everyone who can see the audit trail will read this.",
        error_messages={"required": "Please say why, in a few words."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
