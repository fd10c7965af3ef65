"""URL patterns of the CRM (duplicate_urls)."""

urlpatterns: list = []
