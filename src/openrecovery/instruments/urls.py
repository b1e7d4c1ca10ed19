from django.urls import path

from . import views

app_name = "instruments"

urlpatterns = [
    path("patients/<int:patient_id>/instruments/", views.trends_view, name="trends"),
    path(
        "patients/<int:patient_id>/instruments/<slug:code>/",
        views.administer,
        name="administer",
    ),
    path(
        "patients/<int:patient_id>/alerts/<int:alert_id>/acknowledge/",
        views.alert_acknowledge_view,
        name="alert_acknowledge",
    ),
    path(
        "patients/<int:patient_id>/alerts/<int:alert_id>/resolve/",
        views.alert_resolve_view,
        name="alert_resolve",
    ),
]
