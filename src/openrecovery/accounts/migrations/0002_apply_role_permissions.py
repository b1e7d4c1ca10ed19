"""Create one group per staff role with the permissions defined in accounts/roles.py."""

from django.db import migrations


def apply_roles(apps, schema_editor):
    from openrecovery.accounts.roles import roles_sync

    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_staff_users_tokens_sessions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("records", "0001_patients_episodes_care_teams_timeline"),
        ("privacy", "0001_break_glass_grants"),
        ("audit", "0001_audit_tables_and_append_only_triggers"),
    ]

    operations = [migrations.RunPython(apply_roles, migrations.RunPython.noop)]
