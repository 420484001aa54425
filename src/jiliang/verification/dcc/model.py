"""Plain, frozen dataclasses for a calibration certificate, as the DCC carries it.

The shape follows PTB's DCC 3.1.2 (``dcc.xsd``, reference ``protocols-energy-dcc.md`` §5): the
administrative data (software, core data, items, calibration laboratory, responsible persons,
customer) and the measurement results, each result a named quantity with a value, a D-SI unit string
and, where known, the expanded uncertainty U with coverage factor k and coverage probability p
(D-SI 2.1.0 ``si:real`` + ``si:expandedUnc``).

Texts are multilingual (:class:`Text`): one string per language code (``zh``, ``en``) as the DCC's
``dcc:content lang="..."`` elements. Numbers are :class:`~decimal.Decimal`, never float, so that a
value written and read back is the same value.

Only what the writer writes is modelled; the reader fills the same classes from DCCs written by
others and lists, in :attr:`Certificate.unsupported`, the result elements it could not import.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

#: ``dcc:issuer`` values allowed by dcc.xsd 3.1.2 (identificationType).
ISSUERS = ("manufacturer", "calibrationLaboratory", "customer", "owner", "other")

#: ``dcc:performanceLocation`` values allowed by dcc.xsd 3.1.2 (stringPerformanceLocationType).
PERFORMANCE_LOCATIONS = ("laboratory", "customer", "laboratoryBranch", "customerBranch", "other")


class DccError(ValueError):
    """A certificate that cannot be written or read; ``path`` names the element or field concerned."""

    def __init__(self, message: str, path: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = path

    @property
    def field(self) -> str | None:
        """Alias of :attr:`path`, for callers that treat every error of the project alike."""
        return self.path

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


@dataclass(frozen=True, slots=True)
class Text:
    """A text in one or more languages: ``((lang, text), ...)``; ``lang`` None means unmarked."""

    contents: tuple[tuple[str | None, str], ...]

    def __post_init__(self) -> None:
        if not self.contents:
            raise DccError("a text needs at least one content")
        for lang, text in self.contents:
            if not isinstance(text, str):
                raise DccError(f"text content must be a string, not {type(text).__name__}")
            if lang is not None and (len(lang) != 2 or not lang.isascii() or not lang.islower()):
                raise DccError(f"language code {lang!r} is not a two-letter ISO 639-1 code")

    @classmethod
    def of(cls, text: str | None = None, /, **by_lang: str) -> Text:
        """``Text.of(zh="电能表", en="electricity meter")``; a positional text is unmarked."""
        items: list[tuple[str | None, str]] = []
        if text is not None:
            items.append((None, text))
        items.extend((lang, value) for lang, value in by_lang.items())
        return cls(tuple(items))

    def get(self, lang: str | None = None) -> str:
        """The text in ``lang``, else the unmarked text, else the first one."""
        for want in (lang, None):
            for code, text in self.contents:
                if code == want:
                    return text
        return self.contents[0][1]

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(lang for lang, _ in self.contents if lang))


@dataclass(frozen=True, slots=True)
class Location:
    """``dcc:location`` (locationType); fields in the order the writer writes them."""

    street: str | None = None
    street_no: str | None = None
    post_code: str | None = None
    city: str | None = None
    state: str | None = None
    country_code: str | None = None
    further: Text | None = None


@dataclass(frozen=True, slots=True)
class Contact:
    """A laboratory, customer, manufacturer or person (``contactType`` / ``contactNotStrictType``).

    dcc.xsd requires ``email`` and ``location`` for the laboratory and the customer (contactType);
    the writer refuses a certificate that lacks them.
    """

    name: Text
    email: str | None = None
    phone: str | None = None
    fax: str | None = None
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class Identification:
    """``dcc:identification``: who issued it (:data:`ISSUERS`), the value, an optional name."""

    issuer: str
    value: str
    name: Text | None = None

    def __post_init__(self) -> None:
        if self.issuer not in ISSUERS:
            raise DccError(f"issuer {self.issuer!r} is not one of {', '.join(ISSUERS)}", "identification.issuer")


@dataclass(frozen=True, slots=True)
class Item:
    """A calibrated item: name, manufacturer, model and at least one identification."""

    name: Text
    manufacturer: Contact
    identifications: tuple[Identification, ...]
    model: str | None = None
    description: Text | None = None


@dataclass(frozen=True, slots=True)
class RespPerson:
    """``dcc:respPerson``: the person, an optional role and whether they are the main signer."""

    person: Contact
    role: str | None = None
    main_signer: bool | None = None


@dataclass(frozen=True, slots=True)
class Software:
    """``dcc:software`` in ``dcc:dccSoftware``: the program that wrote the DCC."""

    name: Text
    release: str


@dataclass(frozen=True, slots=True)
class ExpandedUncertainty:
    """D-SI ``si:expandedUnc``: expanded uncertainty U, coverage factor k, coverage probability p.

    U is in the unit of the quantity it belongs to. D-SI 2.1.0 requires U >= 0, k >= 1 and
    0 <= p <= 1 (uncertaintyValueType, kValueType, probabilityValueType).
    """

    value: Decimal
    coverage_factor: Decimal
    coverage_probability: Decimal
    distribution: str | None = None

    def __post_init__(self) -> None:
        for name in ("value", "coverage_factor", "coverage_probability"):
            v = getattr(self, name)
            if not isinstance(v, Decimal) or not v.is_finite():
                raise DccError(f"{name} must be a finite Decimal, not {v!r}", f"uncertainty.{name}")
        if self.value < 0:
            raise DccError(f"expanded uncertainty must not be negative ({self.value})", "uncertainty.value")
        if self.coverage_factor < 1:
            raise DccError(f"coverage factor must be >= 1 ({self.coverage_factor})", "uncertainty.coverage_factor")
        if not 0 <= self.coverage_probability <= 1:
            raise DccError(f"coverage probability must be within [0, 1] ({self.coverage_probability})",
                           "uncertainty.coverage_probability")

    @property
    def standard_uncertainty(self) -> Decimal:
        """u = U / k."""
        return self.value / self.coverage_factor


@dataclass(frozen=True, slots=True)
class Quantity:
    """One measured quantity: name, value, D-SI unit string and optional expanded uncertainty.

    ``path`` is where the reader found it (an element path); it takes no part in equality.
    """

    name: Text
    value: Decimal
    unit: str
    uncertainty: ExpandedUncertainty | None = None
    label: str | None = None
    path: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.value, Decimal) or not self.value.is_finite():
            raise DccError(f"value must be a finite Decimal, not {self.value!r}", self.path or "quantity.value")


@dataclass(frozen=True, slots=True)
class MeasurementResult:
    """``dcc:measurementResult``: a named group of quantities (each written as one ``dcc:result``)."""

    name: Text
    quantities: tuple[Quantity, ...]


@dataclass(frozen=True, slots=True)
class Certificate:
    """A calibration certificate: the administrative data and the measurement results of a DCC."""

    unique_identifier: str
    country_code: str
    languages_used: tuple[str, ...]
    languages_mandatory: tuple[str, ...]
    begin_performance_date: date
    end_performance_date: date
    performance_location: str
    laboratory: Contact
    customer: Contact
    items: tuple[Item, ...]
    resp_persons: tuple[RespPerson, ...]
    results: tuple[MeasurementResult, ...]
    software: tuple[Software, ...]
    receipt_date: date | None = None
    laboratory_code: str | None = None
    identifications: tuple[Identification, ...] = ()
    schema_version: str = field(default="3.1.2", compare=False)
    unsupported: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if self.performance_location not in PERFORMANCE_LOCATIONS:
            raise DccError(f"performance location {self.performance_location!r} is not one of "
                           f"{', '.join(PERFORMANCE_LOCATIONS)}", "performance_location")
        if self.end_performance_date < self.begin_performance_date:
            raise DccError("end of performance is before its beginning", "end_performance_date")

    def all_quantities(self) -> Iterable[Quantity]:
        for result in self.results:
            yield from result.quantities
