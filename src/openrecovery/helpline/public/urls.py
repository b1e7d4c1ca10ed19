"""Public helpline pages, under /help/."""

from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("self-check/", views.self_check, name="self_check"),
    path("callback/", views.callback_request, name="callback"),
    path("callback/sent/", views.callback_sent, name="callback_sent"),
    path("privacy/", views.privacy, name="privacy"),
]
