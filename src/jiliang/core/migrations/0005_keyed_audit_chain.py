"""Key the audit chain: existing entries become version 1 (plain SHA-256, still verified), new ones are
HMAC-keyed (version 2); the head records where the legacy entries end, under the key's MAC."""

from django.db import migrations, models


def mark_legacy_boundary(apps, schema_editor):
    from jiliang.core.audit import head_mac

    AuditHead = apps.get_model("core", "AuditHead")
    head = AuditHead.objects.filter(pk=1).first()
    if head is None:
        return
    head.legacy_last_id = head.last_entry_id
    head.mac = head_mac(head.last_entry_id, head.last_hash, head.legacy_last_id)
    head.save(update_fields=["legacy_last_id", "mac"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_audit_indexes"),
    ]

    operations = [
        # Every existing row is a legacy entry (default 1); from now on the model's default is 2.
        migrations.AddField(
            model_name="auditentry",
            name="version",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="hash version"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="version",
            field=models.PositiveSmallIntegerField(
                default=2, help_text="1: SHA-256 chain (legacy entries); 2: HMAC-SHA256 keyed chain",
                verbose_name="hash version"),
        ),
        migrations.AddField(
            model_name="audithead",
            name="legacy_last_id",
            field=models.BigIntegerField(
                help_text="the last entry hashed with plain SHA-256 (version 1), before the chain was keyed",
                null=True),
        ),
        migrations.AddField(
            model_name="audithead",
            name="mac",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(mark_legacy_boundary, migrations.RunPython.noop),
    ]
