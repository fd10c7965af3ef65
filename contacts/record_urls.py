"""URL patterns of the CRM's record pages: /agent/<type>/<pk>/, /new/ and /<pk>/edit/."""

from django.urls import path

from . import record_views
from .records import RECORD_TYPES

urlpatterns: list = []
for name, record_type in RECORD_TYPES.items():
    base = f"agent/{record_type.path}/"
    urlpatterns += [
        path(f"{base}new/", record_views.record_create, {"kind": name}, name=f"{name}_create"),
        path(f"{base}<int:pk>/", record_views.record_detail, {"kind": name}, name=f"{name}_detail"),
        path(
            f"{base}<int:pk>/edit/", record_views.record_edit, {"kind": name}, name=f"{name}_edit"
        ),
    ]
