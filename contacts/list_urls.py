"""URL patterns of the CRM (list_urls)."""

urlpatterns: list = []
