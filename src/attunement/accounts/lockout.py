def username_of_attempt(request, credentials) -> str | None:
    """The account a login attempt was for, whatever the credentials call it (email, username or login)."""
    credentials = credentials or {}
    for key in ("email", "username", "login"):
        value = credentials.get(key) or (request.POST.get(key) if request is not None else None)
        if value:
            return str(value).strip().lower()
    return None
