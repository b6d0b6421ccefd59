"""The fixed words of the practice: session phases, partner techniques, endings, the default
Fundamentals of Communication and the progress scales offered to organisations."""

from django.db import models


class Phase(models.TextChoices):
    TUNING_IN = "tuning_in", "Tuning in"
    MIRRORING = "mirroring", "Mirroring and responding"
    TURN_TAKING = "turn_taking", "Turn-taking and pacing"
    SHARED_ENJOYMENT = "shared_enjoyment", "Shared enjoyment"
    EXPANDING = "expanding", "Expanding"
    BUILDING = "building", "Building fundamentals"


class Technique(models.TextChoices):
    JOINING_IN = "joining_in", "Joining in"
    MIRRORING = "mirroring", "Imitating / mirroring"
    VOCAL_ECHO = "vocal_echo", "Vocal echoing"
    COMMENTING = "commenting", "Commenting"
    WAITING = "waiting", "Waiting with an available look"
    BURST_PAUSE = "burst_pause", "Burst–pause"
    TURN_TAKING = "turn_taking", "Turn-taking"
    JOINT_FOCUS = "joint_focus", "Joint focus"
    PERSONAL_SPACE = "personal_space", "Sharing personal space"
    PHYSICAL_CONTACT = "physical_contact", "Physical contact"
    PACE = "pace", "Adjusting my pace and energy"
    AS_IF_MEANT = "as_if_meant", "Responding as if it were meant"


class Ending(models.TextChoices):
    HAD_ENOUGH = "had_enough", "They had enough"
    NATURAL = "natural", "Natural end"
    INTERRUPTED = "interrupted", "Interrupted"
    PARTNER_ENDED = "partner_ended", "I ended it"


class Enjoyment(models.IntegerChoices):
    LOW = 1, "Not much"
    SOME = 2, "Some"
    HIGH = 3, "Lots"


class Novelty(models.TextChoices):
    TYPICAL = "typical", "Typical"
    RARE = "rare", "Rarely seen"
    NEW = "new", "Never seen before"


class Area(models.TextChoices):
    COMMUNICATION = "communication", "Communication"
    EMOTIONAL = "emotional", "Emotional development and well-being"


DEFAULT_FUNDAMENTALS = [
    (Area.COMMUNICATION, "Enjoying being with another person"),
    (Area.COMMUNICATION, "Attending to that person"),
    (Area.COMMUNICATION, "Concentration and attention span"),
    (Area.COMMUNICATION, "Doing sequences of activity with another person"),
    (Area.COMMUNICATION, "Taking turns in exchanges of behaviour"),
    (Area.COMMUNICATION, "Sharing personal space"),
    (Area.COMMUNICATION, "Using and understanding eye contact"),
    (Area.COMMUNICATION, "Using and understanding facial expressions"),
    (Area.COMMUNICATION, "Using and understanding physical contact"),
    (Area.COMMUNICATION, "Using and understanding other non-verbal communication"),
    (Area.COMMUNICATION, "Vocalising and using vocalisations meaningfully (including speech)"),
    (Area.COMMUNICATION, "Learning to regulate and control arousal levels"),
    (Area.EMOTIONAL, "Knowing that others care"),
    (Area.EMOTIONAL, "Feeling safe, secure and calm"),
    (Area.EMOTIONAL, "Sense of self and self-esteem"),
    (Area.EMOTIONAL, "Starting to understand feelings"),
    (Area.EMOTIONAL, "Trust and empathy"),
]


def default_fundamentals() -> list[dict]:
    """The default Fundamentals as catalogue entries (see attunement.catalogue.defaults)."""
    return [{"name": name, "area": area.value} for area, name in DEFAULT_FUNDAMENTALS]


class Rates(models.TextChoices):
    FUNDAMENTALS = "fundamentals", "Each Fundamental of Communication"
    ENGAGEMENT_AREAS = "engagement_areas", "The Engagement Model's five areas"


ENGAGEMENT_AREAS = [
    ("exploration", "Exploration"),
    ("realisation", "Realisation"),
    ("anticipation", "Anticipation"),
    ("persistence", "Persistence"),
    ("initiation", "Initiation"),
]

SCALE_PRESETS = [
    {
        "key": "default",
        "name": "Fundamentals: how established",
        "rates": Rates.FUNDAMENTALS,
        "optional": False,
        "note": "A simple local scale for how well each Fundamental is established. "
        "There is no official Intensive Interaction progress scale.",
        "levels": [
            ("Not yet seen", "We have not seen this yet."),
            ("Emerging", "Seen now and then, usually with a familiar partner."),
            ("Established", "Seen reliably in most sessions."),
            ("Generalising", "Seen with different people, in different places."),
        ],
    },
    {
        "key": "engagement_7",
        "name": "Engagement levels (optional, 7 levels)",
        "rates": Rates.FUNDAMENTALS,
        "optional": True,
        "note": "An optional local tool, usually rated every 30 seconds over a 3-minute filmed baseline. "
        "Leaders in the field question whether engagement can be reduced to levels; use it alongside "
        "your own observations, never instead of them.",
        "levels": [
            ("Encounter", "Present during the activity, without obvious awareness."),
            ("Awareness", "Notices that something is going on."),
            ("Attention and response", "Attends and begins to respond, often inconsistently."),
            ("Engagement", "Consistent attention to the partner or activity."),
            ("Participation", "Shares, turn-takes, anticipates familiar sequences."),
            ("Involvement", "Actively joins in, says or does something."),
            ("Initiating interactions", "Starts an interaction without being prompted."),
        ],
    },
    {
        "key": "engagement_model",
        "name": "Engagement Model: how established each area is",
        "rates": Rates.ENGAGEMENT_AREAS,
        "optional": True,
        "note": "For schools in England reporting against the Engagement Model. Each of the five areas is "
        "judged by how established it is, not by levels of achievement.",
        "levels": [
            ("Not yet seen", "Not observed yet."),
            ("Emerging", "Beginning to show, with a lot of support."),
            ("Developing", "Shown more often, in familiar situations."),
            ("Established", "Shown consistently, across people and places."),
        ],
    },
]
