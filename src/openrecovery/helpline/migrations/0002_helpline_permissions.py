"""Give admissions and the clinical director the helpline permissions (accounts/roles.py)."""

from django.db import migrations


def apply_roles(apps, schema_editor):
    from openrecovery.accounts.roles import roles_sync

    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("helpline", "0001_inquiries_calls_prescreens_dispositions"),
        ("accounts", "0002_apply_role_permissions"),
        ("assessment", "0002_assessment_permissions"),
    ]

    operations = [migrations.RunPython(apply_roles, migrations.RunPython.noop)]
