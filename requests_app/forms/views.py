"""Filling a form, step by step: on the portal (with an account, or without one when the type
allows it) and in the back office (an agent files for someone). Thin: the steps are Django forms
built by ``engine``, the filling is kept by ``filling``, writes go through ``services``."""

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from contacts.forms import ClientChoiceForm
from contacts.models import Client
from contacts.organisations import organisations_of
from contacts.services import client_for_user
from crm import throttle
from crm.errors import DomainError, NotAllowed
from crm.permissions import backoffice_required

from ..catalogue.models import RequestType
from ..requests.answers import answer_rows
from ..requests.models import ServiceRequest
from . import engine, permissions, selectors, services, tokens
from .filling import (
    Filling,
    anonymous_filling,
    assisted_filling,
    citizen_filling,
    session_documents,
    valid_token,
)
from .models import FormDocument

ACTIONS = ("next", "back", "save")


def _request_type(slug: str) -> RequestType:
    request_type = selectors.request_type_by_slug(slug)
    if request_type is None:
        raise Http404
    return request_type


def _no_form(request, request_type):
    return render(request, "forms/no_form.html", {"request_type": request_type}, status=404)


# --- the portal --------------------------------------------------------------------------------


class AnonymousStartForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Your e-mail address"),
        max_length=254,
        help_text=gettext_lazy(
            "We send you a link to confirm it before your request is filed, then a link to "
            "follow it."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


def _portal_filling(request, request_type: RequestType, *, create: bool = False) -> Filling | None:
    if request.user.is_authenticated:
        client = client_for_user(user=request.user)
        return citizen_filling(user=request.user, client=client, request_type=request_type)
    return anonymous_filling(session=request.session, request_type=request_type, create=create)


@require_http_methods(["GET", "POST"])
def request_start(request, slug: str):
    """Where an e-service's launch button leads: a draft is resumed; without an account, the
    person gives the address to confirm (when the type allows it) or logs in."""
    request_type = _request_type(slug)
    version = selectors.published_version(request_type)
    if version is None:
        return _no_form(request, request_type)
    if request.user.is_authenticated:
        filling = _portal_filling(request, request_type)
        if filling.draft is not None:
            messages.info(request, _("Your draft is resumed where you left it."))
            return redirect(filling.step_url(filling.reached))
        return redirect(filling.step_url(1))
    if not version.form.allows_anonymous:
        return redirect_to_login(request.get_full_path())
    form = AnonymousStartForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            filling = anonymous_filling(
                session=request.session, request_type=request_type, create=True
            )
            filling.email = form.cleaned_data["email"].strip().lower()
            filling.data = _anonymous_prefill(filling)
            filling.save()
            return redirect(filling.step_url(filling.reached))
        status = 400
    else:
        status = 200
    context = {
        "request_type": request_type,
        "intro": engine.tr(version.snapshot.get("intro")),
        "form": form,
        "login_url": reverse("login") + "?next=" + request.path,
    }
    return render(request, "forms/anonymous_start.html", context, status=status)


def _anonymous_prefill(filling: Filling) -> dict:
    data = dict(filling.data)
    for spec in engine.all_fields(filling.snapshot):
        if spec.get("prefill") == "email" and spec["key"] not in data:
            data[spec["key"]] = filling.email
    return data


@require_http_methods(["GET", "POST"])
def request_step(request, slug: str, number: int):
    request_type = _request_type(slug)
    filling = _portal_filling(request, request_type)
    if filling is None:
        if not request.user.is_authenticated:
            token = request.POST.get("token", "") if request.method == "POST" else ""
            pending = selectors.submission_by_token(token) if valid_token(token) else None
            if pending is not None and pending.version.form.request_type_id == request_type.pk:
                # The last step sent again (a double click): the mail is on its way.
                return redirect("portal:request_check_email", slug=slug)
            return redirect("portal:request_start", slug=slug)
        return _no_form(request, request_type)
    if filling.mode == "anonymous" and not filling.email:
        return redirect("portal:request_start", slug=slug)
    return _step(request, filling, number, template="forms/fill.html")


@require_POST
def request_draft_discard(request, slug: str):
    """Start over: the draft and its files are removed."""
    request_type = _request_type(slug)
    if not request.user.is_authenticated:
        raise Http404
    client = client_for_user(user=request.user)
    draft = selectors.draft_for(client=client, request_type=request_type)
    if draft is None:
        raise Http404
    try:
        services.draft_discard(draft=draft, by=request.user)
    except NotAllowed as error:
        raise Http404 from error
    messages.success(request, _("Your draft is deleted."))
    return redirect("portal:request_start", slug=slug)


@require_safe
def request_filed(request, slug: str, pk: int):
    """After filing: the number and the expected date."""
    if not request.user.is_authenticated:
        raise Http404
    client = client_for_user(user=request.user)
    filed = (
        ServiceRequest.objects.select_related("request_type")
        .filter(pk=pk, requester=client)
        .first()
    )
    if filed is None:
        raise Http404
    context = {
        "request_obj": filed,
        "expected": selectors.expected_date(filed),
        "detail_url": reverse("portal:my_request_detail", args=[filed.pk]),
    }
    return render(request, "forms/filed.html", context)


@require_safe
def request_check_email(request, slug: str):
    request_type = _request_type(slug)
    return render(request, "forms/check_email.html", {"request_type": request_type})


@require_http_methods(["GET", "POST"])
def request_confirm(request, token: str):
    """The link of the confirmation mail. Opening it shows a button (mail scanners open links
    too); pressing it files the request, once."""
    submission_id = tokens.submission_of_confirm_token(token)
    submission = selectors.submission_of(submission_id) if submission_id else None
    if submission is None:
        return render(request, "forms/bad_link.html", status=404)
    if request.method == "POST" or submission.request is not None:
        if submission.request is None:
            try:
                services.anonymous_submission_confirm(submission=submission)
            except DomainError as error:
                messages.error(request, error.message)
                return render(request, "forms/bad_link.html", status=400)
            submission.refresh_from_db()
        return redirect("portal:request_follow", token=tokens.follow_token(submission.request_id))
    context = {"submission": submission, "request_type": submission.version.form.request_type}
    return render(request, "forms/confirm.html", context)


@require_safe
def request_follow(request, token: str):
    """The request followed through its signed link, read only."""
    request_id = tokens.request_of_follow_token(token)
    followed = selectors.followed_request(request_id) if request_id else None
    if followed is None:
        return render(request, "forms/bad_link.html", status=404)
    context = {
        "request_obj": followed,
        "expected": selectors.expected_date(followed),
        "answers": answer_rows(followed),
        "follow_url": request.build_absolute_uri(),
    }
    return render(request, "forms/follow.html", context)


@require_safe
def form_document(request, pk: int):
    """A file given in a form, to whoever may see it (``permissions``); others get a 404."""
    document = get_object_or_404(
        FormDocument.objects.select_related("request__requester", "client"), pk=pk
    )
    allowed = permissions.can_download_document(
        request.user, document, session_documents=session_documents(request.session)
    )
    if not allowed:
        raise Http404
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError, ValueError) as exc:
        raise Http404(_("The file of this document is missing.")) from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name or f"document-{document.pk}",
        content_type=document.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- the steps, for every way of filling ---------------------------------------------------------


