from django.urls import include, path

app_name = "helpline"

urlpatterns: list = [
    path("help/", include("openrecovery.helpline.public.urls")),
    path("admissions/", include("openrecovery.helpline.console.urls")),
]
