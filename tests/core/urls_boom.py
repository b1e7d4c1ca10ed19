"""A test URLconf: the app's URLs plus one view that raises, to see the 500 page."""

from django.urls import path

from openrecovery import urls as root_urls

BOOM_DETAIL = "Boomfamily MRN-0000042 connection to secret-db-host failed"


def boom(request):
    raise RuntimeError(BOOM_DETAIL)


urlpatterns = [path("boom/", boom), *root_urls.urlpatterns]
handler403 = root_urls.handler403
handler404 = root_urls.handler404
handler500 = root_urls.handler500