def _step(request, filling: Filling, number: int, *, template: str, extra: dict | None = None):
    steps = filling.steps
    if number < 1 or number > len(steps):
        raise Http404
    if request.method == "POST":
        # A retried submission (a double click, a reload) finds what the first one made.
        already = _already_submitted(filling, request.POST.get("token", ""))
        if already is not None:
            return already
    if number > filling.reached:
        return redirect(filling.step_url(filling.reached))
    visible = filling.visible_steps()
    if number not in visible:
        # A step hidden by earlier answers is skipped.
        target = filling.next_step(number) or filling.previous_step(number) or visible[0]
        return redirect(filling.step_url(target))
    documents = filling.document_answers()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "next")
        token = request.POST.get("token", "")
        if action not in ACTIONS or not valid_token(token):
            return HttpResponseBadRequest(_("The form is out of date: open it again."))
        if action == "save" and not filling.can_save_draft:
            return HttpResponseBadRequest(_("This form cannot be kept as a draft."))
        form = engine.StepForm(
            request.POST,
            request.FILES,
            snapshot=filling.snapshot,
            step_index=number - 1,
            data_so_far=filling.data,
            documents=documents,
        )
        valid = form.is_valid()
        if action in ("back", "save") or valid:
            kept = form.answers() if valid else form.valid_answers()
            _keep(filling, form, kept)
        if action == "back":
            filling.save()
            return redirect(filling.step_url(filling.previous_step(number) or number))
        if action == "save":
            filling.reached = max(filling.reached, number)
            filling.save()
            messages.success(
                request,
                _("Your draft is saved. Resume it from “My requests” or the e-service's page."),
            )
            return redirect("portal:my_requests")
        if valid:
            following = filling.next_step(number)
            if following is not None:
                filling.reached = max(filling.reached, following)
                filling.save()
                return redirect(filling.step_url(following))
            organisation, refused = _organisation_chosen(request, filling)
            if refused is None:
                return _submit(request, filling, token, organisation=organisation)
            form.add_error(None, refused)
        status = 400
    else:
        form = engine.StepForm(
            snapshot=filling.snapshot,
            step_index=number - 1,
            data_so_far=filling.data,
            documents=documents,
        )
    context = _step_context(filling, number, form)
    context.update(extra or {})
    return render(request, template, context, status=status)


