from django import template

register = template.Library()

VERBS = {
    "read": "looked at",
    "created": "added",
    "changed": "changed",
    "added": "added",
    "renamed": "renamed",
    "retired": "retired",
    "restored": "brought back",
    "reworded": "reworded",
    "settings_changed": "changed settings",
    "recorded": "recorded",
    "withdrawn": "withdrew",
    "placed": "placed",
    "lifted": "lifted",
    "subject_access_exported": "exported everything held about",
    "erased": "erased",
    "person_deleted": "deleted at the end of retention",
    "media_cleanup_checked": "checked media after withdrawal",
    "applied": "applied",
    "appointed": "named",
    "stood_down": "stood down",
    "done": "marked done",
    "reopened": "reopened",
    "submitted": "answered",
    "replaced": "answered again",
}


@register.filter
def audit_words(action: str) -> str:
    """“session.read” reads as “looked at: session”."""
    thing, _, verb = action.rpartition(".")
    return f"{VERBS.get(verb, verb.replace('_', ' '))}: {thing.replace('_', ' ')}" if thing else action


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key)
