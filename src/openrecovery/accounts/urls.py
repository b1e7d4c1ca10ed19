from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("mfa/", views.mfa_view, name="mfa"),
    path("session/extend/", views.session_extend, name="session_extend"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_add, name="staff_add"),
    path("staff/<int:user_id>/", views.staff_change, name="staff_change"),
    path("staff/role-changes/", views.role_changes, name="role_changes"),
    path(
        "staff/role-changes/<int:change_id>/",
        views.role_change_decision,
        name="role_change_decision",
    ),
]
