"""Read a DCC 3.1.x XML document into the :mod:`~.model` dataclasses.

Results are read from ``dcc:measurementResults/dcc:measurementResult/dcc:results/dcc:result/dcc:data``,
whose ``dcc:quantity`` elements (also nested in ``dcc:list``) may hold:

* ``si:real`` -- one quantity;
* ``si:list`` -- ``si:realList`` of ``si:real`` (with the list's ``si:listUnit`` and
  ``si:listUnivariateUnc`` where a real has none of its own), nested lists flattened;
* ``si:hybrid`` -- the same quantity in several units: the **first** child is read (``si:real``,
  ``si:list`` or ``si:realListXMLList``);
* ``si:realListXMLList`` -- blank-separated values, one unit or one per value, and an optional
  ``si:expandedUncXMLList`` (one or one-per-value U, k, p), as PTB's good-practice DCCs write tables.

Every D-SI unit string is checked (:func:`~.units.parse_unit`); an unknown unit is an error naming
the element path. An ``si:expandedUnc`` missing any of U, k, p is an error naming its path (the XSD
would refuse it too). Result data the model cannot hold (``si:complex``, ``si:constant``,
``dcc:noQuantity``, ``dcc:text``, ``dcc:formula``, coverage intervals ...) is not silently dropped: the
element paths are listed in :attr:`~.model.Certificate.unsupported`.

The reader does not validate against the XSD; call :func:`~.validate.validate_dcc` first for that.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

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
    Software,
    Text,
)
from .writer import DCC_3_1_2, DCC_NS, SI_NS, SchemaVersion, dcc, si

#: ``schemaVersion`` prefixes the reader accepts, with the strategy that reads their uncertainties.
READABLE: tuple[tuple[str, SchemaVersion], ...] = (("3.1.", DCC_3_1_2),)


def parse_xml(source: bytes | str | Path) -> etree._ElementTree:
    """Parse XML bytes, XML text or a file with a parser that resolves no entities and uses no network."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=False, huge_tree=False)
    try:
        if isinstance(source, Path):
            return etree.parse(str(source), parser)  # noqa: S320 - hardened parser above
        data = source.encode("utf-8") if isinstance(source, str) else source
        return etree.ElementTree(etree.fromstring(data, parser))  # noqa: S320 - hardened parser above
    except etree.XMLSyntaxError as exc:
        raise DccError(f"not well-formed XML: {exc}", f"line {exc.lineno}") from exc


def read_dcc(source: bytes | str | Path | etree._ElementTree, *, require_uncertainty: bool = False) -> Certificate:
    """Read a DCC 3.1.x document; ``require_uncertainty`` makes a result without U, k, p an error."""
    tree = source if isinstance(source, etree._ElementTree) else parse_xml(source)
    return _Reader(tree, require_uncertainty).certificate()


class _Reader:
    def __init__(self, tree: etree._ElementTree, require_uncertainty: bool):
        self.tree = tree
        self.root = tree.getroot()
        self.require_uncertainty = require_uncertainty
        self.unsupported: list[str] = []
        self.version: SchemaVersion = DCC_3_1_2

    # -- helpers --------------------------------------------------------------------------------

    def path(self, el: etree._Element) -> str:
        return self.tree.getpath(el)

    def child(self, parent: etree._Element, tag: str, *, required: bool = True) -> etree._Element | None:
        el = parent.find(tag)
        if el is None and required:
            raise DccError(f"missing {_short(tag)}", self.path(parent))
        return el

    def children(self, parent: etree._Element, tag: str) -> list[etree._Element]:
        return parent.findall(tag)

    def string(self, parent: etree._Element, tag: str, *, required: bool = True) -> str | None:
        el = self.child(parent, tag, required=required)
        if el is None:
            return None
        return (el.text or "").strip()

    def decimal(self, el: etree._Element) -> Decimal:
        text = (el.text or "").strip()
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise DccError(f"{text!r} is not a number", self.path(el)) from None
        if not value.is_finite():
            raise DccError(f"{text!r} is not a finite number", self.path(el))
        return value

    def date(self, parent: etree._Element, tag: str, *, required: bool = True) -> date | None:
        el = self.child(parent, tag, required=required)
        if el is None:
            return None
        try:
            return date.fromisoformat((el.text or "").strip())
        except ValueError:
            raise DccError(f"{el.text!r} is not an ISO date", self.path(el)) from None

    def text(self, el: etree._Element | None) -> Text | None:
        if el is None:
            return None
        contents = tuple((c.get("lang"), c.text or "") for c in el.findall(dcc("content")))
        if not contents:
            return None
        return Text(contents)

    def required_text(self, parent: etree._Element, tag: str) -> Text:
        el = self.child(parent, tag)
        assert el is not None
        text = self.text(el)
        if text is None:
            raise DccError("missing dcc:content", self.path(el))
        return text

    def unit(self, el: etree._Element, text: str | None = None) -> str:
        value = (el.text or "").strip() if text is None else text
        try:
            parse_unit(value)
        except UnitError as exc:
            raise DccError(f"unknown or malformed D-SI unit: {exc.message}", self.path(el)) from exc
        return value

    # -- administrative data ----------------------------------------------------------------------

    def certificate(self) -> Certificate:
        root = self.root
        if root.tag != dcc("digitalCalibrationCertificate"):
            raise DccError(f"root element is {root.tag}, not dcc:digitalCalibrationCertificate", self.path(root))
        schema_version = root.get("schemaVersion")
        if schema_version is None:
            raise DccError("missing attribute schemaVersion", self.path(root))
        for prefix, version in READABLE:
            if schema_version.startswith(prefix):
                self.version = version
                break
        else:
            raise DccError(f"schemaVersion {schema_version} is not supported by the reader (3.1.x)",
                           self.path(root) + "/@schemaVersion")
        admin = self.child(root, dcc("administrativeData"))
        assert admin is not None
        core = self.child(admin, dcc("coreData"))
        assert core is not None
        lab_el = self.child(admin, dcc("calibrationLaboratory"))
        assert lab_el is not None
        lab_contact = self.child(lab_el, dcc("contact"))
        items_el = self.child(admin, dcc("items"))
        persons_el = self.child(admin, dcc("respPersons"))
        software_el = self.child(admin, dcc("dccSoftware"))
        results_el = self.child(root, dcc("measurementResults"))
        assert items_el is not None and persons_el is not None and software_el is not None
        assert results_el is not None and lab_contact is not None

        idents_el = core.find(dcc("identifications"))
        cert = Certificate(
            unique_identifier=self.string(core, dcc("uniqueIdentifier")) or "",
            country_code=self.string(core, dcc("countryCodeISO3166_1")) or "",
            languages_used=tuple((e.text or "").strip() for e in core.findall(dcc("usedLangCodeISO639_1"))),
            languages_mandatory=tuple((e.text or "").strip()
                                      for e in core.findall(dcc("mandatoryLangCodeISO639_1"))),
            begin_performance_date=self.date(core, dcc("beginPerformanceDate")),  # type: ignore[arg-type]
            end_performance_date=self.date(core, dcc("endPerformanceDate")),  # type: ignore[arg-type]
            receipt_date=self.date(core, dcc("receiptDate"), required=False),
            performance_location=self.string(core, dcc("performanceLocation")) or "",
            identifications=self.identifications(idents_el) if idents_el is not None else (),
            laboratory=self.contact(lab_contact),
            laboratory_code=self.string(lab_el, dcc("calibrationLaboratoryCode"), required=False),
            customer=self.contact(self.child(admin, dcc("customer"))),  # type: ignore[arg-type]
            items=tuple(self.item(e) for e in items_el.findall(dcc("item"))),
            resp_persons=tuple(self.resp_person(e) for e in persons_el.findall(dcc("respPerson"))),
            software=tuple(Software(name=self.required_text(e, dcc("name")),
                                    release=self.string(e, dcc("release")) or "")
                           for e in software_el.findall(dcc("software"))),
            results=tuple(self.measurement_result(e) for e in results_el.findall(dcc("measurementResult"))),
            schema_version=schema_version,
        )
        if self.unsupported:
            cert = replace(cert, unsupported=tuple(self.unsupported))
        return cert

    def identifications(self, el: etree._Element) -> tuple[Identification, ...]:
        out = []
        for ident in el.findall(dcc("identification")):
            issuer = self.string(ident, dcc("issuer")) or ""
            try:
                out.append(Identification(issuer=issuer, value=self.string(ident, dcc("value")) or "",
                                          name=self.text(ident.find(dcc("name")))))
            except DccError as exc:
                raise DccError(exc.message, self.path(ident)) from exc
        return tuple(out)

    def location(self, el: etree._Element | None) -> Location | None:
        if el is None:
            return None
        values: dict[str, str] = {}
        for attr, tag in (("street", "street"), ("street_no", "streetNo"), ("post_code", "postCode"),
                          ("city", "city"), ("state", "state"), ("country_code", "countryCode")):
            found = el.find(dcc(tag))
            if found is not None:
                values[attr] = (found.text or "").strip()
        further_contents: list[tuple[str | None, str]] = []
        for further in el.findall(dcc("further")):
            text = self.text(further)
            if text is not None:
                further_contents.extend(text.contents)
        return Location(**values, further=Text(tuple(further_contents)) if further_contents else None)

    def contact(self, el: etree._Element) -> Contact:
        return Contact(
            name=self.required_text(el, dcc("name")),
            email=self.string(el, dcc("eMail"), required=False),
            phone=self.string(el, dcc("phone"), required=False),
            fax=self.string(el, dcc("fax"), required=False),
            location=self.location(el.find(dcc("location"))),
        )

    def item(self, el: etree._Element) -> Item:
        idents = self.child(el, dcc("identifications"))
        assert idents is not None
        return Item(
            name=self.required_text(el, dcc("name")),
            description=self.text(el.find(dcc("description"))),
            manufacturer=self.contact(self.child(el, dcc("manufacturer"))),  # type: ignore[arg-type]
            model=self.string(el, dcc("model"), required=False),
            identifications=self.identifications(idents),
        )

    def resp_person(self, el: etree._Element) -> RespPerson:
        signer = self.string(el, dcc("mainSigner"), required=False)
        if signer not in (None, "true", "false", "1", "0"):
            raise DccError(f"mainSigner {signer!r} is not a boolean", self.path(el))
        return RespPerson(
            person=self.contact(self.child(el, dcc("person"))),  # type: ignore[arg-type]
            role=self.string(el, dcc("role"), required=False),
            main_signer=None if signer is None else signer in ("true", "1"),
        )

    # -- results -----------------------------------------------------------------------------------

    def measurement_result(self, el: etree._Element) -> MeasurementResult:
        quantities: list[Quantity] = []
        results = self.child(el, dcc("results"))
        assert results is not None
        name = self.required_text(el, dcc("name"))
        for result in results.findall(dcc("result")):
            result_name = self.required_text(result, dcc("name"))
            data = self.child(result, dcc("data"))
            assert data is not None
            for child in data:
                quantities.extend(self.data_child(child, result_name))
        return MeasurementResult(name=name, quantities=tuple(quantities))

    def data_child(self, el: etree._Element, default_name: Text) -> list[Quantity]:
        if not isinstance(el.tag, str):  # comment or processing instruction
            return []
        if el.tag == dcc("quantity"):
            return self.quantity(el, default_name)
        if el.tag == dcc("list"):
            name = self.text(el.find(dcc("name"))) or default_name
            out: list[Quantity] = []
            for child in el:
                if isinstance(child.tag, str) and child.tag in (dcc("quantity"), dcc("list")):
                    out.extend(self.data_child(child, name))
            return out
        self.unsupported.append(self.path(el))
        return []

    def quantity(self, el: etree._Element, default_name: Text) -> list[Quantity]:
        name = self.text(el.find(dcc("name"))) or default_name
        for child in el:
            if not isinstance(child.tag, str):
                continue
            if child.tag == si("real"):
                return [self.real(child, name)]
            if child.tag == si("list"):
                return self.si_list(child, name)
            if child.tag == si("realListXMLList"):
                return self.real_xml_list(child, name)
            if child.tag == si("hybrid"):
                return self.hybrid(child, name)
            if child.tag in (dcc("noQuantity"), si("complex"), si("constant")):
                self.unsupported.append(self.path(child))
                return []
        raise DccError("dcc:quantity holds no D-SI quantity", self.path(el))

    def hybrid(self, el: etree._Element, name: Text) -> list[Quantity]:
        first = next((c for c in el if isinstance(c.tag, str)), None)
        if first is None:
            raise DccError("empty si:hybrid", self.path(el))
        if first.tag == si("real"):
            return [self.real(first, name)]
        if first.tag == si("list"):
            return self.si_list(first, name)
        if first.tag == si("realListXMLList"):
            return self.real_xml_list(first, name)
        self.unsupported.append(self.path(first))
        return []

    def uncertainty(self, real: etree._Element) -> ExpandedUncertainty | None:
        for tag in self.version.uncertainty_tags():
            el = real.find(tag)
            if el is not None:
                return self.expanded_unc(el)
        interval = real.find(si("coverageInterval"))
        if interval is not None:
            self.unsupported.append(self.path(interval))
        return None

    def expanded_unc(self, el: etree._Element) -> ExpandedUncertainty:
        parts = {}
        for tag in ("uncertainty", "coverageFactor", "coverageProbability"):
            found = el.find(si(tag))
            if found is None:
                raise DccError(f"si:expandedUnc lacks si:{tag} (D-SI 2.1.0 expandedUncType)", self.path(el))
            parts[tag] = self.decimal(found)
        dist = el.find(si("distribution"))
        try:
            return ExpandedUncertainty(
                value=parts["uncertainty"],
                coverage_factor=parts["coverageFactor"],
                coverage_probability=parts["coverageProbability"],
                distribution=(dist.text or "").strip() if dist is not None else None,
            )
        except DccError as exc:
            raise DccError(exc.message, self.path(el)) from exc

    def make_quantity(self, name: Text, value: Decimal, unit: str, unc: ExpandedUncertainty | None,
                      label: str | None, path: str) -> Quantity:
        if unc is None and self.require_uncertainty:
            raise DccError("result has no expanded uncertainty (si:expandedUnc with U, k and p)", path)
        return Quantity(name=name, value=value, unit=unit, uncertainty=unc, label=label, path=path)

    def real(self, el: etree._Element, name: Text, *, list_unit: str | None = None,
             list_unc: ExpandedUncertainty | None = None) -> Quantity:
        value_el = self.child(el, si("value"))
        assert value_el is not None
        unit_el = el.find(si("unit"))
        if unit_el is not None:
            unit = self.unit(unit_el)
        elif list_unit is not None:
            unit = list_unit
        else:
            raise DccError("missing si:unit", self.path(el))
        label_el = el.find(si("label"))
        unc = self.uncertainty(el) or list_unc
        return self.make_quantity(name, self.decimal(value_el), unit, unc,
                                  (label_el.text or "") if label_el is not None else None, self.path(el))

    def si_list(self, el: etree._Element, name: Text) -> list[Quantity]:
        out: list[Quantity] = []
        for child in el:
            if not isinstance(child.tag, str):
                continue
            if child.tag == si("list"):
                out.extend(self.si_list(child, name))
            elif child.tag == si("realList"):
                unit_el = child.find(si("listUnit"))
                list_unit = self.unit(unit_el) if unit_el is not None else None
                unc_el = child.find(si("listUnivariateUnc"))
                list_unc = None
                if unc_el is not None:
                    exp = unc_el.find(si("expandedUnc"))
                    if exp is not None:
                        list_unc = self.expanded_unc(exp)
                    else:
                        self.unsupported.append(self.path(unc_el))
                for real in child.findall(si("real")):
                    out.append(self.real(real, name, list_unit=list_unit, list_unc=list_unc))
            elif child.tag == si("complexList"):
                self.unsupported.append(self.path(child))
        return out

    def real_xml_list(self, el: etree._Element, name: Text) -> list[Quantity]:
        values_el = self.child(el, si("valueXMLList"))
        units_el = self.child(el, si("unitXMLList"))
        assert values_el is not None and units_el is not None
        values = [self._number(t, values_el) for t in (values_el.text or "").split()]
        units = [self.unit(units_el, u) for u in (units_el.text or "").split()]
        n = len(values)
        units = self._spread(units, n, units_el)
        labels_el = el.find(si("labelXMLList"))
        labels: list[str | None] = (labels_el.text or "").split() if labels_el is not None else []
        labels = self._spread(labels, n, labels_el) if labels_el is not None else [None] * n
        uncs: list[ExpandedUncertainty | None] = [None] * n
        exp = el.find(si("expandedUncXMLList"))
        if exp is not None:
            cols = {}
            for tag in ("uncertaintyXMLList", "coverageFactorXMLList", "coverageProbabilityXMLList"):
                col_el = exp.find(si(tag))
                if col_el is None:
                    raise DccError(f"si:expandedUncXMLList lacks si:{tag}", self.path(exp))
                cols[tag] = self._spread([self._number(t, col_el) for t in (col_el.text or "").split()], n, col_el)
            try:
                uncs = [ExpandedUncertainty(cols["uncertaintyXMLList"][i], cols["coverageFactorXMLList"][i],
                                            cols["coverageProbabilityXMLList"][i]) for i in range(n)]
            except DccError as exc:
                raise DccError(exc.message, self.path(exp)) from exc
        elif el.find(si("coverageIntervalXMLList")) is not None:
            self.unsupported.append(self.path(el.find(si("coverageIntervalXMLList"))))
        base = self.path(el)
        return [self.make_quantity(name, values[i], units[i], uncs[i], labels[i], f"{base}[{i + 1}]")
                for i in range(n)]

    def _number(self, text: str, el: etree._Element) -> Decimal:
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise DccError(f"{text!r} is not a number", self.path(el)) from None
        if not value.is_finite():
            raise DccError(f"{text!r} is not a finite number", self.path(el))
        return value

    def _spread(self, items: list, n: int, el: etree._Element) -> list:
        if len(items) == n:
            return items
        if len(items) == 1:
            return items * n
        raise DccError(f"{len(items)} entries for {n} values (give one or one per value)", self.path(el))


def _short(tag: str) -> str:
    return tag.replace(f"{{{DCC_NS}}}", "dcc:").replace(f"{{{SI_NS}}}", "si:")
