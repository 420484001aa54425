"""Write a :class:`~.model.Certificate` as a PTB Digital Calibration Certificate (DCC) with lxml.

The default output is DCC 3.1.2 with D-SI 2.1.0 (reference ``protocols-energy-dcc.md`` §5): each
quantity becomes ``dcc:result/dcc:data/dcc:quantity/si:real`` with ``si:value``, ``si:unit`` and
``si:expandedUnc`` (``si:uncertainty``, ``si:coverageFactor``, ``si:coverageProbability``).

What differs between schema versions lives in a :class:`SchemaVersion` strategy object:
the ``schemaVersion`` attribute, the ``xsi:schemaLocation`` and how a univariate expanded uncertainty
is written and read inside ``si:real``. :data:`DCC_3_1_2` is the validated one.
:data:`DCC_3_3_0_DRAFT` writes D-SI 2.2.x ``si:measurementUncertaintyUnivariate/si:expandedMU`` as the
reference describes it; it is **not validated** (no DCC 3.3.0 XSD was available) and whether the rest
of 3.3.0's administrative data differs from 3.1.2 was not checked, so it is a starting point, not a
supported output.

The writer checks what dcc.xsd requires and a dataclass cannot express (e-mail and location of the
laboratory and the customer, at least one item, identification, responsible person and result, D-SI
unit strings) and raises :class:`~.model.DccError` naming the field; full schema validation is
:func:`jiliang.verification.dcc.validate.validate_dcc`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from decimal import Decimal

from lxml import etree

from jiliang.core.units.dsi import UnitError, parse_unit

from .model import (
    Certificate,
    Contact,
    DccError,
    ExpandedUncertainty,
    Identification,
    Item,
    Location,
    MeasurementResult,
    Quantity,
    RespPerson,
    Text,
)

DCC_NS = "https://ptb.de/dcc"
SI_NS = "https://ptb.de/si"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {"dcc": DCC_NS, "si": SI_NS, "xsi": XSI_NS}


def dcc(tag: str) -> str:
    return f"{{{DCC_NS}}}{tag}"


def si(tag: str) -> str:
    return f"{{{SI_NS}}}{tag}"


def decimal_text(value: Decimal) -> str:
    """A D-SI ``decimalType`` text for a finite Decimal (exponent notation allowed)."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise DccError(f"{value!r} is not a finite Decimal")
    return str(value)


