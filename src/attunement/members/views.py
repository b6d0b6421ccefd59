from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from attunement.learners.import_steps import ImportSteps
from attunement.organisations.access import member_required
from attunement.organisations.middleware import ACTIVE_ORGANISATION_KEY
from attunement.organisations.models import Membership
from attunement.organisations.service_calls import errors_as_message, errors_onto, form_status
from attunement.organisations.spreadsheets import format_from, spreadsheet_response

from . import importing, selectors, services
from .forms import ROLE_MEANINGS, AcceptForm, InviteForm, MemberForm, SingleSignOnForm
from .models import Invitation
from .policies import member_policy


def _link_for(request):
    return lambda token: request.build_absolute_uri(reverse("members:accept", args=[token]))


@member_required
@require_safe
def members_page(request):
    actor = request.membership
    member_policy.require(actor, "view")
    members = list(selectors.members_of(actor=actor))
    invitations = list(selectors.invitations_of(actor=actor))
    return render(
        request,
        "members/list.html",
        {
            "current": [m for m in members if m.is_active],
            "ended": [m for m in members if not m.is_active],
            "invitations": invitations,
            "may_invite": member_policy.role_may(actor, "invite"),
        },
    )


@member_required
@require_http_methods(["GET", "HEAD", "POST"])
def invite_page(request):
    actor = request.membership
    member_policy.require(actor, "invite")
    form = InviteForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        with errors_onto(form):
            invitation = services.invite(actor=actor, link_for=_link_for(request), **form.cleaned_data)
            messages.success(
                request,
                f"Invitation sent to {invitation.email}. The link works once, for {services.invitation_days()} days.",
            )
            return redirect("members:list")
    return render(
        request,
        "members/invite.html",
        {"form": form, "meanings": ROLE_MEANINGS},
        status=form_status(form),
    )


def _member_or_404(request, membership_id) -> Membership:
    try:
        return selectors.member_get(actor=request.membership, membership_id=membership_id)
    except Membership.DoesNotExist:
        raise Http404("No such member of your organisation.") from None


@member_required
@require_http_methods(["GET", "HEAD", "POST"])
def member_page(request, membership_id):
    actor = request.membership
    member_policy.require(actor, "change")
    membership = _member_or_404(request, membership_id)
    people = selectors.linked_people(membership=membership)
    initial = {"role": membership.role, "site": membership.site_id, "learners": list(people)}
    form = MemberForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        with errors_onto(form):
            services.change(actor=actor, membership=membership, **form.cleaned_data)
            messages.success(request, f"Saved: what {membership.user} may do.")
            return redirect("members:list")
    return render(
        request,
        "members/member.html",
        {"member": membership, "form": form, "people": people, "is_self": membership.pk == actor.pk},
        status=form_status(form),
    )


@member_required
@require_http_methods(["GET", "HEAD", "POST"])
def end_access_page(request, membership_id):
    actor = request.membership
    member_policy.require(actor, "end_access")
    membership = _member_or_404(request, membership_id)
    if request.method == "POST":
        with errors_as_message(request):
            services.end_access(actor=actor, membership=membership)
            messages.success(
                request,
                f"{membership.user}'s access has ended. What they recorded stays, under their name.",
            )
        return redirect("members:list")
    return render(
        request,
        "members/end_access.html",
        {"member": membership, "people": selectors.linked_people(membership=membership)},
    )


def _invitation_or_404(request, invitation_id) -> Invitation:
    try:
        return selectors.invitation_get(actor=request.membership, invitation_id=invitation_id)
    except Invitation.DoesNotExist:
        raise Http404("No such invitation in your organisation.") from None


@member_required
@require_POST
def send_again(request, invitation_id):
    member_policy.require(request.membership, "invite")
    invitation = _invitation_or_404(request, invitation_id)
    with errors_as_message(request):
        services.send_again(actor=request.membership, invitation=invitation, link_for=_link_for(request))
        messages.success(request, f"A new link was sent to {invitation.email}; the last one no longer works.")
    return redirect("members:list")


@member_required
@require_POST
def withdraw(request, invitation_id):
    member_policy.require(request.membership, "invite")
    invitation = _invitation_or_404(request, invitation_id)
    with errors_as_message(request):
        services.withdraw(actor=request.membership, invitation=invitation)
        messages.success(request, f"The invitation of {invitation.email} was withdrawn: its link no longer works.")
    return redirect("members:list")


