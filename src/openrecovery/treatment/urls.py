from django.urls import path  # noqa: F401 (each area below adds its paths)

from . import discharge_views, group_views, measurement_views, note_views, plan_views

app_name = "treatment"

urlpatterns: list = [
    # Plans, individual notes, referrals, discharge (plan_views, note_views).
    path("patients/<int:patient_id>/treatment/plan/", plan_views.plan, name="plan"),
    path("patients/<int:patient_id>/treatment/notes/new/", note_views.note_new, name="note_new"),
    path(
        "patients/<int:patient_id>/treatment/discharge/",
        discharge_views.discharge,
        name="discharge",
    ),
    path("patients/<int:patient_id>/treatment/notes/<int:note_id>/", note_views.note, name="note"),
    # Groups, calendar and group notes (group_views).
    path("treatment/groups/", group_views.groups, name="groups"),
    path("treatment/groups/<int:group_id>/", group_views.group, name="group"),
    path("treatment/calendar/", group_views.calendar, name="calendar"),
    path("treatment/sessions/<int:session_id>/", group_views.session, name="session"),
    path("patients/<int:patient_id>/treatment/notes/", group_views.notes, name="patient_notes"),
    # Measurement-based care (measurement_views).
    path(
        "patients/<int:patient_id>/measurement/schedule/",
        measurement_views.measure_schedule,
        name="measure_schedule",
    ),
]
