"""The citizen's profile and organisations on the portal (``/my/…``).

Every organisation page answers 404 to whoever is not a member of it (a manager for the
pages that change members), as if it did not exist.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crm import throttle
from crm.errors import DomainError, NotAllowed

from . import organisations
from .invitations import SESSION_KEY, invitation_from_token
from .models import Partner, PartnerInvitation, PartnerMembership
from .permissions import can_manage_members
from .portal_forms import InvitationForm, ProfileForm
from .services import PROFILE_FIELDS, client_for_user, client_profile_update


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request):
    """The citizen's own record: names, phone, address, preferred language."""
    client = client_for_user(user=request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                client_profile_update(user=request.user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Your profile is saved."))
                return redirect("portal:profile")
        return render(request, "portal/profile.html", {"form": form, "client": client}, status=400)
    form = ProfileForm(initial={name: getattr(client, name) for name in PROFILE_FIELDS})
    return render(request, "portal/profile.html", {"form": form, "client": client})


@login_required
@require_http_methods(["GET", "HEAD"])
def organisation_list(request):
    return render(
        request,
        "portal/organisations.html",
        {"memberships": organisations.organisations_of(request.user)},
    )


def _membership(request, pk: int) -> PartnerMembership:
    membership = organisations.membership_of(request.user, pk)
    if membership is None:
        raise Http404
    return membership


def _organisation_context(request, membership: PartnerMembership, **extra) -> dict:
    context = {"membership": membership, "can_manage": membership.is_manager}
    if membership.is_manager:
        context.update(organisations.organisation_page(partner=membership.partner))
        context["invitation_form"] = extra.get("invitation_form") or InvitationForm()
    else:
        context["partner"] = membership.partner
    return context


@login_required
@require_http_methods(["GET", "HEAD"])
def organisation_detail(request, pk: int):
    membership = _membership(request, pk)
    return render(
        request, "portal/organisation_detail.html", _organisation_context(request, membership)
    )


def _managed(request, pk: int) -> Partner:
    membership = _membership(request, pk)
    if not can_manage_members(request.user, membership.partner):
        raise Http404
    return membership.partner


@login_required
@require_POST
def organisation_invite(request, pk: int):
    partner = _managed(request, pk)
    form = InvitationForm(request.POST)
    if form.is_valid():
        if not throttle.action_allowed(
            request=request, action="invitation", limit=throttle.portal_limit("INVITATION")
        ):
            return throttle.too_many_response(request)
        try:
            organisations.invitation_send(
                partner=partner,
                by=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                base_url=request.build_absolute_uri("/"),
            )
        except NotAllowed as error:
            raise PermissionDenied(error.message) from error
        except DomainError as error:
            form.add_error("email", error.message)
        else:
            messages.success(
                request,
                _("An invitation was sent to %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            return redirect("portal:organisation_detail", pk=pk)
    membership = _membership(request, pk)
    context = _organisation_context(request, membership, invitation_form=form)
    return render(request, "portal/organisation_detail.html", context, status=400)


@login_required
@require_POST
def organisation_member_remove(request, pk: int, member_pk: int):
    partner = _managed(request, pk)
    member = get_object_or_404(
        PartnerMembership.objects.select_related("user", "partner"), pk=member_pk, partner=partner
    )
    try:
        organisations.membership_remove(membership=member, by=request.user)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s is no longer a member.") % {"name": member.user})
    if member.user_id == request.user.pk:
        return redirect("portal:organisations")
    return redirect("portal:organisation_detail", pk=pk)


@login_required
@require_POST
def organisation_invitation_cancel(request, pk: int, invitation_pk: int):
    partner = _managed(request, pk)
    invitation = get_object_or_404(
        PartnerInvitation.objects.select_related("partner"), pk=invitation_pk, partner=partner
    )
    organisations.invitation_cancel(invitation=invitation, by=request.user)
    messages.success(request, _("The invitation is cancelled."))
    return redirect("portal:organisation_detail", pk=pk)


@require_http_methods(["GET", "HEAD", "POST"])
def invitation(request, token: str):
    """The link of an invitation: a visitor logs in or signs up first (the invitation waits in
    the session and is accepted when the new address is confirmed); an account accepts it."""
    try:
        invitation = invitation_from_token(token)
    except DomainError as error:
        return render(request, "portal/invitation.html", {"error": error.message}, status=404)
    if not request.user.is_authenticated:
        request.session[SESSION_KEY] = token
        if request.method == "POST":
            return redirect_to_login(request.get_full_path())
        return render(request, "portal/invitation.html", {"invitation": invitation})
    if request.method == "POST":
        try:
            organisations.invitation_accept(invitation=invitation, user=request.user)
        except DomainError as error:
            context = {"invitation": invitation, "error": error.message}
            return render(request, "portal/invitation.html", context, status=400)
        request.session.pop(SESSION_KEY, None)
        messages.success(
            request,
            _("You are now a member of %(organisation)s.")
            % {"organisation": invitation.partner.name},
        )
        return redirect("portal:organisation_detail", pk=invitation.partner_id)
    return render(request, "portal/invitation.html", {"invitation": invitation})
