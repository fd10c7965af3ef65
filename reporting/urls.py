from django.urls import path

from . import search_views, views

# Included inside the "agent" namespace by the root URLconf: the home is "agent:home".
urlpatterns = [
    path("", views.agent_home, name="home"),
    path("search/", search_views.global_search, name="search"),
    path("search/suggest/", search_views.global_search_suggest, name="search_suggest"),
    path("dashlets/arrange/", views.dashlet_arrange, name="dashlet_arrange"),
    path("dashlets/<slug:key>/", views.dashlet, name="dashlet"),
]
