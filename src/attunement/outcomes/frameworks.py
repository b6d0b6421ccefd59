"""The inspectors' own frameworks, and which of Attunement's figures is evidence for which part of them.

Schools in England are inspected by Ofsted under its renewed education inspection framework, in force from
10 November 2025: a report card grades each evaluation area (inclusion; curriculum and teaching;
achievement; attendance and behaviour; personal development and well-being; leadership and governance;
plus early years and sixth form where a school has them), and safeguarding is judged "met" or "not met".

Adult social care services are assessed by the CQC under its single assessment framework: five key
questions (safe, effective, caring, responsive, well-led), each with "we statements" called quality
statements.

Sources are listed in docs/user-guide.md ("What each pack's figures mean"). Attunement records Intensive
Interaction practice only: its figures are some of the evidence for these areas, never a judgement of them.
The mapping below says which area a figure speaks to and why, in one line.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Area:
    name: str
    about: str  # what the inspector looks at, in a few plain words
    figures: tuple[tuple[str, str], ...]  # (figure key, the part of the framework it is evidence for)


OFSTED = (
    "Ofsted's renewed education inspection framework (report cards, from November 2025)",
    "What it shows in this area",
    "Safeguarding (judged met or not met), early years and sixth form are not covered here: these records hold "
    "no evidence for them.",
    [
        Area(
            "Inclusion",
            "Whether pupils with SEND, and others who may face barriers, get the support they need.",
            (
                ("people", "who takes part"),
                ("per_week", "how often each pupil gets this support"),
                ("target", "support at the planned frequency"),
            ),
        ),
        Area(
            "Curriculum and teaching",
            "What pupils are taught and how well it is taught, adapted to their needs.",
            (
                ("sessions", "the approach in practice"),
                ("hours", "time given to it"),
                ("in_moment", "adapting to the pupil in the moment"),
            ),
        ),
        Area(
            "Achievement",
            "What pupils achieve, measured against where they started.",
            (
                ("moved", "progress from each pupil's own starting point"),
                ("new", "new communication and social behaviours"),
            ),
        ),
        Area(
            "Attendance and behaviour",
            "Pupils' engagement and attitudes, and how their behaviour is understood and supported.",
            (
                ("lots", "engagement"),
                ("had_enough", "pupils' own signals respected"),
            ),
        ),
        Area(
            "Personal development and well-being",
            "Pupils' well-being, relationships and wider development, including what families see.",
            (
                ("families", "families' view"),
                ("family_understand", "families' view"),
                ("family_connected", "relationships"),
                ("family_enjoy", "well-being"),
            ),
        ),
        Area(
            "Leadership and governance",
            "How leaders develop staff, check the quality of the work and keep records properly.",
            (
                ("staff", "staff who do this work"),
                ("inducted", "staff training"),
                ("meetings", "staff development"),
                ("video_reflections", "checking and improving practice"),
                ("holds", "records kept properly"),
            ),
        ),
    ],
)

CQC = (
    "the CQC's single assessment framework (five key questions and their quality statements)",
    "CQC quality statement",
    "Only the quality statements these records hold evidence for are listed; the others are not covered here.",
    [
        Area(
            "Safe",
            "People are protected from harm, by enough staff with the right skills.",
            (
                ("staff", "Safe and effective staffing"),
                ("inducted", "Safe and effective staffing"),
            ),
        ),
        Area(
            "Effective",
            "Care and support achieve good outcomes and follow good evidence.",
            (
                ("people", "Delivering evidence-based care and treatment"),
                ("sessions", "Delivering evidence-based care and treatment"),
                ("hours", "Delivering evidence-based care and treatment"),
                ("moved", "Monitoring and improving outcomes"),
                ("new", "Monitoring and improving outcomes"),
            ),
        ),
        Area(
            "Caring",
            "Staff treat people with kindness, as individuals, and give them choice and control.",
            (
                ("lots", "Treating people as individuals"),
                ("had_enough", "Independence, choice and control"),
            ),
        ),
        Area(
            "Responsive",
            "Support is organised around each person, and people and families are listened to.",
            (
                ("per_week", "Person-centred care"),
                ("target", "Person-centred care"),
                ("in_moment", "Person-centred care"),
                ("families", "Listening to and involving people"),
                ("family_understand", "Listening to and involving people"),
                ("family_connected", "Listening to and involving people"),
                ("family_enjoy", "Listening to and involving people"),
            ),
        ),
        Area(
            "Well-led",
            "Leaders support staff to learn and improve, and govern the service well.",
            (
                ("meetings", "Learning, improvement and innovation"),
                ("video_reflections", "Learning, improvement and innovation"),
                ("holds", "Governance, management and sustainability"),
            ),
        ),
    ],
)


def framework_for(setting: str) -> tuple[str, str, str, list[Area]]:
    """Schools follow Ofsted's framework; adult services (and any other setting) the CQC's. Returns its name,
    what to call the part of it a figure is evidence for, what it does not cover, and its areas."""
    return OFSTED if setting == "school" else CQC
