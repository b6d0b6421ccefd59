"""How every form is drawn, and the file-size limits forms state.

`FORM_RENDERER` points at `FormRenderer`: `{{ field.as_field_group }}` draws any field through
`templates/forms/field.html`, which ties its label, help text and error to the input (Django puts
`aria-describedby` and `aria-invalid` on the widget; the template gives the help text and the error the ids
they name). Every form page lists its problems at the top with `{% error_summary form %}`
(`organisations/templatetags/error_summary.py`), each linked to its field.
"""

from dataclasses import dataclass
from pathlib import Path

import django.forms
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property, lazy

TEMPLATES = Path(__file__).resolve().parent / "templates"


class FormRenderer(DjangoTemplates):
    """Django's own widget templates, plus the project's field and form templates."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"

    @cached_property
    def engine(self):
        widgets = Path(django.forms.__file__).resolve().parent / "templates"
        return self.backend({"APP_DIRS": True, "DIRS": [TEMPLATES, widgets], "NAME": "attunement-forms", "OPTIONS": {}})


def size_in_words(size: int) -> str:
    """A number of bytes as people say it: "5 MB", "2 GB", "1.5 MB"."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}".replace(".0 ", " ")
    return f"{size} bytes"


@dataclass(frozen=True)
class Problem:
    """One line of an error summary: the message, and the id of the input it is about (if any)."""

    text: str
    anchor: str = ""


def problems_of(form) -> list[Problem]:
    """A form's or formset's errors in page order, each with the id of the input to jump to."""
    if isinstance(form, forms.BaseFormSet):
        problems = [Problem(str(e)) for e in form.non_form_errors()]
        for member in form.forms:
            problems += problems_of(member)
        return problems
    if not isinstance(form, forms.BaseForm) or not form.is_bound:
        return []
    problems = [Problem(str(e)) for e in form.non_field_errors()]
    for field in form:
        for error in field.errors:
            if field.is_hidden:
                problems.append(Problem(str(error)))
            else:
                problems.append(Problem(_named(field.label, error), field_anchor(field)))
    return problems


def _named(label, error) -> str:
    """ "Minutes: Please enter …", or "Where? Please enter …" for a label that is a question."""
    if not label:
        return str(error)
    label = str(label).strip()
    return f"{label} {error}" if label[-1] in "?!.:" else f"{label}: {error}"


def field_anchor(field) -> str:
    """The id of the first input of a field: a group of radio buttons or boxes links to its first one."""
    if field.use_fieldset and field.subwidgets:
        return field.subwidgets[0].id_for_label
    return field.id_for_label


@dataclass(frozen=True)
class FileSizeLimit:
    """The largest file of one kind, read from a setting whenever it is used: the form's check, its help
    text, the attributes the page's script reads and the service's own check all follow that one setting.
    `too_big` and any help text may say `{limit}` ("5 MB")."""

    setting: str
    too_big: str

    @property
    def max_bytes(self) -> int:
        return getattr(settings, self.setting)

    def in_words(self) -> str:
        return size_in_words(self.max_bytes)

    def message(self) -> str:
        return self.too_big.format(limit=self.in_words())

    def check(self, size: int | None, *, field: str | None = None) -> None:
        """Refuse a file of `size` bytes over the limit (the message keyed by `field`, for a service)."""
        if size is not None and size > self.max_bytes:
            raise ValidationError({field: self.message()} if field else self.message(), code="too_big")

    def attrs(self) -> dict[str, object]:
        """For the file input: its script refuses a larger file before sending it, with the same words."""
        return {"data-max-bytes": self.max_bytes, "data-too-big": self.message()}

    def describe(self, text: str):
        """Help text that names the limit, worked out each time it is shown."""
        return lazy(lambda: text.format(limit=self.in_words()), str)()


class SizeLimitedFileInput(forms.ClearableFileInput):
    limit: FileSizeLimit | None = None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if self.limit is not None:
            context["widget"]["attrs"].update(self.limit.attrs())
        return context


class SizeLimitedMixin:
    """A file field that refuses files over `limit` and tells the page (and its script) what the limit is."""

    def __init__(self, *, limit: FileSizeLimit, help_text: str = "", **kwargs):
        self.limit = limit
        kwargs.setdefault("widget", SizeLimitedFileInput)
        super().__init__(help_text=limit.describe(help_text) if help_text else "", **kwargs)
        self.widget.limit = limit

    def to_python(self, data):
        if data not in self.empty_values and hasattr(data, "size"):
            self.limit.check(data.size)
        return super().to_python(data)


class SizeLimitedFileField(SizeLimitedMixin, forms.FileField):
    pass


class SizeLimitedImageField(SizeLimitedMixin, forms.ImageField):
    pass
