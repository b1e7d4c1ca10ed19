from django.urls import path  # noqa: F401 (each area below adds its paths)

from . import measurement_views

app_name = "treatment"

urlpatterns: list = [
    # Plans, individual notes, referrals, discharge (plan_views, note_views).
    # Groups, calendar and group notes (group_views).
    # Measurement-based care (measurement_views).
    path(
        "patients/<int:patient_id>/measurement/schedule/",
        measurement_views.measure_schedule,
        name="measure_schedule",
    ),
]
