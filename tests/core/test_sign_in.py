"""Signing in (issue 11, item 11): back-off per account and per address on the login page, the admin login
and the token endpoint; password rules by role; the password-change page; the TOTP second factor."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.conftest import web_client_for

from jiliang.core.models import AuditEntry


def _login(username, password, addr="198.51.100.1", otp=""):
    client = Client(REMOTE_ADDR=addr)
    return client, client.post("/login/", {"username": username, "password": password, "otp_token": otp})


def _admin_login(username, password, addr="198.51.100.1"):
    client = Client(REMOTE_ADDR=addr)
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def _token(username, password, addr="198.51.100.1", otp=None):
    data = {"username": username, "password": password}
    if otp is not None:
        data["otp_token"] = otp
    return Client(REMOTE_ADDR=addr).post("/api/auth/token/", data)


def test_an_account_is_locked_after_repeated_failures_everywhere(world, settings):
    settings.JILIANG_LOGIN_FAILURES_PER_ACCOUNT = "5/15m"
    settings.JILIANG_LOGIN_FAILURES_PER_ADDRESS = ""
    assert _login("kunshan", "pw-kunshan")[1].status_code == 302  # the right password works at first
    for i in range(5):  # from five addresses: the account's count, not the address's
        assert _login("kunshan", f"guess-{i}", addr=f"198.51.100.{10 + i}")[1].status_code == 200
    _client, page = _login("kunshan", "pw-kunshan", addr="198.51.100.99")
    assert page.status_code == 200  # even the right password is refused now
    assert "登录失败次数过多" in page.content.decode()  # says why, in the user's language
    admin_page = _admin_login("kunshan", "pw-kunshan", addr="198.51.100.98")
    assert admin_page.status_code == 200 and "_auth_user_id" not in admin_page.wsgi_request.session
    token = _token("kunshan", "pw-kunshan", addr="198.51.100.97")
    assert token.status_code == 429 and 0 < int(token["Retry-After"]) <= 900
    # other accounts are unaffected
    assert _login("suzhou", "pw-suzhou")[1].status_code == 302


def test_an_address_is_locked_after_failures_on_many_accounts(world, settings):
    settings.JILIANG_LOGIN_FAILURES_PER_ACCOUNT = ""
    settings.JILIANG_LOGIN_FAILURES_PER_ADDRESS = "3/15m"
    for name in ("province", "suzhou", "xuanwu"):
        _login(name, "wrong", addr="203.0.113.50")
    assert _login("kunshan", "pw-kunshan", addr="203.0.113.50")[1].status_code == 200  # refused
    assert _token("kunshan", "pw-kunshan", addr="203.0.113.50").status_code == 429
    assert _login("kunshan", "pw-kunshan", addr="203.0.113.51")[1].status_code == 302  # another address


def test_failures_at_the_admin_and_token_endpoint_count_too(world, settings):
    settings.JILIANG_LOGIN_FAILURES_PER_ACCOUNT = "3/15m"
    _admin_login("province", "wrong")
    assert _token("province", "wrong").status_code == 400
    _login("province", "wrong")
    assert _login("province", "pw-province")[1].status_code == 200  # locked after 3, wherever they were


def test_password_rules(world):
    bureau, enterprise = world.users["kunshan"], world.users["enterprise"]
    for password, user, code in [
        ("Zq7#mVw2p", bureau, "password_too_short_for_staff"),  # 9 characters: too short for bureau staff
        ("password123", enterprise, "password_too_common"),
        ("40273918562", enterprise, "password_entirely_numeric"),
        ("kunshan2026!", bureau, "password_too_similar"),
    ]:
        with pytest.raises(ValidationError) as exc:
            validate_password(password, user=user)
        assert code in [e.code for e in exc.value.error_list], (password, exc.value.messages)
    validate_password("Zq7#mVw2p", user=enterprise)  # 9 characters are enough for an enterprise
    validate_password("Zq7#mVw2p-x", user=bureau)


def test_the_password_change_page(world):
    user = world.users["institute"]
    client = web_client_for(user)
    assert client.get("/account/password/").status_code == 200
    short = client.post("/account/password/", {"old_password": "pw-institute", "new_password1": "Zq7#mVw2p",
                                               "new_password2": "Zq7#mVw2p"})
    assert short.status_code == 200 and "至少需要 10 个字符" in short.content.decode()
    wrong_old = client.post("/account/password/", {"old_password": "nope", "new_password1": "Zq7#mVw2p-long",
                                                   "new_password2": "Zq7#mVw2p-long"})
    assert wrong_old.status_code == 200
    done = client.post("/account/password/", {"old_password": "pw-institute", "new_password1": "Zq7#mVw2p-long",
                                              "new_password2": "Zq7#mVw2p-long"})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Zq7#mVw2p-long")
    assert AuditEntry.objects.filter(message="password changed", actor=user).exists()
    assert client.get("/").status_code == 200  # still signed in after the change
    assert Client().get("/account/password/").status_code == 302  # sign in first


def _later(device):
    """As if the next time step had come and django-otp's back-off after a wrong code had passed."""
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0,
                                                   throttling_failure_timestamp=None)


def _code(device, steps_ahead=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def test_a_bureau_administrator_sets_up_totp_and_sign_in_then_needs_it(world):
    user = world.users["province"]
    client = web_client_for(user)
    assert 'data-state="off"' in client.get("/account/two-factor/").content.decode()
    started = client.post("/account/two-factor/", {"step": "start"}).content.decode()
    assert 'id="otp-secret"' in started and "<svg" in started
    device = TOTPDevice.objects.get(user=user)
    assert client.post("/account/two-factor/", {"step": "confirm", "code": "000000"}).status_code == 200
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    _later(device)
    assert client.post("/account/two-factor/", {"step": "confirm", "code": _code(device)}).status_code == 302
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert AuditEntry.objects.filter(message="TOTP second factor set up", actor=user).exists()

    # password alone is no longer enough, on the page, the admin and the token endpoint
    _c, without = _login("province", "pw-province")
    assert without.status_code == 200 and "_auth_user_id" not in without.wsgi_request.session
    assert _login("province", "pw-province", otp="123456")[1].status_code == 200
    assert _token("province", "pw-province").status_code == 400
    _later(device)
    signed_in, ok = _login("province", "pw-province", otp=_code(device))
    assert ok.status_code == 302 and signed_in.get("/").status_code == 200
    _later(device)
    assert _token("province", "pw-province", otp=_code(device)).status_code == 200


def test_the_second_factor_is_for_bureau_administrators(world):
    assert web_client_for(world.users["enterprise"]).get("/account/two-factor/").status_code == 403
    # users without a device sign in with their password as before
    assert _login("enterprise", "pw-enterprise")[1].status_code == 302
