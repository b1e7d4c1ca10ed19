"""Root URLconf."""

from django.urls import include, path

from openrecovery.api import api
from openrecovery.core import views as core_views

handler403 = "openrecovery.core.views.error_403"
handler404 = "openrecovery.core.views.error_404"
handler500 = "openrecovery.core.views.error_500"

urlpatterns = [
    path("", include("openrecovery.chart.urls")),
    path("accounts/", include("openrecovery.accounts.urls")),
    path("audit/", include("openrecovery.reports.urls")),
    path("", include("openrecovery.privacy.urls")),
    path("", include("openrecovery.instruments.urls")),
    path("", include("openrecovery.safety.urls")),
    path("", include("openrecovery.assessment.urls")),
    path("", include("openrecovery.helpline.urls")),
    path("", include("openrecovery.withdrawal.urls")),
    path("", include("openrecovery.treatment.urls")),
    path("crisis/", core_views.crisis_resources, name="crisis"),
    path("healthz", core_views.healthz, name="healthz"),
    path("api/v1/", api.urls),
]
