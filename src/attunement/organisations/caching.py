"""No page of the application is kept by a browser or a proxy: almost every one names a person, and a shared
tablet's back button or cache must not show the last user's pages to the next one."""

from django.conf import settings

NO_STORE = "no-store, private"


class NoStoreMiddleware:
    """Mark every answer `Cache-Control: no-store, private` (and `Pragma: no-cache` for old caches), except
    the static files, which name no one, and an answer its view marked `names_no_one` (the installed app's service
    worker and manifest, the same for everyone). A view that set
    caching of its own loses it, unless it already said no-store (then its header is kept as it is)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(self.static_prefix) or getattr(response, "names_no_one", False):
            return response  # a view's file that is the same for everyone (the app's service worker) says so
        if "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = NO_STORE
        response.headers.pop("Expires", None)
        response["Pragma"] = "no-cache"
        return response
