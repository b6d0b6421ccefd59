"""One template, two forms: the web page, and the same report as a PDF for printing and sending."""

import mimetypes
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string


def _local_files_only(url: str, **kwargs):
    """Reports are drawn from our own files only: static files by path, and pictures already inside the page
    (data: addresses). Anything else is refused, so a report never fetches from the network (or from this
    server, which may be busy drawing it)."""
    from urllib.request import urlopen

    from weasyprint.urls import URLFetcherResponse

    prefix = "file:///static/"
    if url.startswith(prefix):
        found = finders.find(url.removeprefix(prefix))
        if found:
            path = Path(found)
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": kind})
    if url.startswith("data:"):
        with urlopen(url) as inline:  # the standard library reads data: addresses without any network
            return URLFetcherResponse(
                url, body=inline.read(), headers={"Content-Type": inline.headers.get_content_type()}
            )
    raise ValueError(f"Reports do not load {url}")


# Tagged PDF for accessibility (PDF/UA-1): headings, paragraphs, lists and tables carry their structure, the
# document has a language and a title, so a screen reader reads it as it reads the web page. Reports go to
# families and local authorities.
PDF_VARIANT = "pdf/ua-1"


def prepared_facts(request) -> dict:
    """Who prepared a report, for whom and when: printed on every page of the PDF."""
    from django.utils import timezone

    user = request.user
    membership = getattr(request, "membership", None)
    return {
        "prepared_on": timezone.localdate(),
        "prepared_by_name": user.get_full_name().strip() or user.short_name,
        "organisation": getattr(membership, "organisation", None),
    }


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url="file:///", url_fetcher=_local_files_only).write_pdf(
        pdf_variant=PDF_VARIANT, pdf_tags=True
    )


def pdf_response(request, template: str, context: dict, filename: str) -> HttpResponse:
    html = render_to_string(
        template,
        {**prepared_facts(request), **context, "pdf": True, "static_root": "file:///static/"},
        request=request,
    )
    pdf = render_pdf(html)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def data_uri_of(field_file) -> str:
    """A stored picture as a data: address, so the PDF needs no second request for it."""
    import base64

    with field_file.open("rb") as handle:
        data = handle.read()
    kind = mimetypes.guess_type(field_file.name)[0] or "image/jpeg"
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"
