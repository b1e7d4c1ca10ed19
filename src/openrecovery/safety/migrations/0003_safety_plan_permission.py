"""Give the clinical roles the permission to write and sign safety plans (accounts/roles.py)."""

from django.db import migrations


def apply_roles(apps, schema_editor):
    from openrecovery.accounts.roles import roles_sync

    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("safety", "0002_safety_plans"),
        ("accounts", "0005_user_alert_version"),
    ]

    operations = [migrations.RunPython(apply_roles, migrations.RunPython.noop)]
