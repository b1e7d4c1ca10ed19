from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "openrecovery.reports"
    label = "reports"
    verbose_name = "Reports"
