from django.urls import path

from . import views as views_import

app_name = "imports"

urlpatterns = [
    path("", views_import.import_upload, name="upload"),
    path("<int:pk>/", views_import.import_detail, name="detail"),
    path("<int:pk>/progress/", views_import.import_progress, name="progress"),
    path("<int:pk>/confirm/", views_import.import_confirm, name="confirm"),
    path("<int:pk>/resume/", views_import.import_resume, name="resume"),
    path("<int:pk>/rejected.csv", views_import.import_rejected_csv, name="rejected"),
]
