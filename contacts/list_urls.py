"""URL patterns of the CRM's lists: /agent/<type>/, its CSV export and its saved filters."""

from django.urls import path

from . import list_views
from .tables import LISTS

urlpatterns: list = []
for name, spec in LISTS.items():
    base = f"agent/{spec.record_type.path}/"
    kind = {"kind": name}
    urlpatterns += [
        path(base, list_views.record_list, kind, name=f"{name}_list"),
        path(f"{base}export.csv", list_views.record_export, kind, name=f"{name}_export"),
        path(f"{base}filters/", list_views.saved_filter_save, kind, name=f"{name}_filter_save"),
        path(
            f"{base}filters/<int:pk>/delete/",
            list_views.saved_filter_delete,
            kind,
            name=f"{name}_filter_delete",
        ),
    ]
