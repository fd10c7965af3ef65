"""URL patterns of the CRM's record pages: /agent/<type>/<pk>/, /new/ and /<pk>/edit/."""

from django.urls import path

from . import record_views
from .records import RECORD_TYPES

# Their create pages check for duplicates first: duplicate_urls (included before this module).
CREATED_ELSEWHERE = {"client", "partner", "contact"}

urlpatterns: list = []
for name, record_type in RECORD_TYPES.items():
    base = f"agent/{record_type.path}/"
    if name not in CREATED_ELSEWHERE:
        urlpatterns.append(
            path(f"{base}new/", record_views.record_create, {"kind": name}, name=f"{name}_create")
        )
    urlpatterns += [
        path(f"{base}<int:pk>/", record_views.record_detail, {"kind": name}, name=f"{name}_detail"),
        path(
            f"{base}<int:pk>/edit/", record_views.record_edit, {"kind": name}, name=f"{name}_edit"
        ),
    ]
