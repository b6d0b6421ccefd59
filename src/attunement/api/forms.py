from django import forms

from attunement.organisations.models import Role

from .policies import KEY_ROLES

ROLE_HELP = {
    Role.COORDINATOR: "reads and records for everyone, and sees the anonymised figures",
    Role.MANAGER: "reads and records for everyone, and sees the anonymised figures",
    Role.ADMINISTRATOR: "reads and records for everyone, and sees the anonymised figures",
    Role.EXTERNAL: "sees the anonymised figures only, never a person's records",
}


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        error_messages={"required": "Please give the key a name, such as the system that will use it."},
        help_text="Say which system will use it, for example: the school's information system.",
    )
    role = forms.ChoiceField(
        label="What the key may do",
        choices=[(role.value, f"{role.label}: {ROLE_HELP[role]}") for role in KEY_ROLES],
        widget=forms.RadioSelect,
        help_text="The key may do exactly what a member of staff in this role may do, for the whole organisation.",
    )
