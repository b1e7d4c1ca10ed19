from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "openrecovery.accounts"
    label = "accounts"
    verbose_name = "Staff accounts"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import signals  # noqa: F401  (login/logout audit receivers)
        from .roles import roles_sync_after_migrate

        post_migrate.connect(roles_sync_after_migrate, sender=self)
