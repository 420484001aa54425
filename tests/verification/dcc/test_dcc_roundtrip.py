"""Our DCC export validates against PTB's DCC 3.1.2 / D-SI 2.1.0 XSDs, and import gives back the same certificate."""

from dataclasses import replace
from decimal import Decimal as D

import pytest
from dcc_sample_certificate import certificate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from jiliang.verification.dcc import (
    DCC_3_1_2,
    DCC_3_3_0_DRAFT,
    Contact,
    DccError,
    ExpandedUncertainty,
    Location,
    MeasurementResult,
    Quantity,
    Text,
    build_dcc,
    read_dcc,
    validate_dcc,
    write_dcc,
)

SI = "{https://ptb.de/si}"


def test_export_validates(schema_dir):
    """dcc.xsd 3.1.2 with SI_Format 2.1.0 (reference §5): the whole export is schema-valid."""
    validate_dcc(write_dcc(certificate()), schema_dir)


def test_export_uses_si_real_with_expanded_unc():
    """D-SI 2.1.0 realQuantityType: si:value, si:unit, si:expandedUnc{uncertainty, coverageFactor,
    coverageProbability} (reference §5)."""
    root = etree.fromstring(write_dcc(certificate()))
    assert root.get("schemaVersion") == "3.1.2"
    real = root.find(f".//{SI}real")
    assert [c.tag.replace(SI, "si:") for c in real] == ["si:value", "si:unit", "si:expandedUnc"]
    assert [c.text for c in real.find(f"{SI}expandedUnc")] == ["0.05", "2", "0.95"]


def test_round_trip_loses_nothing():
    """Export → import gives an equal dataclass: Chinese text, languages, dates, U, k, p, labels."""
    cert = certificate()
    back = read_dcc(write_dcc(cert))
    assert back == cert
    q = back.results[0].quantities[1]
    assert (q.value, q.uncertainty.value, q.uncertainty.coverage_factor, q.uncertainty.coverage_probability) == (
        D("-0.310"), D("0.060"), D("2.00"), D("0.9545"))
    assert back.items[0].name.get("zh") == "三相多功能电能表"
    assert back.unsupported == ()
    assert q.path.endswith("dcc:result[2]/dcc:data/dcc:quantity/si:real")


names = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20)
values = st.decimals(min_value=-10**6, max_value=10**6, places=6, allow_nan=False, allow_infinity=False)
uncertainties = st.builds(
    ExpandedUncertainty,
    value=st.decimals(min_value=0, max_value=1000, places=6),
    coverage_factor=st.decimals(min_value=1, max_value=10, places=3),
    coverage_probability=st.decimals(min_value=0, max_value=1, places=4),
    distribution=st.sampled_from([None, "normal", "rectangular"]),
)
units = st.sampled_from(["\\percent", "\\kilo\\watt\\hour", "\\metre\\tothe{3}\\per\\hour", "\\degreecelsius",
                         "\\milli\\gram", "\\ohm", "\\volt", "\\ampere", "\\one"])
quantities = st.builds(Quantity, name=st.builds(lambda zh, en: Text.of(zh=zh, en=en), names, names),
                       value=values, unit=units, uncertainty=st.none() | uncertainties,
                       label=st.none() | st.text(alphabet="abcQI0123456789./", min_size=1, max_size=8))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(qs=st.lists(quantities, min_size=1, max_size=5))
def test_round_trip_property(schema_dir, qs):
    """Any quantities (Unicode names, exact decimals, U/k/p) validate and come back unchanged."""
    cert = certificate((MeasurementResult(Text.of(zh="结果"), tuple(qs)),))
    xml = write_dcc(cert)
    validate_dcc(xml, schema_dir)
    assert read_dcc(xml) == cert


def test_writer_refuses_what_the_xsd_would_refuse():
    """dcc:contactType requires eMail and location; a result needs a valid D-SI unit."""
    cert = certificate()
    with pytest.raises(DccError) as err:
        write_dcc(replace(cert, customer=Contact(Text.of("x"), location=Location(city="y"))))
    assert err.value.path == "customer.email"
    with pytest.raises(DccError) as err:
        write_dcc(replace(cert, laboratory=Contact(Text.of("x"), email="a@b", location=Location())))
    assert err.value.path == "laboratory.location"
    bad = MeasurementResult(Text.of("r"), (Quantity(Text.of("q"), D(1), "\\degreeCelsius"),))
    with pytest.raises(DccError) as err:
        write_dcc(replace(cert, results=(bad,)))
    assert err.value.path == "results[0].quantities[0].unit" and "\\degreecelsius" in err.value.message
    with pytest.raises(DccError):
        ExpandedUncertainty(D("0.1"), D("0.5"), D("0.95"))  # k < 1: D-SI kValueType


def test_draft_330_strategy_writes_measurement_uncertainty_univariate():
    """The DCC 3.3.0 / D-SI 2.2.x strategy (unvalidated: no 3.3.0 XSD) writes
    si:measurementUncertaintyUnivariate/si:expandedMU as the reference §5 describes."""
    assert DCC_3_1_2.validated and not DCC_3_3_0_DRAFT.validated
    root = build_dcc(certificate(), DCC_3_3_0_DRAFT)
    assert root.get("schemaVersion") == "3.3.0"
    mu = root.find(f".//{SI}real/{SI}measurementUncertaintyUnivariate/{SI}expandedMU")
    assert [c.tag.replace(SI, "") for c in mu] == ["valueExpandedMU", "coverageFactor", "coverageProbability"]
    with pytest.raises(DccError) as err:
        read_dcc(etree.tostring(root))
    assert "3.3.0" in err.value.message
