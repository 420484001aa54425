"""API tokens (issue 11, item 12): stored hashed, with expiry and scope; an enterprise's ingest-only token for
its meter gateway; the token page is not cached."""

import datetime as dt
import importlib

from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient
from tests.conftest import web_client_for
from tests.telemetry.conftest import energy  # noqa: F401  (the fixture)

from jiliang.core.models import ApiToken, AuditEntry
from jiliang.core.services import create_api_token
from jiliang.core.tokens import hash_key

READINGS = "/api/telemetry/readings"


def _api(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_token_page_shows_the_key_once_stores_its_hash_and_is_not_cached(world):
    user = world.users["enterprise"]
    client = web_client_for(user)
    page = client.get("/account/token/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    created = client.post("/account/token/", {"name": "计量网关", "scope": "ingest", "days": "30"})
    assert created.status_code == 200 and "no-store" in created["Cache-Control"]
    key = created.context["created_key"]
    assert key.startswith("jl_") and key in created.content.decode()
    token = ApiToken.objects.get(user=user)
    assert token.key_hash == hash_key(key) and token.scope == "ingest"
    assert key not in {token.key_hash, token.prefix, token.name}  # the key itself is nowhere in the database
    assert dt.timedelta(days=29) < token.expires - timezone.now() <= dt.timedelta(days=30)
    again = client.get("/account/token/").content.decode()
    assert key not in again and token.prefix in again  # listed by its beginning only
    entry = AuditEntry.objects.filter(object_type="core.apitoken", object_id=str(token.pk)).get()
    assert entry.action == "create" and entry.after["scope"] == "ingest" and key not in str(entry.after)


def test_token_form_refuses_a_validity_beyond_the_limit(world, settings):
    settings.JILIANG_API_TOKEN_MAX_DAYS = 365
    response = web_client_for(world.users["enterprise"]).post(
        "/account/token/", {"name": "gateway", "scope": "full", "days": "5000"})
    assert response.status_code == 200 and not ApiToken.objects.exists()
    assert "365" in response.content.decode()


def test_an_ingest_token_only_posts_readings(energy):  # noqa: F811
    _token, key = create_api_token(actor=energy.user_ks, name="gateway", scope="ingest")
    client = _api(key)
    rows = [{"point": "E-IN", "ts": "2026-11-23T00:00:00+08:00", "value": 1000}]
    posted = client.post(READINGS, rows, format="json")
    assert posted.status_code == 200 and posted.json()["counts"]["accepted"] == 1
    org = f"/api/organisations/{energy.world.ent_ks.pk}/"
    for response in (client.get("/api/instruments/"), client.get(org), client.get(READINGS),
                     client.patch(org, {"name": "改名"}, format="json")):
        assert response.status_code == 403
        assert "只能上报计量数据" in response.json()["detail"]
    energy.world.ent_ks.refresh_from_db()
    assert energy.world.ent_ks.name != "改名"
    # the same user's full token may do what the user may
    _full, full_key = create_api_token(actor=energy.user_ks, name="script", scope="full")
    assert _api(full_key).get("/api/instruments/").status_code == 200


def test_expired_and_revoked_tokens_are_refused(world):
    user = world.users["kunshan"]
    token, key = create_api_token(actor=user, name="script", days=1)
    assert _api(key).get("/api/instruments/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires=timezone.now() - dt.timedelta(seconds=1))
    expired = _api(key).get("/api/instruments/")
    assert expired.status_code == 401 and "过期" in expired.json()["detail"]
    other, other_key = create_api_token(actor=user, name="other")
    web_client_for(user).post(f"/account/token/{other.pk}/revoke/")
    assert _api(other_key).get("/api/instruments/").status_code == 401
    # nobody revokes another user's token
    third, third_key = create_api_token(actor=user, name="third")
    assert web_client_for(world.users["province"]).post(f"/account/token/{third.pk}/revoke/").status_code == 404
    assert _api(third_key).get("/api/instruments/").status_code == 200


def test_the_token_endpoint_issues_an_expiring_hashed_token(world):
    response = Client().post("/api/auth/token/", {"username": "kunshan", "password": "pw-kunshan"})
    assert response.status_code == 200
    body = response.json()
    token = ApiToken.objects.get(key_hash=hash_key(body["token"]))
    assert body["scope"] == "full" and token.expires > timezone.now()


def test_plaintext_tokens_of_before_are_hashed_by_the_migration(world):
    user = world.users["kunshan"]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp, "
                       "user_id bigint)")
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, %s)",
                       ["0123456789abcdef0123456789abcdef01234567", timezone.now(), user.pk])
    migration = importlib.import_module("jiliang.core.migrations.0007_hashed_api_tokens")
    from django.apps import apps

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.hash_plaintext_tokens(apps, editor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0  # no plaintext key left
        cursor.execute("DROP TABLE authtoken_token")
    assert _api("0123456789abcdef0123456789abcdef01234567").get("/api/instruments/").status_code == 200
