from django.urls import path

from . import views

app_name = "chart"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("patients/search/", views.search, name="search"),
    path("patients/<int:patient_id>/", views.chart, name="chart"),
    path("patients/<int:patient_id>/print/", views.chart_print, name="print"),
    path("patients/<int:patient_id>/timeline/", views.timeline_more, name="timeline"),
    path("patients/<int:patient_id>/stage/", views.stage_move, name="stage_move"),
    path("patients/<int:patient_id>/care-team/", views.care_team_add_view, name="care_team_add"),
    path(
        "patients/<int:patient_id>/tasks/<int:task_id>/close/",
        views.task_close_view,
        name="task_close",
    ),
    path(
        "patients/<int:patient_id>/care-team/<int:member_id>/remove/",
        views.care_team_remove_view,
        name="care_team_remove",
    ),
]
