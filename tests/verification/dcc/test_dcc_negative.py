"""Refusals: a DCC failing the XSD (path and reason), unknown D-SI units, missing uncertainty elements."""

from pathlib import Path

import pytest
from dcc_sample_certificate import certificate

from jiliang.verification.dcc import (
    DccError,
    DccValidationError,
    dcc_problems,
    read_dcc,
    validate_dcc,
    write_dcc,
)
from jiliang.verification.dcc.validate import load_schema


@pytest.fixture(scope="module")
def good() -> bytes:
    return write_dcc(certificate())


def test_xsd_failure_lists_path_and_reason(good, schema_dir):
    """dcc.xsd 3.1.2 contactType requires dcc:eMail; performanceLocation is an enumeration."""
    broken = good.replace(b"<dcc:eMail>customer@example.org</dcc:eMail>", b"")
    broken = broken.replace(b"<dcc:performanceLocation>laboratory</dcc:performanceLocation>",
                            b"<dcc:performanceLocation>lab</dcc:performanceLocation>")
    with pytest.raises(DccValidationError) as err:
        validate_dcc(broken, schema_dir)
    problems = err.value.problems
    assert len(problems) == 2
    paths = {p.path: p.reason for p in problems}
    assert "/dcc:digitalCalibrationCertificate/dcc:administrativeData/dcc:coreData/dcc:performanceLocation" in paths
    customer = "/dcc:digitalCalibrationCertificate/dcc:administrativeData/dcc:customer"
    assert customer in paths and "eMail" in paths[customer]
    assert err.value.path == problems[0].path and "(and 1 more)" in err.value.message


def test_unknown_unit_names_element_path(good, schema_dir):
    """si:unitType is a plain string in D-SI 2.1.0, so the XSD accepts '\\prozent'; the reader refuses it
    and names the si:unit element."""
    broken = good.replace(b"<si:unit>\\percent</si:unit>", b"<si:unit>\\prozent</si:unit>", 1)
    assert dcc_problems(broken, schema_dir) == ()
    with pytest.raises(DccError) as err:
        read_dcc(broken)
    assert err.value.path == ("/dcc:digitalCalibrationCertificate/dcc:measurementResults/dcc:measurementResult[1]"
                              "/dcc:results/dcc:result[1]/dcc:data/dcc:quantity/si:real/si:unit")
    assert "\\prozent" in err.value.message


def test_siunitx_celsius_refused_with_hint(good):
    """LaTeX's \\degreeCelsius is not D-SI; the error says D-SI writes \\degreecelsius."""
    broken = good.replace(b"\\degreecelsius", b"\\degreeCelsius")
    with pytest.raises(DccError) as err:
        read_dcc(broken)
    assert err.value.path.endswith("/si:unit") and "\\degreecelsius" in err.value.message


def test_unknown_unit_in_xml_list(data_dir):
    text = (data_dir / "dcc_gp_humidity_v1.0.xml").read_bytes()
    broken = text.replace(b"<si:unitXMLList>\\one</si:unitXMLList>", b"<si:unitXMLList>\\eins</si:unitXMLList>", 1)
    with pytest.raises(DccError) as err:
        read_dcc(broken)
    assert err.value.path.endswith("si:realListXMLList[1]/si:unitXMLList")


def test_missing_uncertainty_element(good, schema_dir):
    """si:expandedUnc without si:coverageFactor: the XSD and the reader both refuse, naming the element."""
    broken = good.replace(b"<si:coverageFactor>2</si:coverageFactor>", b"", 1)
    (problem,) = dcc_problems(broken, schema_dir)
    assert problem.path.endswith("/si:real/si:expandedUnc") and "coverageFactor" in problem.reason
    with pytest.raises(DccError) as err:
        read_dcc(broken)
    assert err.value.path.endswith("dcc:result[1]/dcc:data/dcc:quantity/si:real/si:expandedUnc")
    assert "si:coverageFactor" in err.value.message


def test_result_without_uncertainty_when_required(good):
    """A result without si:expandedUnc is valid D-SI, but refused when uncertainties are required."""
    read_dcc(good)  # the ambient temperature has no uncertainty: fine by default
    with pytest.raises(DccError) as err:
        read_dcc(good, require_uncertainty=True)
    assert err.value.path.endswith("dcc:measurementResult[2]/dcc:results/dcc:result[1]/dcc:data/dcc:quantity/si:real")


def test_bad_numbers_and_xml(good):
    with pytest.raises(DccError) as err:
        read_dcc(good.replace(b"<si:value>0.12</si:value>", b"<si:value>0,12</si:value>"))
    assert err.value.path.endswith("/si:real/si:value")
    with pytest.raises(DccError) as err:
        read_dcc(good[:-40])
    assert "not well-formed" in err.value.message
    with pytest.raises(DccError) as err:
        read_dcc(b"<root/>")
    assert "dcc:digitalCalibrationCertificate" in err.value.message


def test_schema_version_without_schema(good, schema_dir, tmp_path):
    """3.1.1 is read (3.1.x) but cannot be validated with only the 3.1.2 XSD in the directory: the refusal
    names the versions the server accepts and never the server's schema directory (issue #9 item 11)."""
    older = good.replace(b'schemaVersion="3.1.2"', b'schemaVersion="3.1.1"')
    assert read_dcc(older).schema_version == "3.1.1"
    with pytest.raises(DccError) as err:
        validate_dcc(older, schema_dir)
    assert err.value.path == "schemaVersion"
    assert "3.1.1 is not accepted" in err.value.message and "accepts DCC 3.1.2" in err.value.message
    assert str(schema_dir) not in str(err.value) and ".xsd" not in str(err.value)
    with pytest.raises(DccError) as err:
        load_schema(Path(tmp_path), "3.1.2")
    assert "accepts no DCC version" in err.value.message and str(tmp_path) not in str(err.value)
    # a D-SI schema missing next to the DCC schema: named by version, not by path
    (tmp_path / "dcc-3.1.2.xsd").write_bytes((schema_dir / "dcc-3.1.2.xsd").read_bytes())
    with pytest.raises(DccError) as err:
        load_schema(Path(tmp_path), "3.1.2")
    assert "needs D-SI 2.1.0" in err.value.message and str(tmp_path) not in str(err.value)
    nameless = good.replace(b'schemaVersion="3.1.2"', b"")
    (problem,) = dcc_problems(nameless, schema_dir)
    assert "schemaVersion" in problem.reason and "accepts DCC 3.1.2" in problem.reason