@require_http_methods(["GET", "HEAD", "POST"])
def accept_page(request, token):
    """The invitation's link, opened by someone who is not a member yet: choose a name and password (or, with an
    account already, join with it)."""
    try:
        invitation = services.invitation_for(token)
    except services.InvitationUnusable as why:
        return render(request, "members/invitation_unusable.html", {"reason": str(why)}, status=404)
    context = {"invitation": invitation, "needs_second_step": invitation.role in settings.MFA_REQUIRED_ROLES}
    signed_in = request.user.is_authenticated
    if signed_in and request.user.email.lower() != invitation.email:
        return render(request, "members/accept_other_account.html", context, status=403)
    if not signed_in and selectors.has_account(invitation.email):
        context["login_url"] = f"{reverse('account_login')}?next={request.path}"
        return render(request, "members/accept_sign_in_first.html", context)
    form = None if signed_in else AcceptForm(request.POST or None, email=invitation.email, initial=_names(invitation))
    if request.method == "POST" and (form is None or form.is_valid()):
        data = form.cleaned_data if form is not None else {}
        try:
            membership = services.accept(
                token=token,
                user=request.user if signed_in else None,
                password=data.get("password1", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
        except services.InvitationUnusable as why:
            return render(request, "members/invitation_unusable.html", {"reason": str(why)}, status=404)
        except ValidationError as error:
            if form is None:
                raise
            form.add_error(None, error.messages)
        else:
            organisation = membership.organisation.name
            if signed_in:
                request.session[ACTIVE_ORGANISATION_KEY] = membership.organisation_id
                messages.success(request, f"You have joined {organisation}.")
                return redirect("home")
            messages.success(
                request,
                f"Your account is ready. Sign in with {invitation.email} and the password you chose"
                + (", then set up your second step." if context["needs_second_step"] else "."),
            )
            return redirect(f"{reverse('account_login')}?email={invitation.email}")
    context["form"] = form
    return render(request, "members/accept.html", context, status=form_status(form))


def _names(invitation: Invitation) -> dict:
    return {"first_name": invitation.first_name, "last_name": invitation.last_name}


@require_safe
def single_sign_on_start(request, key):
    """The address an organisation gives its staff: sign in through the organisation's own provider."""
    config = selectors.single_sign_on_by_key(key)
    if config is None:
        raise Http404("No such sign-in.")
    response = render(
        request,
        "members/single_sign_on_start.html",
        {"config": config, "login_url": reverse("openid_connect_login", kwargs={"provider_id": config.provider_id})},
    )
    # The button's form is answered with a redirect to the provider; the browser checks that against form-action.
    issuer = urlsplit(config.issuer())
    response._csp_update = {"form-action": [f"{issuer.scheme}://{issuer.netloc}"]}
    return response


@member_required
@require_http_methods(["GET", "HEAD", "POST"])
def single_sign_on_settings(request):
    actor = request.membership
    member_policy.require(actor, "manage_sign_in")
    config = selectors.single_sign_on_of(actor=actor)
    initial = {"enabled": True}
    if config is not None:
        initial = {name: getattr(config, name) for name in services.SSO_FIELDS if name != "client_secret"}
    form = SingleSignOnForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with errors_onto(form):
            services.single_sign_on_save(actor=actor, **form.cleaned_data)
            messages.success(request, "Single sign-on is saved.")
            return redirect("members:single_sign_on")
    addresses = {}
    if config is not None:
        addresses = {
            "start": request.build_absolute_uri(reverse("members:sign_in_with", args=[config.key])),
            "callback": request.build_absolute_uri(
                reverse("openid_connect_callback", kwargs={"provider_id": config.provider_id})
            ),
        }
    return render(
        request,
        "members/single_sign_on.html",
        {"form": form, "config": config, **addresses},
        status=form_status(form),
    )


# --- Importing staff from a spreadsheet -----------------------------------------------------------------------
# The upload and columns steps are the people import's (learners.import_steps); the preview is the staff import's.

STAFF_IMPORT = ImportSteps(
    session_key="staff_import",
    columns=importing.COLUMNS,
    upload_url="members:import",
    columns_url="members:import_columns",
    preview_url="members:import_preview",
    rows_of="staff",
)


@member_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_upload_page(request):
    member_policy.require(request.membership, "invite")
    return STAFF_IMPORT.upload_page(request, "members/import_upload.html", {"role_words": importing.ROLE_EXAMPLES})


@member_required
@require_safe
def import_template(request):
    """The empty spreadsheet to fill in: CSV, or XLSX with ?format=xlsx."""
    member_policy.require(request.membership, "invite")
    return spreadsheet_response(
        importing.TEMPLATE_HEADINGS, [], filename="staff-to-invite", format=format_from(request), title="Staff"
    )


@member_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_columns_page(request):
    member_policy.require(request.membership, "invite")
    return STAFF_IMPORT.columns_page(request)


@member_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_preview_page(request):
    actor = request.membership
    member_policy.require(actor, "invite")

    def done(plan) -> str:
        invited, updated, same = (plan.count(action) for action in (importing.INVITE, importing.UPDATE, importing.SAME))
        return (
            f"Imported: {invited} invited, {updated} updated, {same} already here or already invited. Each "
            f"invitation works once, for {services.invitation_days()} days."
        )

    return STAFF_IMPORT.preview_page(
        request,
        template="members/import_preview.html",
        plan=lambda rows, mapping: importing.plan_staff(rows, mapping, selectors.staff_import_holding(actor=actor)),
        apply=lambda rows, mapping, digest: services.staff_import(
            actor=actor, rows=rows, mapping=mapping, expected=digest, link_for=_link_for(request)
        ),
        changed=services.StaffImportChanged,
        done=done,
        done_url="members:list",
        discarded="The upload is put aside. Nothing was sent or saved.",
    )
