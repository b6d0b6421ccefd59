from django.core.exceptions import ValidationError


def service_messages(error: ValidationError) -> list[str]:
    """A service's plain-words validation messages as one list, for a page that has no form to show them on."""
    if hasattr(error, "error_dict"):
        return [message for messages in error.message_dict.values() for message in messages]
    return list(error.messages)


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's plain-words validation messages on the form, beside the right fields."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def catalogue_add(request, *, form, policy, add, added_message, redirect_to: str):
    """The "add an item" half of a catalogue page (Fundamentals, ethogram codes): refuse a post from someone
    whose role may not change the list (the policy's "manage" rule and sentence), save a valid form through the
    service, or show its plain-words errors. Returns the redirect after a save, or None so the page is drawn
    again (with any errors)."""
    from django.contrib import messages
    from django.shortcuts import redirect

    if request.method != "POST":
        return None
    policy.require(request.membership, "manage")
    if form.is_valid():
        try:
            added = add(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, added_message(added))
            return redirect(redirect_to)
    return None
