"""DCCs written by others: the validated minimal example of the reference notes, and PTB's GP_DCC_humidity_19.

* The minimal example is read from ``protocols-energy-dcc.md`` §5 in the shared reference folder (not
  copied): "validates with lxml 6.1.3 against dcc.xsd 3.1.2 + SI_Format.xsd 2.1.0".
* ``data/dcc_gp_humidity_v1.0.xml`` is PTB's draft good-practice DCC "GP_DCC_humidity_19" (schemaVersion
  3.1.2), as published in siemens/pydcc; source and licence in ``data/README.md``.
"""

import re
from datetime import date
from decimal import Decimal as D

import pytest

from jiliang.verification.dcc import dcc_problems, read_dcc, validate_dcc, write_dcc


@pytest.fixture(scope="module")
def reference_example(reference_dir) -> bytes:
    text = (reference_dir / "protocols-energy-dcc.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```xml\n(.*?)```", text, flags=re.S)
    (example,) = [b for b in blocks if "digitalCalibrationCertificate" in b]
    return example.encode("utf-8")


def test_reference_example_validates_and_imports(reference_example, schema_dir):
    """protocols-energy-dcc.md §5 "Validated example (H)": valid against 3.1.2 + D-SI 2.1.0, and read."""
    validate_dcc(reference_example, schema_dir)
    cert = read_dcc(reference_example)
    assert cert.unique_identifier == "EXAMPLE-2025-000001"
    assert (cert.begin_performance_date, cert.end_performance_date) == (date(2025, 1, 10), date(2025, 1, 10))
    assert cert.items[0].name.get("zh") == "三相多功能电能表"
    assert cert.items[0].identifications[0].value == "000102030425"
    assert cert.resp_persons[0].main_signer is True
    (q,) = cert.all_quantities()
    assert (q.value, q.unit) == (D("0.12"), "\\percent")
    assert (q.uncertainty.value, q.uncertainty.coverage_factor, q.uncertainty.coverage_probability) == (
        D("0.05"), D("2"), D("0.95"))
    assert q.name.get() == "Relative error at 1.0 Ib, cos phi = 1"
    # and our writer reproduces a valid DCC from what was read
    assert read_dcc(write_dcc(cert)) == cert
    validate_dcc(write_dcc(cert), schema_dir)


def test_reference_negative_example(reference_example, schema_dir):
    """§5: "The negative test (removing si:coverageProbability) fails as expected"."""
    broken = reference_example.replace(b"<si:coverageProbability>0.95</si:coverageProbability>", b"")
    (problem,) = dcc_problems(broken, schema_dir)
    assert problem.path.endswith("/si:real/si:expandedUnc")
    assert "coverageProbability" in problem.reason


def test_ptb_humidity_dcc_validates_and_imports(data_dir, schema_dir):
    """GP_DCC_humidity_19 (PTB, DCC 3.1.2): schema-valid; 2 items; the table of 7 calibration points is
    read from dcc:list/dcc:quantity/si:hybrid/si:realListXMLList (first hybrid member, unit \\one), the
    measurement errors with their per-point U, common k = 2 and p = 0.95."""
    path = data_dir / "dcc_gp_humidity_v1.0.xml"
    validate_dcc(path, schema_dir)
    cert = read_dcc(path)
    assert cert.schema_version == "3.1.2" and cert.unique_identifier == "Id 123456789 HtW"
    assert cert.country_code == "DE" and cert.languages_used == ("de", "en")
    assert [i.model for i in cert.items] == ["Display 1234-5", "H2OMeas 6789-1"]
    assert cert.laboratory.location.street == "Musterstraße"
    assert cert.unsupported == ()
    (result,) = cert.results
    errors = [q for q in result.quantities if q.name.get("en") == "Measurement error"]
    reference = [q for q in result.quantities if q.name.get("en") == "Reference value relative humidity"]
    assert [q.value for q in errors] == [D(v) for v in "-0.004 -0.001 0.003 0.011 0.012 0.006 -0.003".split()]
    assert [q.uncertainty.value for q in errors] == [D(v) for v in "0.006 0.008 0.010 0.011 0.010 0.008 0.006".split()]
    assert {(q.unit, q.uncertainty.coverage_factor, q.uncertainty.coverage_probability) for q in errors} == {
        ("\\one", D(2), D("0.95"))}
    assert [q.value for q in reference][:3] == [D("0.201"), D("0.500"), D("0.800")]
    assert all(q.uncertainty is None for q in reference)
    assert errors[0].path.endswith("dcc:quantity[3]/si:hybrid/si:realListXMLList[1][1]")


def test_ptb_humidity_dcc_is_rewritten_valid(data_dir, schema_dir):
    """What we import from PTB's DCC we can export again as a valid DCC 3.1.2 and read back unchanged."""
    cert = read_dcc(data_dir / "dcc_gp_humidity_v1.0.xml")
    xml = write_dcc(cert)
    validate_dcc(xml, schema_dir)
    assert read_dcc(xml) == cert
