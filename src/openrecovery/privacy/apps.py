from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "openrecovery.privacy"
    label = "privacy"
    verbose_name = "Privacy and access"
