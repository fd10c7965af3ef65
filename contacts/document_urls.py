"""URL patterns of the CRM (document_urls)."""

urlpatterns: list = []
