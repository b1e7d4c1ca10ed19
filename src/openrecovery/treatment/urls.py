from django.urls import path  # noqa: F401 (each area below adds its paths)

app_name = "treatment"

urlpatterns: list = [
    # Plans, individual notes, referrals, discharge (plan_views, note_views).
    # Groups, calendar and group notes (group_views).
    # Measurement-based care (measurement_views).
]
