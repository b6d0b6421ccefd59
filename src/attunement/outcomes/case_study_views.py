"""The co-ordinator's review of an anonymised case study: every quoted sentence, with names replaced by roles,
to read, edit or leave out, then "Release case study"."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from attunement.learners.access import learner_page

from .case_studies import case_study_release, draft_sentences, release_for
from .periods import period_from

KIND_LABELS = {
    "first time": "Seen for the first time",
    "special moment": "A special moment",
    "family": "The family's words",
}


@learner_page("release_case_study", reads="case_study_review", methods=("GET", "POST"))
def case_study_review(request, learner):
    actor = request.membership
    params = request.POST if request.method == "POST" else request.GET
    period, problem = period_from(params)
    drafts = draft_sentences(actor=actor, learner=learner, period=period)
    errors: dict[str, list[str]] = {}
    posted: dict[str, str] = {}
    left_out: set[str] = set()
    if request.method == "POST":
        sources = request.POST.getlist("source")
        posted = {source: request.POST.get(f"text-{source}", "") for source in sources}
        left_out = {source for source in sources if request.POST.get(f"leave-out-{source}")}
        try:
            case_study_release(actor=actor, learner=learner, period=period, texts=posted, left_out=left_out)
        except ValidationError as error:
            errors = error.message_dict
        else:
            messages.success(request, "The case study is released. Only the sentences you checked appear in it.")
            url = reverse("learners:report", args=[learner.pk, "case-study"])
            return redirect(f"{url}?since={period.since:%Y-%m-%d}&until={period.until:%Y-%m-%d}")
    rows = [
        {
            "source": s.source,
            "label": KIND_LABELS.get(s.kind, s.kind),
            "written": s.written,
            "suggested": s.suggested,
            "text": posted.get(s.source, s.suggested),
            "left_out": s.source in left_out,
            "errors": errors.get(s.source, []),
            "field": "text-" + s.source.replace(":", "-"),
        }
        for s in drafts
    ]
    response = render(
        request,
        "outcomes/case_study_review.html",
        {
            "learner": learner,
            "period": period,
            "problem": problem,
            "rows": rows,
            "has_errors": bool(errors),
            "release": release_for(learner=learner, period=period),
        },
        status=400 if errors else 200,
    )
    return response
