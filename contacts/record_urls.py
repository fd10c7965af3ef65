"""URL patterns of the CRM's record pages: /agent/<type>/<pk>/, /new/ and /<pk>/edit/, one
field's display and inline edit, the timeline's next pages; and the shell's CRM menus
(favourites, recently viewed, the star, the pickers' search)."""

from django.urls import path

from . import record_views, shell_views
from .records import RECORD_TYPES

# Fixed words first: none of them is a record type's path.
urlpatterns: list = [
    path("agent/favourites/", shell_views.favourites_menu, name="favourites"),
    path("agent/favourites/toggle/", shell_views.favourite_toggle, name="favourite_toggle"),
    path("agent/favourites/star/", shell_views.favourite_star, name="favourite_star"),
    path("agent/recent/", shell_views.recent_menu, name="recent"),
    path("agent/records/search/", shell_views.record_search, name="record_search"),
]
# Created elsewhere: clients, partners and contacts check for duplicates first (duplicate_urls),
# documents carry a file (document_urls); both modules are included before this one.
CREATED_ELSEWHERE = {"client", "partner", "contact", "document"}

for name, record_type in RECORD_TYPES.items():
    base = f"agent/{record_type.path}/"
    kind = {"kind": name}
    if name not in CREATED_ELSEWHERE:
        urlpatterns.append(
            path(f"{base}new/", record_views.record_create, kind, name=f"{name}_create")
        )
    urlpatterns += [
        path(f"{base}<int:pk>/", record_views.record_detail, kind, name=f"{name}_detail"),
        path(f"{base}<int:pk>/edit/", record_views.record_edit, kind, name=f"{name}_edit"),
        path(
            f"{base}<int:pk>/fields/<slug:name>/",
            record_views.record_field,
            kind,
            name=f"{name}_field",
        ),
        path(
            f"{base}<int:pk>/fields/<slug:name>/edit/",
            record_views.record_field_edit,
            kind,
            name=f"{name}_field_edit",
        ),
    ]
    if name in record_views.THREE_SIXTY:
        urlpatterns.append(
            path(
                f"{base}<int:pk>/timeline/",
                record_views.record_timeline,
                kind,
                name=f"{name}_timeline",
            )
        )
