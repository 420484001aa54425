"""Check codes for the public certificate check. Certificates issued before get a random code on the record
only (their signed content and PDF stay as issued); the owner reads it on the certificate's page."""

import secrets

from django.db import migrations, models

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # certificates.CHECK_CODE_ALPHABET at the time of writing


def codes_for_issued_certificates(apps, schema_editor):
    Certificate = apps.get_model("verification", "Certificate")
    for pk in Certificate.objects.filter(check_code="").values_list("pk", flat=True).iterator():
        code = "".join(secrets.choice(ALPHABET) for _ in range(8))
        Certificate.objects.filter(pk=pk).update(check_code=code)


class Migration(migrations.Migration):
    dependencies = [
        ("verification", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="check_code",
            field=models.CharField(
                blank=True, editable=False,
                help_text="printed on the certificate; the public check asks for it with the number",
                max_length=16, verbose_name="check code"),
        ),
        migrations.RunPython(codes_for_issued_certificates, migrations.RunPython.noop),
    ]
