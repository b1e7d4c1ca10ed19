"""Ship the default withdrawal protocol (version 1) and give the roles their permissions."""

from django.db import migrations
from django.utils import timezone


def default_protocol(apps, schema_editor):
    from openrecovery.withdrawal.protocols import protocol_defaults

    protocol = apps.get_model("withdrawal", "WithdrawalProtocol")
    protocol.objects.get_or_create(
        version=1, defaults={**protocol_defaults(), "created_at": timezone.now()}
    )


def apply_roles(apps, schema_editor):
    from openrecovery.accounts.roles import roles_sync

    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("withdrawal", "0001_protocols_units_observations"),
    ]

    operations = [
        migrations.RunPython(default_protocol, migrations.RunPython.noop),
        migrations.RunPython(apply_roles, migrations.RunPython.noop),
    ]
