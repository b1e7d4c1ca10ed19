"""Give administrators and the clinical director the role-change approval (accounts/roles.py)."""

from django.db import migrations


def apply_roles(apps, schema_editor):
    from openrecovery.accounts.roles import roles_sync

    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_role_changes_awaiting_approval")]

    operations = [migrations.RunPython(apply_roles, migrations.RunPython.noop)]
