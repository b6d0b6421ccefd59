"""About me: the one page a new member of staff reads before a session with someone (served under
/learners/<id>/ as learners:about): their communication profile with what the practice record adds to it."""

from django.shortcuts import render

from attunement.learners.access import learner_page
from attunement.learners.policies import learner_policy

from .selectors import active_outcomes, home_observations_of, new_behaviour_moments


@learner_page("view_records", reads="profile")
def about_me(request, learner):
    return render(
        request,
        "learners/about_me.html",
        {
            "learner": learner,
            "profile": getattr(learner, "profile", None),
            "key_people": learner.key_people.all(),
            "outcomes": active_outcomes(learner=learner),
            "new_moments": new_behaviour_moments(actor=request.membership, learner=learner),
            "home_notes": home_observations_of(actor=request.membership, learner=learner),
            "may": {
                action: learner_policy.allows(request.membership, action, learner)
                for action in ("edit", "edit_profile", "manage_plans", "record_session", "review_progress")
            },
        },
    )
