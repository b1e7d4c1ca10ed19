"""Store each inquiry's phone digits, indexed for open inquiries, to find duplicates."""

import re

from django.db import migrations, models

BATCH = 2000


def phone_digits_fill(apps, schema_editor):
    """Fill ``phone_digits`` of the inquiries that exist (the services set it from now on)."""
    Inquiry = apps.get_model("helpline", "Inquiry")
    rows = []
    for inquiry in Inquiry.objects.only("id", "phone").iterator(chunk_size=BATCH):
        inquiry.phone_digits = re.sub(r"\D", "", inquiry.phone)
        rows.append(inquiry)
        if len(rows) == BATCH:
            Inquiry.objects.bulk_update(rows, ["phone_digits"])
            rows = []
    Inquiry.objects.bulk_update(rows, ["phone_digits"])


class Migration(migrations.Migration):
    dependencies = [
        ("helpline", "0005_inquiry_merged_into"),
    ]

    operations = [
        migrations.AddField(
            model_name="inquiry",
            name="phone_digits",
            field=models.CharField(blank=True, editable=False, max_length=32),
        ),
        migrations.RunPython(phone_digits_fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="inquiry",
            index=models.Index(
                condition=models.Q(("closed_at__isnull", True)),
                fields=["phone_digits", "received_at"],
                name="inquiry_open_phone",
            ),
        ),
    ]
