"""Signing in through the organisation's own provider (Google Workspace, Microsoft Entra ID or another OpenID
Connect provider), with django-allauth's OpenID Connect support.

Each organisation's sign-in is an allauth app made from its `SingleSignOn` row (`list_apps`), never a row of
allauth's own. Nobody signs themselves up: the provider's address must belong to a current member of that
organisation, or to a waiting invitation, which is then used. Everyone else is refused with a plain page.
"""

from allauth.account.signals import user_logged_in
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.dispatch import receiver
from django.shortcuts import render

from attunement.accounts.middleware import SECOND_STEP_BY_PROVIDER
from attunement.organisations.models import Membership

from . import services
from .models import SingleSignOn

PROVIDER = "openid_connect"


def _app(config: SingleSignOn) -> SocialApp:
    return SocialApp(
        provider=PROVIDER,
        provider_id=config.provider_id,
        name=config.organisation.name,
        client_id=config.client_id,
        secret=config.client_secret,
        settings={"server_url": config.issuer(), "oauth_pkce_enabled": True},
    )


def config_of(provider_id: str) -> SingleSignOn | None:
    key = provider_id.removeprefix("sso-")
    return SingleSignOn.objects.select_related("organisation").filter(key=key, enabled=True).first()


def verified_email(config: SingleSignOn, claims: dict) -> str:
    """The address the provider vouches for. Google and other providers say so (`email_verified`); a Microsoft
    directory's accounts are its own (the issuer names the organisation's tenant), and their address may come as
    `preferred_username`."""
    if config.kind == SingleSignOn.Kind.MICROSOFT:
        return (claims.get("email") or claims.get("preferred_username") or "").strip().lower()
    if claims.get("email_verified") in (True, "true"):
        return (claims.get("email") or "").strip().lower()
    return ""


def _refuse(request, config: SingleSignOn, email: str, reason: str):
    context = {"organisation": config.organisation, "email": email, "reason": reason}
    raise ImmediateHttpResponse(render(request, "members/single_sign_on_refused.html", context, status=403))


class InvitedMembersOnly(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None):
        configs = SingleSignOn.objects.select_related("organisation").filter(enabled=True)
        if provider and provider != PROVIDER:
            configs = configs.filter(key=provider.removeprefix("sso-"))
        if client_id:
            configs = configs.filter(client_id=client_id)
        return [_app(config) for config in configs]

    def is_open_for_signup(self, request, sociallogin):
        return False

    def pre_social_login(self, request, sociallogin):
        config = config_of(sociallogin.account.provider)
        if config is None:
            raise ImmediateHttpResponse(render(request, "members/single_sign_on_off.html", status=403))
        claims = sociallogin.account.extra_data
        claims = claims.get("userinfo") or claims.get("id_token") or claims
        email = verified_email(config, claims)
        if not email:
            _refuse(request, config, "", "Your provider did not confirm an e-mail address for this account.")
        member = Membership.objects.filter(
            organisation=config.organisation, user__email__iexact=email, is_active=True
        ).select_related("user")
        member = member.first()
        if member is None:
            invitation = services.waiting_invitation(organisation_id=config.organisation_id, email=email)
            if invitation is None:
                _refuse(request, config, email, "This account is not a member, and has no invitation waiting.")
            member = services.join_by_single_sign_on(
                invitation=invitation,
                first_name=claims.get("given_name", ""),
                last_name=claims.get("family_name", ""),
            )
        if not member.user.is_active:
            _refuse(request, config, email, "This account's access has ended.")
        if sociallogin.is_existing:
            if sociallogin.user.pk != member.user_id:
                _refuse(request, config, email, "This provider account is tied to another Attunement account.")
            return
        sociallogin.connect(request, member.user)


@receiver(user_logged_in)
def remember_provider_second_step(sender, request, user, sociallogin=None, **kwargs):
    """When the organisation's provider asks every account for a second step, a leader who signed in through it
    is not sent to set up Attunement's own (for that organisation, this session)."""
    if sociallogin is None:
        return
    config = config_of(sociallogin.account.provider)
    if config is not None and config.provider_enforces_mfa:
        request.session[SECOND_STEP_BY_PROVIDER] = config.organisation_id
