"""Who may do each privacy action for one person. `LearnerPolicy.actions` includes these, so that
`learner_page(action)` guards the privacy pages exactly like every other page about a person.

Kept here, importing nothing but the role sets, so `learners.policies` can import it without a cycle.
"""

from attunement.organisations.policies import LEADERSHIP_ROLES, ORGANISATION_WIDE_ROLES, STAFF_ROLES

PRIVACY_ACTIONS = {
    # Practitioners and therapists assigned to the person see consent, so they know what they may film.
    "view_consents": STAFF_ROLES,
    "record_consent": ORGANISATION_WIDE_ROLES,
    "withdraw_consent": ORGANISATION_WIDE_ROLES,
    # A hold only stops deletion, so everyone who sees the whole organisation may place or lift one.
    "manage_hold": ORGANISATION_WIDE_ROLES,
    "export": LEADERSHIP_ROLES,
    "erase": LEADERSHIP_ROLES,
}
