"""Give the clinical roles the permission to complete safety precautions (accounts/roles.py)."""

from django.db import migrations


def apply_roles(apps, schema_editor):
    from openrecovery.accounts.roles import roles_sync

    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("safety", "0004_safety_precautions"),
    ]

    operations = [migrations.RunPython(apply_roles, migrations.RunPython.noop)]
