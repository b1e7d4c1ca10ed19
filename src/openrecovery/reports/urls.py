from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report, name="audit_report"),
    path("export.csv", views.export_csv, name="audit_export_csv"),
]
