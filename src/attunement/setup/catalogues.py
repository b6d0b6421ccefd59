"""An organisation's own lists, as it starts: the Fundamentals of Communication, the training list and the
Intensive Interaction ethogram. Called when an organisation is set up; the data migrations
(practice 0010, means 0002, reflection 0007) did the same for organisations that existed before."""

from attunement.codings.services import create_default_ethogram
from attunement.means.services import create_default_courses
from attunement.organisations.models import Organisation
from attunement.practice.services import create_default_fundamentals


def ensure_default_catalogues(organisation: Organisation) -> None:
    """Give the organisation each default list it lacks; a list with any entry (even retired) is left alone."""
    create_default_fundamentals(organisation)
    create_default_courses(organisation)
    create_default_ethogram(organisation)
