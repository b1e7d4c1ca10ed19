from django.db import migrations


def apply_roles(apps, schema_editor):
    from openrecovery.accounts.roles import roles_sync

    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("treatment", "0001_plans_sessions_notes"),
        ("withdrawal", "0003_taper_orders_mar"),
    ]

    operations = [migrations.RunPython(apply_roles, migrations.RunPython.noop)]
