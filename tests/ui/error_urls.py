"""Guichet's URLs plus views that fail on purpose, for the error-page tests."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from crm.urls import urlpatterns as guichet_urlpatterns


def forbidden(request):
    raise PermissionDenied


def crash(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("agent/forbidden/", forbidden),
    path("portal-forbidden/", forbidden),
    path("agent/crash/", crash),
    path("crash/", crash),
    *guichet_urlpatterns,
]
