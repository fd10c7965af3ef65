"""The citizen's own pages that belong to contacts: profile and organisations. Included in the
``portal`` namespace (crm/urls.py)."""

from django.urls import path

from . import portal_views as views

urlpatterns = [
    path("my/profile/", views.profile, name="profile"),
    path("my/organisations/", views.organisation_list, name="organisations"),
    path("my/organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path(
        "my/organisations/<int:pk>/invite/", views.organisation_invite, name="organisation_invite"
    ),
    path(
        "my/organisations/<int:pk>/members/<int:member_pk>/remove/",
        views.organisation_member_remove,
        name="organisation_member_remove",
    ),
    path(
        "my/organisations/<int:pk>/invitations/<int:invitation_pk>/cancel/",
        views.organisation_invitation_cancel,
        name="organisation_invitation_cancel",
    ),
    path("my/organisations/invitations/<str:token>/", views.invitation, name="invitation"),
]
