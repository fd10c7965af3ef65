"""URL patterns of the duplicate check and the merge (duplicate_urls): the create pages of
clients, partners and contacts (they come before the generic record patterns, under the same
names), their panel of similar records, and the merge page of each."""

from django.urls import path

from . import duplicate_views
from .records import RECORD_TYPES

urlpatterns: list = []
for name in duplicate_views.MERGEABLE:
    base = f"agent/{RECORD_TYPES[name].path}/"
    urlpatterns += [
        path(
            f"{base}new/",
            duplicate_views.record_create,
            {"kind": name},
            name=f"{name}_create",
        ),
        path(
            f"{base}new/similar/",
            duplicate_views.duplicate_check,
            {"kind": name},
            name=f"{name}_similar",
        ),
        path(
            f"{base}<int:pk>/merge/",
            duplicate_views.record_merge,
            {"kind": name},
            name=f"{name}_merge",
        ),
    ]