def _keep(filling: Filling, form: engine.StepForm, answers: dict) -> None:
    """The step's answers into the filling: its shown answers replace the old ones, the answers
    of its hidden fields are dropped, its new files are stored."""
    for spec in form.step["fields"]:
        if not form.shown.get(spec["key"]):
            filling.data.pop(spec["key"], None)
    filling.data.update(answers)
    if not hasattr(form, "cleaned_data"):
        return
    for key, upload in form.uploads().items():
        if key in form.errors:
            continue
        # The person the request is for (none yet when filed without an account).
        owner = filling.client
        document = services.document_store(upload=upload, field_key=key, client=owner)
        filling.data[key] = {"document": document.pk, "name": document.original_name}
        filling.documents.append(document.pk)


def _step_context(filling: Filling, number: int, form: engine.StepForm) -> dict:
    step = filling.steps[number - 1]
    visible = filling.visible_steps()
    trail = [
        {
            "number": n,
            "position": index,
            "title": engine.tr(filling.steps[n - 1]["title"]),
            "state": "current" if n == number else ("done" if n < number else "upcoming"),
            "url": filling.step_url(n) if n <= filling.reached and n != number else "",
        }
        for index, n in enumerate(visible, start=1)
    ]
    return {
        "filling": filling,
        "request_type": filling.request_type,
        "step": step,
        "number": number,
        "position": visible.index(number) + 1,
        "count": len(visible),
        "title": engine.tr(step["title"]),
        "help": engine.tr(step["help"]),
        "intro": engine.tr(filling.snapshot.get("intro")) if number == visible[0] else "",
        "trail": trail,
        "form": form,
        "fields": form.field_views(),
        "errors": form.error_summary() if form.is_bound else [],
        "is_last": filling.next_step(number) is None,
        # On the last step, a member of organisations says whom the request is for.
        "memberships": _memberships(filling) if filling.next_step(number) is None else [],
        "has_previous": filling.previous_step(number) is not None,
        "token": filling.token,
        "has_files": any(spec["kind"] == "file" for spec in step["fields"]),
        "slug": selectors.slug_of(filling.request_type),
    }


def _already_submitted(filling: Filling, token: str):
    if not valid_token(token):
        return None
    submission = selectors.submission_by_token(token)
    if submission is None:
        return None
    if filling.mode == "anonymous":
        if submission.request_id is None and submission.email == filling.email:
            return redirect(
                "portal:request_check_email", slug=selectors.slug_of(filling.request_type)
            )
        return None
    if submission.request is None or submission.request.requester_id != filling.client.pk:
        return None
    return _after_filing(filling, submission.request)


def _after_filing(filling: Filling, filed: ServiceRequest):
    if filling.mode == "assisted":
        return redirect(filed.get_absolute_url())
    return redirect(
        "portal:request_filed", slug=selectors.slug_of(filling.request_type), pk=filed.pk
    )


def _memberships(filling: Filling) -> list:
    """The organisations a citizen may file this request for (none for the other fillings)."""
    if filling.mode != "citizen":
        return []
    return organisations_of(filling.by)


def _organisation_chosen(request, filling: Filling):
    """``(organisation, refusal)``: the organisation the last step's "for whom" names (None:
    for oneself), or the message refusing an organisation the person is no member of."""
    value = request.POST.get("organisation", "")
    if not value:
        return None, None
    memberships = {str(m.partner_id): m.partner for m in _memberships(filling)}
    if value not in memberships:
        return None, _("Choose one of your organisations, or file the request for yourself.")
    return memberships[value], None


def _submit(request, filling: Filling, token: str, *, organisation=None):
    # The portal's submissions are counted per account or address (an agent's are not).
    if filling.mode != "assisted" and not throttle.submission_allowed(request):
        return throttle.too_many_response(request)
    try:
        if filling.mode == "anonymous":
            _submission, _new = services.anonymous_submission_create(
                token=token,
                version=filling.version,
                data=filling.data,
                email=filling.email,
                language=get_language() or "fr",
                base_url=request.build_absolute_uri("/"),
            )
            filling.forget()
            return redirect(
                "portal:request_check_email", slug=selectors.slug_of(filling.request_type)
            )
        filed, _new = services.form_submit(
            token=token,
            version=filling.version,
            data=filling.data,
            requester=filling.client,
            by=filling.by,
            channel=filling.channel,
            organisation=organisation,
        )
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except DomainError as error:
        messages.error(request, error.message)
        missing = engine.missing_required(filling.snapshot, filling.data)
        return redirect(filling.step_url(missing[0] if missing else 1))
    if filling.mode != "citizen":
        # A citizen's draft was removed by form_submit, in its transaction.
        filling.forget()
    if filling.mode == "assisted":
        expected = selectors.expected_date(filed)
        messages.success(
            request,
            _("Request %(number)s created.") % {"number": filed.number}
            + (
                " " + _("Expected by %(date)s.") % {"date": expected.strftime("%Y-%m-%d")}
                if expected
                else ""
            ),
        )
    return _after_filing(filling, filed)


# --- the back office: assisted requests ---------------------------------------------------------


class AssistedStartForm(ClientChoiceForm):
    """Who the request is for (found or typed in), what it is, how they reached us."""

    request_type = forms.ModelChoiceField(
        label=gettext_lazy("Request type"),
        queryset=RequestType.objects.filter(active=True, form_definition__versions__isnull=False)
        .distinct()
        .order_by("code"),
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        choices=[
            (c.value, c.label)
            for c in (
                ServiceRequest.Channel.PHONE,
                ServiceRequest.Channel.COUNTER,
                ServiceRequest.Channel.EMAIL,
            )
        ],
    )

    @cached_property
    def picked(self) -> list[Client]:
        """The client picked after an error, or at first the one whose page led here."""
        if self.is_bound:
            return super().picked
        client = self.initial.get("client")
        return [client] if client is not None else []


@backoffice_required
@require_http_methods(["GET", "POST"])
def assisted_start(request):
    """An agent files a request for a citizen through the type's own form (demande assistée)."""
    if not permissions.can_file_assisted(request.user):
        raise PermissionDenied
    initial = {}
    client_id = request.GET.get("client", "")
    if client_id.isascii() and client_id.isdigit():
        initial["client"] = Client.objects.filter(pk=int(client_id)).first()
    form = AssistedStartForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                with transaction.atomic():
                    client = form.client_for(by=request.user)
            except NotAllowed as error:
                raise PermissionDenied(error.message) from error
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                request_type = form.cleaned_data["request_type"]
                filling = assisted_filling(
                    session=request.session,
                    agent=request.user,
                    client=client,
                    request_type=request_type,
                    channel=form.cleaned_data["channel"],
                )
                if filling is None:
                    form.add_error("request_type", _("This request type has no form yet."))
                else:
                    filling.save()
                    return redirect(filling.step_url(1))
    preselected = initial.get("client")
    context = {"form": form, "preselected": preselected}
    return render(request, "forms/assisted_start.html", context, status=status)


@backoffice_required
@require_http_methods(["GET", "POST"])
def assisted_step(request, client_id: int, type_id: int, number: int):
    if not permissions.can_file_assisted(request.user):
        raise PermissionDenied
    client = get_object_or_404(Client, pk=client_id)
    request_type = get_object_or_404(RequestType, pk=type_id, active=True)
    filling = assisted_filling(
        session=request.session, agent=request.user, client=client, request_type=request_type
    )
    if filling is None:
        messages.info(request, _("Start the assisted request again: say who it is for."))
        return redirect(reverse("requests:assisted_start") + f"?client={client.pk}")
    extra = {"client": client, "channel_label": ServiceRequest.Channel(filling.channel).label}
    return _step(request, filling, number, template="forms/assisted_fill.html", extra=extra)
