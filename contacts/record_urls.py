"""URL patterns of the CRM (record_urls)."""

urlpatterns: list = []
