"""Fixtures of the evaluation report tests: stored files go to a temporary media directory."""

import io

import pytest


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def workbook(data: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data), read_only=True)


@pytest.fixture
def english():
    """Messages matched by their English wording (the site's language is Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield
