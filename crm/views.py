from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST, require_safe

from . import selectors, services, throttle
from .forms import LoginForm, PasswordResetForm
from .models import AssignmentGroup, Notification
from .permissions import backoffice_required, can_read_backoffice
from .validation import safe_next


@require_safe
def healthz(request):
    """Liveness: the process answers (GET or HEAD)."""
    return HttpResponse("ok", content_type="text/plain")


@require_safe
def readyz(request):
    """Readiness: the database and the Celery broker answer; 503 with the reason otherwise."""
    problems = selectors.readiness_problems()
    if problems:
        return HttpResponse(
            "unavailable: " + ", ".join(problems), content_type="text/plain", status=503
        )
    return HttpResponse("ready", content_type="text/plain")


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: send them to the icon."""
    return HttpResponseRedirect(static("favicon.svg"))


class LoginView(auth_views.LoginView):
    """Django's login, throttled (crm.throttle); a successful login remembers the device."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        throttle.remember_device(self.request, response, form.cleaned_data["username"])
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page; its form rate-limits and mails after commit from the worker."""

    form_class = PasswordResetForm


@require_safe
@login_required
def home(request):
    """Where a login lands: agents and managers in the back office; citizens on "My requests"
    when something new awaits them there (its notifications are shown on top), on the portal's
    home otherwise."""
    if can_read_backoffice(request.user):
        return redirect("agent:home")
    if selectors.notification_unread_count(user=request.user):
        return redirect("portal:my_requests")
    return redirect("portal:home")


@backoffice_required
@require_safe
def group_detail(request, pk: int):
    try:
        group = selectors.assignment_group_detail(pk=pk)
    except AssignmentGroup.DoesNotExist as exc:
        raise Http404 from exc
    context = {"group": group, "history": selectors.record_history(group)}
    return render(request, "agent/group_detail.html", context)


@login_required
@require_safe
def notification_list(request):
    unread_only = request.GET.get("unread") == "1"
    context = {
        "notifications": selectors.notification_list(
            user=request.user, unread_only=unread_only, limit=100
        ),
        "unread_only": unread_only,
        "base_template": (
            "agent/base.html" if can_read_backoffice(request.user) else "portal/base.html"
        ),
    }
    return render(request, "crm/notifications.html", context)


@login_required
@require_POST
def notification_open(request, pk: int):
    # Another user's notification answers 404, as if it did not exist.
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notification_mark_read(notification=notification, by=request.user)
    target = notification.url
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("notifications")
    return HttpResponseRedirect(target or reverse("notifications"))


@login_required
@require_POST
def notification_mark_all_read(request):
    services.notifications_mark_all_read(user=request.user)
    if request.htmx:
        return render(request, "includes/bell.html", {"unread_notifications": 0})
    return redirect(safe_next(request, reverse("notifications")))


@login_required
@require_GET
def notification_bell(request):
    count = selectors.notification_unread_count(user=request.user)
    return render(request, "includes/bell.html", {"unread_notifications": count})


@require_POST
def set_language(request):
    """Switch the interface language; remembered on the user and in a cookie."""
    language = services.user_set_language(
        user=request.user, language=request.POST.get("language", "")
    )
    response = HttpResponseRedirect(safe_next(request, reverse("portal:home")))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        httponly=True,
    )
    return response


@login_required
@require_POST
def set_display(request):
    services.user_set_display(
        user=request.user,
        theme=request.POST.get("theme"),
        density=request.POST.get("density"),
    )
    return redirect(safe_next(request, reverse("home")))
