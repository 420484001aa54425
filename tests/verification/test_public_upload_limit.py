"""The public PDF check refuses a body over its limit before Django parses it or spools it to disk
(issue 11, item 8)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import multipartparser
from django.test import Client


def test_an_oversized_pdf_is_refused_unread(flow, settings, monkeypatch):
    settings.JILIANG_VERIFY_MAX_PDF_BYTES = 1024 * 1024
    cert = flow.issued()
    client = Client()
    # Under the limit the PDF is compared as before.
    same = client.post(f"/verify/{cert.number}?code={cert.check_code}", {"pdf": SimpleUploadedFile("c.pdf", bytes(cert.pdf), "application/pdf")})
    assert same.status_code == 200 and 'data-result="same"' in same.content.decode()

    def parse(self):
        raise AssertionError("the oversized body was parsed")

    monkeypatch.setattr(multipartparser.MultiPartParser, "parse", parse)
    def big():
        return SimpleUploadedFile("big.pdf", b"%PDF-1.7\n" + b"\0" * (2 * 1024 * 1024), "application/pdf")

    response = client.post(f"/verify/{cert.number}?code={cert.check_code}", {"pdf": big()})
    assert response.status_code == 413
    assert "1 MB" in response.content.decode()
    # Anyone may try: a made-up number is refused the same way, before any look-up.
    assert client.post("/verify/NO-SUCH-NUMBER", {"pdf": big()}).status_code == 413