def plain_decimal_text(value: Decimal) -> str:
    """Fixed-point text without exponent (D-SI ``kValueType`` and ``probabilityValueType`` forbid 'E')."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise DccError(f"{value!r} is not a finite Decimal")
    return format(value, "f")


class SchemaVersion(ABC):
    """What a DCC schema version changes in the output: version strings and the D-SI uncertainty."""

    dcc_version: str
    si_version: str
    validated: bool

    @property
    def schema_location(self) -> str:
        return f"{DCC_NS} https://ptb.de/dcc/v{self.dcc_version}/dcc.xsd"

    @abstractmethod
    def write_uncertainty(self, real: etree._Element, unc: ExpandedUncertainty) -> None:
        """Append the univariate expanded uncertainty to a ``si:real`` element."""

    @abstractmethod
    def uncertainty_tags(self) -> tuple[str, ...]:
        """Clark names of the ``si:real`` children that carry an expanded uncertainty in this version."""

    def write_real(self, parent: etree._Element, q: Quantity) -> etree._Element:
        real = etree.SubElement(parent, si("real"))
        if q.label is not None:
            etree.SubElement(real, si("label")).text = q.label
        etree.SubElement(real, si("value")).text = decimal_text(q.value)
        etree.SubElement(real, si("unit")).text = q.unit
        if q.uncertainty is not None:
            self.write_uncertainty(real, q.uncertainty)
        return real

    def __repr__(self) -> str:
        return f"<DCC {self.dcc_version} / D-SI {self.si_version}>"


class Dcc312(SchemaVersion):
    """DCC 3.1.2 with D-SI 2.1.0: ``si:expandedUnc`` (validated against the published XSDs)."""

    dcc_version = "3.1.2"
    si_version = "2.1.0"
    validated = True

    def write_uncertainty(self, real: etree._Element, unc: ExpandedUncertainty) -> None:
        el = etree.SubElement(real, si("expandedUnc"))
        etree.SubElement(el, si("uncertainty")).text = decimal_text(unc.value)
        etree.SubElement(el, si("coverageFactor")).text = plain_decimal_text(unc.coverage_factor)
        etree.SubElement(el, si("coverageProbability")).text = plain_decimal_text(unc.coverage_probability)
        if unc.distribution is not None:
            etree.SubElement(el, si("distribution")).text = unc.distribution

    def uncertainty_tags(self) -> tuple[str, ...]:
        return (si("expandedUnc"),)


class Dcc330Draft(SchemaVersion):
    """DCC 3.3.0 with D-SI 2.2.x, **unvalidated draft**: ``si:measurementUncertaintyUnivariate``.

    Structure from the reference (§5, "M for 2.2.x"): ``si:measurementUncertaintyUnivariate/
    si:expandedMU/{si:valueExpandedMU, si:coverageFactor, si:coverageProbability, si:distribution?}``.
    """

    dcc_version = "3.3.0"
    si_version = "2.2.1"
    validated = False

    def write_uncertainty(self, real: etree._Element, unc: ExpandedUncertainty) -> None:
        mu = etree.SubElement(etree.SubElement(real, si("measurementUncertaintyUnivariate")), si("expandedMU"))
        etree.SubElement(mu, si("valueExpandedMU")).text = decimal_text(unc.value)
        etree.SubElement(mu, si("coverageFactor")).text = plain_decimal_text(unc.coverage_factor)
        etree.SubElement(mu, si("coverageProbability")).text = plain_decimal_text(unc.coverage_probability)
        if unc.distribution is not None:
            etree.SubElement(mu, si("distribution")).text = unc.distribution

    def uncertainty_tags(self) -> tuple[str, ...]:
        return (si("measurementUncertaintyUnivariate"), si("expandedUnc"))


DCC_3_1_2 = Dcc312()
DCC_3_3_0_DRAFT = Dcc330Draft()

#: Schema versions by ``schemaVersion`` string. Only validated versions are listed.
VERSIONS: dict[str, SchemaVersion] = {DCC_3_1_2.dcc_version: DCC_3_1_2}


def build_dcc(cert: Certificate, version: SchemaVersion = DCC_3_1_2) -> etree._Element:
    """The DCC root element for ``cert``; raises :class:`DccError` naming the field on bad input."""
    _check(cert)
    root = etree.Element(dcc("digitalCalibrationCertificate"), nsmap=NSMAP)
    root.set(f"{{{XSI_NS}}}schemaLocation", version.schema_location)
    root.set("schemaVersion", version.dcc_version)

    admin = etree.SubElement(root, dcc("administrativeData"))
    software = etree.SubElement(admin, dcc("dccSoftware"))
    for sw in cert.software:
        el = etree.SubElement(software, dcc("software"))
        _text(el, "name", sw.name)
        etree.SubElement(el, dcc("release")).text = sw.release

    core = etree.SubElement(admin, dcc("coreData"))
    etree.SubElement(core, dcc("countryCodeISO3166_1")).text = cert.country_code
    for lang in cert.languages_used:
        etree.SubElement(core, dcc("usedLangCodeISO639_1")).text = lang
    for lang in cert.languages_mandatory:
        etree.SubElement(core, dcc("mandatoryLangCodeISO639_1")).text = lang
    etree.SubElement(core, dcc("uniqueIdentifier")).text = cert.unique_identifier
    if cert.identifications:
        _identifications(core, cert.identifications)
    if cert.receipt_date is not None:
        etree.SubElement(core, dcc("receiptDate")).text = cert.receipt_date.isoformat()
    etree.SubElement(core, dcc("beginPerformanceDate")).text = cert.begin_performance_date.isoformat()
    etree.SubElement(core, dcc("endPerformanceDate")).text = cert.end_performance_date.isoformat()
    etree.SubElement(core, dcc("performanceLocation")).text = cert.performance_location

    items = etree.SubElement(admin, dcc("items"))
    for item in cert.items:
        _item(items, item)

    lab = etree.SubElement(admin, dcc("calibrationLaboratory"))
    if cert.laboratory_code is not None:
        etree.SubElement(lab, dcc("calibrationLaboratoryCode")).text = cert.laboratory_code
    _contact(lab, "contact", cert.laboratory)

    persons = etree.SubElement(admin, dcc("respPersons"))
    for person in cert.resp_persons:
        _resp_person(persons, person)

    _contact(admin, "customer", cert.customer)

    results = etree.SubElement(root, dcc("measurementResults"))
    for result in cert.results:
        _measurement_result(results, result, version)
    return root


def write_dcc(cert: Certificate, version: SchemaVersion = DCC_3_1_2, *, pretty: bool = True) -> bytes:
    """The DCC of ``cert`` as UTF-8 XML bytes with an XML declaration."""
    root = build_dcc(cert, version)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=pretty)


# -- checks -----------------------------------------------------------------------------------------


def _check(cert: Certificate) -> None:
    def need(cond: bool, path: str, message: str) -> None:
        if not cond:
            raise DccError(message, path)

    need(bool(cert.unique_identifier), "unique_identifier", "a DCC needs a unique identifier")
    need(len(cert.country_code) == 2 and cert.country_code.isascii() and cert.country_code.isupper(),
         "country_code", f"{cert.country_code!r} is not an ISO 3166-1 alpha-2 code")
    for field_name in ("languages_used", "languages_mandatory"):
        langs = getattr(cert, field_name)
        need(bool(langs), field_name, "at least one ISO 639-1 language code is required")
        for i, lang in enumerate(langs):
            need(len(lang) == 2 and lang.isascii() and lang.islower(), f"{field_name}[{i}]",
                 f"{lang!r} is not an ISO 639-1 code")
    need(bool(cert.software), "software", "dcc:dccSoftware needs at least one software")
    need(bool(cert.items), "items", "a DCC needs at least one item")
    for i, item in enumerate(cert.items):
        need(bool(item.identifications), f"items[{i}].identifications",
             "dcc:item needs at least one identification")
    need(bool(cert.resp_persons), "resp_persons", "a DCC needs at least one responsible person")
    for role, contact in (("laboratory", cert.laboratory), ("customer", cert.customer)):
        need(bool(contact.email), f"{role}.email", "dcc:contactType requires dcc:eMail")
        need(contact.location is not None and _location_has_content(contact.location), f"{role}.location",
             "dcc:contactType requires a dcc:location with at least one field")
    need(bool(cert.results), "results", "a DCC needs at least one measurement result")
    for i, result in enumerate(cert.results):
        need(bool(result.quantities), f"results[{i}].quantities", "a measurement result needs a quantity")
        for j, q in enumerate(result.quantities):
            try:
                parse_unit(q.unit)
            except UnitError as exc:
                raise DccError(exc.message, f"results[{i}].quantities[{j}].unit") from exc


def _location_has_content(loc: Location) -> bool:
    return any(getattr(loc, f) is not None for f in Location.__slots__)


# -- element builders -------------------------------------------------------------------------------


def _text(parent: etree._Element, tag: str, text: Text) -> etree._Element:
    el = etree.SubElement(parent, dcc(tag))
    _contents(el, text)
    return el


def _contents(el: etree._Element, text: Text) -> None:
    for lang, value in text.contents:
        content = etree.SubElement(el, dcc("content"))
        if lang is not None:
            content.set("lang", lang)
        content.text = value


def _identifications(parent: etree._Element, idents: tuple[Identification, ...]) -> None:
    el = etree.SubElement(parent, dcc("identifications"))
    for ident in idents:
        i = etree.SubElement(el, dcc("identification"))
        etree.SubElement(i, dcc("issuer")).text = ident.issuer
        etree.SubElement(i, dcc("value")).text = ident.value
        if ident.name is not None:
            _text(i, "name", ident.name)


def _location(parent: etree._Element, loc: Location) -> None:
    el = etree.SubElement(parent, dcc("location"))
    for attr, tag in (("street", "street"), ("street_no", "streetNo"), ("post_code", "postCode"),
                      ("city", "city"), ("state", "state"), ("country_code", "countryCode")):
        value = getattr(loc, attr)
        if value is not None:
            etree.SubElement(el, dcc(tag)).text = value
    if loc.further is not None:
        _contents(etree.SubElement(el, dcc("further")), loc.further)


def _contact(parent: etree._Element, tag: str, contact: Contact) -> None:
    el = etree.SubElement(parent, dcc(tag))
    _text(el, "name", contact.name)
    for attr, child in (("email", "eMail"), ("phone", "phone"), ("fax", "fax")):
        value = getattr(contact, attr)
        if value is not None:
            etree.SubElement(el, dcc(child)).text = value
    if contact.location is not None:
        _location(el, contact.location)


def _item(parent: etree._Element, item: Item) -> None:
    el = etree.SubElement(parent, dcc("item"))
    _text(el, "name", item.name)
    if item.description is not None:
        _text(el, "description", item.description)
    _contact(el, "manufacturer", item.manufacturer)
    if item.model is not None:
        etree.SubElement(el, dcc("model")).text = item.model
    _identifications(el, item.identifications)


def _resp_person(parent: etree._Element, person: RespPerson) -> None:
    el = etree.SubElement(parent, dcc("respPerson"))
    _contact(el, "person", person.person)
    if person.role is not None:
        etree.SubElement(el, dcc("role")).text = person.role
    if person.main_signer is not None:
        etree.SubElement(el, dcc("mainSigner")).text = "true" if person.main_signer else "false"


def _measurement_result(parent: etree._Element, result: MeasurementResult, version: SchemaVersion) -> None:
    el = etree.SubElement(parent, dcc("measurementResult"))
    _text(el, "name", result.name)
    results = etree.SubElement(el, dcc("results"))
    for q in result.quantities:
        r = etree.SubElement(results, dcc("result"))
        _text(r, "name", q.name)
        quantity = etree.SubElement(etree.SubElement(r, dcc("data")), dcc("quantity"))
        version.write_real(quantity, q)
