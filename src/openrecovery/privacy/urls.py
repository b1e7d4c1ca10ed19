from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("break-glass/", views.break_glass, name="break_glass"),
    path("break-glass/search/", views.break_glass_search_view, name="break_glass_search"),
    path("break-glass/review/", views.review_list, name="review_list"),
    path("break-glass/<int:grant_id>/review/", views.review, name="review"),
]
