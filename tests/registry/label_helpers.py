"""Reading label PDFs as a user does: the text (pypdf) and the codes on the printed page (pdfium + zxing-cpp)."""

from __future__ import annotations

import io


def pdf_pages(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(bytes(data))).pages]


def decoded(data: bytes, page: int = 0, dpi: int = 300) -> list[tuple[str, str]]:
    """(symbology, text) of every QR code and bar code found on ``page`` rendered at ``dpi``."""
    import pypdfium2 as pdfium
    import zxingcpp

    doc = pdfium.PdfDocument(bytes(data))
    try:
        image = doc[page].render(scale=dpi / 72).to_pil()
    finally:
        doc.close()
    return [(r.format.name, r.text) for r in zxingcpp.read_barcodes(image)]
