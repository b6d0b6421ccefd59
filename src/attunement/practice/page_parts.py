"""Parts of the practice pages that apps above practice draw (a session's videos and their measurements, the link
to its codings, a person's interaction measured over time, what needs the member on the home page), so the
practice app need not know those apps.

An app registers a provider for a page, usually in its AppConfig.ready():

    from attunement.practice.page_parts import SESSION, PagePart, page_part

    @page_part(SESSION)
    def videos_box(actor, session) -> PagePart | None:
        return PagePart(template="…", order=10, context={…})

The page's view asks every provider once, with a record the actor may see (it came through the scope), and the
template includes each part's template with ``part`` in its context. A provider reads through its app's
selectors; the template only draws what it is given.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from attunement.learners.models import Learner
from attunement.organisations.models import Membership

from .models import Session

SESSION = "session"  # a session's page; the provider is given the session
PROGRESS = "progress"  # a person's progress page; the provider is given the person
HOME = "home"  # the home page (and a family member's page about their person); the provider is given None
LEADING = "leading"  # a line of the home page's "Leading Intensive Interaction" links; the provider is given None


@dataclass(frozen=True)
class PagePart:
    template: str
    order: int
    context: dict = field(default_factory=dict)


PartProvider = Callable[[Membership, object], PagePart | None]

_providers: dict[str, list[PartProvider]] = {SESSION: [], PROGRESS: [], HOME: [], LEADING: []}


def page_part(page: str) -> Callable[[PartProvider], PartProvider]:
    def register(provider: PartProvider) -> PartProvider:
        if provider not in _providers[page]:
            _providers[page].append(provider)
        return provider

    return register


def _parts(page: str, actor: Membership, record) -> list[PagePart]:
    parts = (provider(actor, record) for provider in _providers[page])
    return sorted((part for part in parts if part is not None), key=lambda part: part.order)


def session_parts(actor: Membership, session: Session) -> list[PagePart]:
    """What the other apps show on this session's page, in their order; nothing for a withdrawn session, which
    takes its videos and codings with it."""
    return [] if session.is_withdrawn else _parts(SESSION, actor, session)


def progress_parts(actor: Membership, learner: Learner) -> list[PagePart]:
    return _parts(PROGRESS, actor, learner)


def home_parts(actor: Membership) -> list[PagePart]:
    """What the other apps show on the member's home page (what needs them: notifications)."""
    return _parts(HOME, actor, None)


def leading_parts(actor: Membership) -> list[PagePart]:
    """The links other apps add to the home page's "Leading Intensive Interaction" list, each its own line."""
    return _parts(LEADING, actor, None)
