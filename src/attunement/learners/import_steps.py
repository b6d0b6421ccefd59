"""The steps every spreadsheet import shares: upload the file, say which column is which, then check what each
row would do and confirm.

The people import (`learners.views`) and the staff import (`members.views`) differ only in what their rows mean
and in their preview; both read the file with `sheet_reading.read_sheet`, guess and check the columns with
`importing.guess_columns` and `importing.columns_problem`, and keep the parsed rows in the member's server-side
session (never as a file) under their own key, tied to the membership. An `ImportSteps` names what differs.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from attunement.organisations.forms_util import service_messages
from attunement.organisations.service_calls import form_status

from . import importing
from .forms import ImportColumnsForm, ImportUploadForm
from .sheet_reading import SheetProblem, read_sheet


@dataclass(frozen=True)
class ImportSteps:
    session_key: str  # where the upload being imported is kept in the session
    columns: tuple[importing.Column, ...]
    upload_url: str  # URL names of the three steps
    columns_url: str
    preview_url: str
    rows_of: str  # what a row is, in words: "people", "staff"

    @property
    def columns_key(self) -> str:
        """The last choice of columns, with the headings it was made for."""
        return f"{self.session_key}_columns"

    @property
    def column_keys(self) -> tuple[str, ...]:
        return tuple(column.key for column in self.columns)

    def state(self, request) -> dict | None:
        """The upload being imported, if it belongs to this member in this organisation."""
        state = request.session.get(self.session_key)
        if not state or state.get("membership") != request.membership.pk:
            return None
        return state

    def rows(self, state: dict) -> list[tuple[int, list[str]]]:
        return [(line, cells) for line, cells in state["rows"]]

    def mapping(self, state: dict) -> dict[str, int | None]:
        return {key: state["mapping"].get(key) for key in self.column_keys}

    def columns_problem(self, state: dict) -> str | None:
        return importing.columns_problem(self.mapping(state), len(state["headings"]), self.columns)

    def used_columns(self, state: dict) -> list[tuple[importing.Column, str]]:
        mapping = self.mapping(state)
        return [
            (column, state["headings"][mapping[column.key]])
            for column in self.columns
            if mapping[column.key] is not None
        ]

    def forget(self, request) -> None:
        request.session.pop(self.session_key, None)

    def upload_page(self, request, template: str, context: dict):
        """Read the uploaded file into the session; go on to the columns (if they need a word) or the preview."""
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                sheet = read_sheet(upload.read(), max_rows=settings.PEOPLE_IMPORT_MAX_ROWS)
            except SheetProblem as problem:
                form.add_error("file", str(problem))
            else:
                if not sheet.rows:
                    form.add_error("file", f"The file has headings but no rows of {self.rows_of} under them.")
                else:
                    return self._keep(request, upload.name, sheet)
        return render(
            request,
            template,
            {
                "form": form,
                "steps": self,
                "columns": self.columns,
                "max_rows": f"{settings.PEOPLE_IMPORT_MAX_ROWS:,}",
                **context,
            },
            status=form_status(form),
        )

    def _keep(self, request, name: str, sheet):
        # A corrected file with the same headings keeps the columns chosen for the last one.
        remembered = request.session.get(self.columns_key) or {}
        same_headings = remembered.get("headings") == sheet.headings
        if same_headings:
            mapping = remembered["mapping"]
        else:
            mapping = importing.guess_columns(sheet.headings, self.columns)
        state = {
            "membership": request.membership.pk,
            "name": name[:200],
            "kind": sheet.kind,
            "encoding": sheet.encoding,
            "notes": sheet.notes,
            "headings": sheet.headings,
            "rows": sheet.rows,
            "mapping": mapping,
        }
        request.session[self.session_key] = state
        unknown = importing.unrecognised_headings(sheet.headings, mapping)
        if not same_headings and (self.columns_problem(state) or unknown):
            return redirect(self.columns_url)
        return redirect(self.preview_url)

    def columns_page(self, request):
        state = self.state(request)
        if state is None:
            messages.info(request, "Please upload the spreadsheet first.")
            return redirect(self.upload_url)
        initial = {key: "" if index is None else str(index) for key, index in self.mapping(state).items()}
        form = ImportColumnsForm(
            request.POST or None, headings=state["headings"], columns=self.columns, initial=initial
        )
        if request.method == "POST" and form.is_valid():
            mapping = form.mapping()
            problem = importing.columns_problem(mapping, len(state["headings"]), self.columns)
            if problem:
                form.add_error(None, problem)
            else:
                state["mapping"] = mapping
                request.session[self.session_key] = state
                request.session[self.columns_key] = {"headings": state["headings"], "mapping": mapping}
                return redirect(self.preview_url)
        examples = [cells for _, cells in state["rows"][:3]]
        unknown = importing.unrecognised_headings(state["headings"], self.mapping(state))
        return render(
            request,
            "learners/import_columns.html",
            {"form": form, "state": state, "examples": examples, "unknown": unknown, "steps": self},
            status=form_status(form),
        )

    def preview_page(
        self,
        request,
        *,
        template: str,
        plan: Callable,
        apply: Callable,
        changed: type[Exception],
        done: Callable[[object], str],
        done_url: str,
        discarded: str,
    ):
        """The last step: what each row would do (`plan(rows, mapping)`), and on confirm `apply(rows, mapping,
        digest)`, which saves all or nothing, refusing with `changed` (409) when the records changed since the
        preview was shown, or with a ValidationError (400). After a save, says `done(applied)` on `done_url`."""
        state = self.state(request)
        if state is None:
            messages.info(request, "Please upload the spreadsheet first.")
            return redirect(self.upload_url)
        rows, mapping = self.rows(state), self.mapping(state)
        problem, status = None, 200
        if request.method == "POST":
            if request.POST.get("action") == "discard":
                self.forget(request)
                messages.info(request, discarded)
                return redirect(self.upload_url)
            try:
                applied = apply(rows, mapping, request.POST.get("digest", ""))
            except changed as error:
                problem, status = " ".join(service_messages(error)), 409
            except ValidationError as error:
                problem, status = " ".join(service_messages(error)), 400
            else:
                self.forget(request)
                messages.success(request, done(applied))
                return redirect(done_url)
        if columns_problem := self.columns_problem(state):
            messages.info(request, columns_problem)
            return redirect(self.columns_url)
        shown = plan(rows, mapping)
        counts = {action: shown.count(action) for action in shown.actions}
        context = {
            "state": state,
            "plan": shown,
            "used": self.used_columns(state),
            "problem": problem,
            "counts": counts,
        }
        return render(request, template, context, status=status)
