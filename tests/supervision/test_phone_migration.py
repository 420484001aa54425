"""Migration 0003_phone_finding_photos: a finding's one photo (Finding.photo, photo_type) becomes a FindingPhoto row
with the same bytes and type, and comes back onto the finding when migrated backwards."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from .conftest import JPEG, PNG

BEFORE = ("supervision", "0002_codes_campaigns_complaints")
AFTER = ("supervision", "0003_phone_finding_photos")


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.mark.django_db(transaction=True)
def test_the_photo_moves_into_a_photo_row_and_back(world):
    try:
        apps = migrate(BEFORE)
        Finding = apps.get_model("supervision", "Finding")
        with_photo = Finding.objects.create(instrument_id=world.instrument_ks.pk, found_on=dt.date(2025, 6, 1),
                                            kind="seal_broken", photo=PNG, photo_type="image/png")
        without = Finding.objects.create(instrument_id=world.instrument_ks.pk, found_on=dt.date(2025, 6, 2),
                                         kind="conforming")
        apps = migrate(AFTER)
        Photo = apps.get_model("supervision", "FindingPhoto")
        rows = list(Photo.objects.order_by("pk"))
        assert [(r.finding_id, bytes(r.data), r.content_type) for r in rows] == [(with_photo.pk, PNG, "image/png")]
        assert rows[0].taken_at is not None
        assert not Photo.objects.filter(finding_id=without.pk).exists()
        Photo.objects.create(finding_id=with_photo.pk, data=JPEG, content_type="image/jpeg")
        apps = migrate(BEFORE)
        back = apps.get_model("supervision", "Finding").objects.get(pk=with_photo.pk)
        assert (bytes(back.photo), back.photo_type) == (PNG, "image/png")  # the first photo goes back
    finally:
        migrate(AFTER)
