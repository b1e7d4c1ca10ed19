from django.apps import AppConfig


class ChartConfig(AppConfig):
    name = "openrecovery.chart"
    label = "chart"
    verbose_name = "Staff dashboard and chart"
