"""Shared test data of the verification tests (imported by conftest and the test modules)."""

KG = "\\kilogram"
# label, load (kg), indication (kg)
SCALE_POINTS = [("Min", "0.1", "0.1"), ("500e", "2.5", "2.5025"), ("2000e", "10", "9.995"), ("Max", "15", "15.005")]


def scale_points(points=SCALE_POINTS, **extra) -> list[dict]:
    return [{"label": label, "reference_value": ref, "indication": ind, "unit": KG, "U": "0.0005", "k": "2", **extra}
            for label, ref, ind in points]


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page of a PDF (pypdf reads the STSong-Light CID font's Unicode mapping)."""
    import io

    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(bytes(pdf))).pages]


def pdf_text(pdf: bytes) -> str:
    return "\n".join(pdf_pages(pdf))
