from .selectors import memberships_of

ACTIVE_ORGANISATION_KEY = "active_organisation_id"


class ActiveOrganisationMiddleware:
    """Puts the membership the user is acting through on `request.membership` (None if they have none).

    A user who belongs to several organisations chooses one; every page then works inside it only.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        if request.user.is_authenticated:
            memberships = list(memberships_of(request.user))
            wanted = request.session.get(ACTIVE_ORGANISATION_KEY)
            chosen = next((m for m in memberships if m.organisation_id == wanted), None)
            request.membership = chosen or (memberships[0] if memberships else None)
            request.memberships = memberships
        return self.get_response(request)
