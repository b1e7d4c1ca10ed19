"""Give the clinical roles the intake and problem-list permissions (accounts/roles.py)."""

from django.db import migrations


def apply_roles(apps, schema_editor):
    from openrecovery.accounts.roles import roles_sync

    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0001_intake_assessments_and_problem_list"),
        ("accounts", "0002_apply_role_permissions"),
        ("instruments", "0002_administer_instrument_permission"),
    ]

    operations = [migrations.RunPython(apply_roles, migrations.RunPython.noop)]
