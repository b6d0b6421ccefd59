from .policies import is_staff_member


def organisation(request):
    membership = getattr(request, "membership", None)
    if membership is None:
        return {"membership": None, "word": "person", "words": "people"}
    one, many = membership.organisation.word
    return {
        "membership": membership,
        "organisation": membership.organisation,
        "word": one,
        "words": many,
        "other_memberships": [m for m in request.memberships if m.pk != membership.pk],
        "records_sessions": is_staff_member(membership),
    }
