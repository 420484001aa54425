"""JILIANG_PUBLIC_URL in production mode (issue 10, item 21): certificates' QR codes point at it, so a loopback,
missing or malformed address is a system check error (core.E001) there, and nothing in development."""

import subprocess
import sys

import pytest
from django.core.checks import ERROR, run_checks
from tests.core.test_security_headers import _production_env


def _public_url_errors():
    return [m for m in run_checks() if m.id == "core.E001"]


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://localhost:8000/", "https://[::1]/",
                                 "http://0.0.0.0:8000", "http://127.8.9.10", "", "jiliang.example.gov.cn"])
def test_a_loopback_missing_or_malformed_public_url_is_an_error_in_production(settings, url):
    settings.PRODUCTION = True
    settings.JILIANG_PUBLIC_URL = url
    errors = _public_url_errors()
    assert len(errors) == 1
    assert errors[0].level == ERROR
    assert "JILIANG_PUBLIC_URL" in errors[0].msg and "JILIANG_PUBLIC_URL" in errors[0].hint


@pytest.mark.parametrize("url", ["https://jiliang.example.gov.cn", "http://10.2.3.4:8080/jiliang"])
def test_a_reachable_public_url_passes_in_production(settings, url):
    settings.PRODUCTION = True
    settings.JILIANG_PUBLIC_URL = url
    assert _public_url_errors() == []


def test_development_may_keep_the_loopback_default(settings):
    settings.PRODUCTION = False
    settings.JILIANG_PUBLIC_URL = "http://127.0.0.1:8000"
    assert _public_url_errors() == []


@pytest.mark.parametrize("env_url, fails", [(None, True), ("http://127.0.0.1:8000", True),
                                            ("https://jiliang.example.gov.cn", False)])
def test_production_start_up_runs_the_check(tmp_path, env_url, fails):
    env = {**_production_env(tmp_path), "DJANGO_SETTINGS_MODULE": "jiliang.settings"}
    env.pop("JILIANG_PUBLIC_URL")
    if env_url:
        env["JILIANG_PUBLIC_URL"] = env_url
    result = subprocess.run([sys.executable, "-m", "django", "check"], env=env, capture_output=True, text=True,
                            timeout=300)
    output = result.stdout + result.stderr
    assert (result.returncode != 0) is fails, output
    assert ("core.E001" in output) is fails, output
