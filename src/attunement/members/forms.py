from django import forms
from django.contrib.auth import get_user_model, password_validation

from attunement.learners.models import Learner
from attunement.organisations.models import Membership

from .models import SingleSignOn
from .policies import member_policy
from .selectors import people_to_link, sites_to_choose

# What each role may do, in the words the invitation page uses to help choose.
ROLE_MEANINGS = {
    "practitioner": "Logs sessions and reads the records of the people they are linked to.",
    "coordinator": "Leads the practice: sees everyone, invites members, checks the records. Signs in with a second "
    "step (an authenticator app).",
    "manager": "Sees everyone's records, the figures and the reports. Signs in with a second step.",
    "family": "Sees the family pages of the people they are linked to, and can send notes from home.",
    "therapist": "Works with the people they are linked to, and can write their plans.",
    "external": "Reads the organisation's summary figures only, never anyone's records.",
    "administrator": "Sets the organisation up and may make other administrators. Signs in with a second step.",
}


def full_name(person: Learner) -> str:
    """A person as a leader choosing among everyone sees them: two people may share a first name."""
    known_as = f" ({person.preferred_name})" if person.preferred_name else ""
    return f"{person.first_name} {person.last_name}{known_as}"


class _PeopleAndPlace(forms.Form):
    role = forms.ChoiceField(label="Role", widget=forms.RadioSelect)
    site = forms.ModelChoiceField(label="Site", queryset=None, required=False, empty_label="No particular site")
    learners = forms.ModelMultipleChoiceField(
        label="The people they work with",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Practitioners, therapists and family members see only these people. You can change this later.",
    )

    def __init__(self, *args, actor: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [
            (value, f"{label} — {ROLE_MEANINGS[value]}") for value, label in member_policy.roles_offered(actor)
        ]
        self.fields["site"].queryset = sites_to_choose(actor=actor)
        if not self.fields["site"].queryset.exists():
            del self.fields["site"]
        self.fields["learners"].queryset = people_to_link(actor=actor)
        self.fields["learners"].label_from_instance = full_name


class InviteForm(_PeopleAndPlace):
    email = forms.EmailField(label="E-mail address", help_text="The invitation is sent here.")
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    field_order = ["email", "first_name", "last_name", "role", "site", "learners"]


class MemberForm(_PeopleAndPlace):
    pass


class AcceptForm(forms.Form):
    """A new member's name and password. The password is checked by the same rules as every password."""

    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    password1 = forms.CharField(
        label="Choose a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="The same password again",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords are not the same.")
        elif first:
            someone = get_user_model()(  # not saved: the password rules compare it with the name and address
                email=self.email, first_name=data.get("first_name", ""), last_name=data.get("last_name", "")
            )
            try:
                password_validation.validate_password(first, someone)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class SingleSignOnForm(forms.Form):
    kind = forms.ChoiceField(label="Your provider", choices=SingleSignOn.Kind.choices, widget=forms.RadioSelect)
    client_id = forms.CharField(label="Client ID", max_length=255)
    client_secret = forms.CharField(
        label="Client secret",
        max_length=255,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Needed the first time. Later, leave it blank to keep the one saved.",
    )
    tenant = forms.CharField(
        label="Directory (tenant) ID",
        max_length=100,
        required=False,
        help_text="Microsoft only: your organisation's directory ID, so that only its accounts can sign in.",
    )
    server_url = forms.URLField(
        assume_scheme="https",
        label="Provider address",
        required=False,
        help_text="Another provider only: its issuer address (where /.well-known/openid-configuration is).",
    )
    provider_enforces_mfa = forms.BooleanField(
        label="Our provider asks every account for a second step",
        required=False,
        help_text="Tick only if every account of your provider must pass a second step (multi-factor "
        "authentication) to sign in. Then co-ordinators, managers and administrators who sign in through it are "
        "not asked to set up Attunement's own authenticator.",
    )
    enabled = forms.BooleanField(label="Switched on", required=False, initial=True)
