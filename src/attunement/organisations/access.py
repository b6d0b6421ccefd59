"""What every page needs before it starts: a logged-in user acting through a membership."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


def member_required(view):
    """Log in first; a user with no organisation sees a plain explanation instead of an error."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.membership is None:
            return render(request, "organisations/no_membership.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper
