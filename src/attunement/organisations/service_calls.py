"""How a page calls a service, in one place.

A service refuses with PermissionDenied, whose message is the policy's sentence ("Only co-ordinators and
administrators can …"): a view lets it through, and Django draws the 403 page with that message. A service
explains bad input with ValidationError: `errors_onto(form)` puts its messages beside the form's fields (the page
is then drawn again, with `form_status`'s 400), and `errors_as_message(request)` shows them at the top of the
page a view redirects to, for a button with no form of its own.

    if request.method == "POST" and form.is_valid():
        with errors_onto(form):
            services.plan_create(actor=actor, learner=learner, **form.cleaned_data)
            messages.success(request, "The plan is saved.")
            return redirect("learners:plans", learner_id=learner.pk)
    return render(request, "learners/plan_edit.html", {"form": form}, status=form_status(form))

An EditConflict (someone else saved first) is a ValidationError too, but a page answers it differently (409, with
their version beside yours), so a view that handles it catches it before these see it.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib import messages
from django.core.exceptions import ValidationError

from .forms_util import add_service_errors, service_messages


@contextmanager
def errors_onto(form) -> Iterator[None]:
    """Run the block; if the service says the input is wrong, show why on `form` and carry on after the block."""
    try:
        yield
    except ValidationError as error:
        add_service_errors(form, error)


@contextmanager
def errors_as_message(request, prefix: str = "Nothing was saved: ") -> Iterator[None]:
    """Run the block; if the service says the input is wrong, say why at the top of the next page."""
    try:
        yield
    except ValidationError as error:
        messages.error(request, prefix + " ".join(service_messages(error)))


def form_status(*forms) -> int:
    """400 when any of the page's forms (or formsets) was sent back with problems, else 200."""
    for form in forms:
        if form is None:
            continue
        if getattr(form, "total_error_count", None) is not None:
            if form.total_error_count():
                return 400
        elif form.errors:
            return 400
    return 200
