from django.apps import AppConfig


class HelplineConfig(AppConfig):
    name = "openrecovery.helpline"
    label = "helpline"
    verbose_name = "24/7 helpline and admissions"
