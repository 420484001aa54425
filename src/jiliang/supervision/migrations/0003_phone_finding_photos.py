"""A finding may have several photos: the one photo kept on the finding row (``Finding.photo`` and ``photo_type``)
moves into a ``FindingPhoto`` row, taken at the finding's creation time, and the two fields go away.

Backwards, the first photo of each finding goes back onto its row (a finding had at most one before)."""

from django.db import migrations

BATCH = 200


def photos_to_rows(apps, schema_editor):
    Finding = apps.get_model("supervision", "Finding")
    FindingPhoto = apps.get_model("supervision", "FindingPhoto")
    ids = list(Finding.objects.exclude(photo_type="").values_list("pk", flat=True).order_by("pk"))
    for start in range(0, len(ids), BATCH):  # photos are up to 10 MB each: a batch at a time, not the table
        rows = Finding.objects.filter(pk__in=ids[start:start + BATCH]).only("pk", "photo", "photo_type", "created")
        FindingPhoto.objects.bulk_create([
            FindingPhoto(finding_id=f.pk, data=bytes(f.photo), content_type=f.photo_type, taken_at=f.created)
            for f in rows if f.photo])


def rows_to_photos(apps, schema_editor):
    Finding = apps.get_model("supervision", "Finding")
    FindingPhoto = apps.get_model("supervision", "FindingPhoto")
    seen = set()
    for photo in FindingPhoto.objects.order_by("finding_id", "pk").iterator(chunk_size=BATCH):
        if photo.finding_id in seen:
            continue
        seen.add(photo.finding_id)
        Finding.objects.filter(pk=photo.finding_id).update(photo=bytes(photo.data), photo_type=photo.content_type)


class Migration(migrations.Migration):

    dependencies = [
        ("supervision", "0002_codes_campaigns_complaints"),
    ]

    operations = [
        migrations.RunPython(photos_to_rows, rows_to_photos),
        migrations.RemoveField(model_name="finding", name="photo"),
        migrations.RemoveField(model_name="finding", name="photo_type"),
    ]
