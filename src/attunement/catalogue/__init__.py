"""An organisation's own lists: the Fundamentals of Communication, the training courses and the ethogram codes.

Each is a `CatalogueEntry` (models.py): named, ordered, retired rather than deleted. The rules every list
follows when an entry is added, renamed, retired or brought back, and their plain-word messages, are in
rules.py; the defaults an organisation starts with are put in by defaults.py. Each app keeps its own
permission check, its own extra fields and its own audit action names.
"""
