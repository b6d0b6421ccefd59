"""The fixed words of the means: the default training catalogue and the self-report questions."""

# (name, refresh every n months or None, every member of staff must do it)
DEFAULT_COURSES: tuple[tuple[str, int | None, bool], ...] = (
    ("Induction", None, True),
    ("Intensive Interaction Institute Module 1: Introduction", None, False),
    ("Intensive Interaction Institute Module 2: Reflective Practitioner", None, False),
    ("Intensive Interaction Institute Module 3: Mentoring Practitioner", None, False),
    ("Intensive Interaction Institute Module 4: In-service Trainer", None, False),
    ("Continuing Professional Development", None, False),
    ("Yearly refresher", 12, False),
)

# (field, the statement rated 1 to 5, whether a higher answer is better)
SELF_REPORT_ITEMS: tuple[tuple[str, str, bool], ...] = (
    ("confidence", "I feel confident doing Intensive Interaction", True),
    ("fulfilment", "I find my work fulfilling", True),
    ("burnout", "I feel worn out by my work", False),
    ("support", "I feel supported by my team", True),
)
SELF_REPORT_FIELDS = tuple(field for field, _, _ in SELF_REPORT_ITEMS)
RATING_WORDS = {1: "Not at all", 2: "A little", 3: "Somewhat", 4: "Mostly", 5: "Very much"}

# A refresher this close is shown as due soon.
DUE_SOON_DAYS = 60
