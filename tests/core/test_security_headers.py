"""Headers and cookies (issue 11, item 15): a CSP allowing only the site's own scripts, no inline script in
any page, HSTS/secure cookies/SSL redirect on in production mode, and `check --deploy` clean there."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from tests.conftest import web_client_for

import jiliang

SRC = Path(jiliang.__file__).parent
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER_ATTRIBUTE = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)


def _production_env(tmp_path, **extra) -> dict:
    # a clean deployment's environment: none of the test run's settings (the browser tests' conftest sets
    # DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy rightly refuses)
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("JILIANG_", "DJANGO_")) and k != "DATABASE_URL"}
    return {**base, "JILIANG_VAR_DIR": str(tmp_path), "JILIANG_PRODUCTION": "1",
            "JILIANG_SECRET_KEY": secrets.token_urlsafe(50), "JILIANG_SIGNING_SECRET": secrets.token_urlsafe(40),
            "JILIANG_AUDIT_KEY": secrets.token_urlsafe(40), "JILIANG_CODE_KEY": secrets.token_urlsafe(40),
            "JILIANG_ALLOWED_HOSTS": "jiliang.example.gov.cn",
            "JILIANG_PUBLIC_URL": "https://jiliang.example.gov.cn", **extra}


def test_check_deploy_is_clean_in_production_mode(tmp_path):
    result = subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
                            env={**_production_env(tmp_path), "DJANGO_SETTINGS_MODULE": "jiliang.settings"},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr


def _settings_of(env) -> list[str]:
    code = ("import jiliang.settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
            "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, getattr(s, 'SECURE_PROXY_SSL_HEADER', None))")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_transport_security_is_on_by_default_in_production_and_settable(tmp_path):
    assert _settings_of(_production_env(tmp_path)) == "True 31536000 True True None"
    off = _production_env(tmp_path, JILIANG_SSL_REDIRECT="0", JILIANG_HSTS_SECONDS="0", JILIANG_SECURE_COOKIES="0",
                          JILIANG_PROXY_SSL_HEADER="X-Forwarded-Proto: https")
    assert _settings_of(off) == "False 0 False False ('HTTP_X_FORWARDED_PROTO', 'https')"
    dev = {k: v for k, v in _production_env(tmp_path).items() if k != "JILIANG_PRODUCTION"}
    assert _settings_of(dev) == "False 0 False False None"


def test_no_template_has_an_inline_script_or_handler():
    offenders = []
    for path in SRC.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if INLINE_SCRIPT.search(text) or HANDLER_ATTRIBUTE.search(text):
            offenders.append(str(path.relative_to(SRC)))
    assert offenders == []


@pytest.mark.parametrize("role", ["province", "enterprise"])
def test_pages_send_the_csp_and_run_only_the_sites_own_scripts(world, role):
    from jiliang.registry.models import Designation
    from jiliang.telemetry.quality import KEY_ENERGY_DESIGNATION

    world.ent_ks.designations.add(Designation.objects.get_or_create(
        code=KEY_ENERGY_DESIGNATION, defaults={"name": "重点用能单位", "name_en": "key energy consumer"})[0])
    client = web_client_for(world.users[role])
    urls = [reverse("home"), reverse("instruments-list"), reverse("energy-dashboard"),
            reverse("uncertainty-calculator"), reverse("energy-enterprise", args=[world.ent_ks.pk]),
            reverse("api-docs")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), url
        assert not HANDLER_ATTRIBUTE.search(html), url
        for src in re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", html):
            assert src.startswith("/"), (url, src)  # same origin: /static/… (vendored) or the docs' own script


def test_swagger_ui_start_up_script_is_a_file(world):
    html = web_client_for(world.users["province"]).get(reverse("api-docs")).content.decode()
    script = re.search(r"<script src=\"([^\"]*script=[^\"]*)\"", html).group(1).replace("&amp;", "&")
    response = web_client_for(world.users["province"]).get(script)
    assert response.status_code == 200 and "javascript" in response["Content-Type"]
    assert "SwaggerUIBundle" in response.content.decode()
