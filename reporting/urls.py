from django.urls import path

from . import views

# Included inside the "agent" namespace by the root URLconf: the home is "agent:home".
urlpatterns = [path("", views.agent_home, name="home")]
