"""Building the calibration graph's links from the records that say who calibrated what.

Two sources are read (imported records come through their own service):

* **Certificates** (verification): a certificate of an instrument whose measurement named the standards used
  (MeasurementResult.standards) gives one link per standard: instrument ← standard, on the measurement's date,
  valid until the certificate's validity, void when the certificate was revoked.
* **Calibrations of standards** (StandardCalibration): standard ← its calibrating node, resolved in this order:
  1. the calibration names our own certificate: the standards used for that certificate;
  2. the laboratory's name (or one of its aliases) is an :class:`ExternalNode`: that node;
  3. the laboratory's name is an institute of the registry: that institute's standard of the same parameter
     (and domain) in use on the date, preferring the higher level (national primary, provincial highest, social
     public, …) and then the smaller uncertainty, where its range covers the calibrated standard's range;
  4. otherwise the link is kept with the laboratory's name and no parent: the chain is broken there, and says why.

:func:`rebuild` replaces every derived link in one transaction (bulk writes); :func:`links_for_certificate` and
:func:`links_for_calibration` give the links of one record for incremental updates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db import transaction

from jiliang.registry.models import MeasurementStandard, StandardLevel, StandardStatus

from .models import ExternalNode, Link, LinkSource, NodeKind

LEVEL_RANK = {StandardLevel.NATIONAL_PRIMARY: 0, StandardLevel.PROVINCIAL_HIGHEST: 1, StandardLevel.SOCIAL_PUBLIC: 2,
              StandardLevel.DEPARTMENTAL_HIGHEST: 3, StandardLevel.ENTERPRISE_HIGHEST: 4}
BATCH = 5000


def _norm(name: str) -> str:
    return "".join(str(name or "").split()).casefold()


class Resolver:
    """Looks up calibrating nodes by name: external nodes (and aliases) and the institutes' standards."""

    def __init__(self) -> None:
        self.external: dict[str, int] = {}
        for node in ExternalNode.objects.only("pk", "name", "aliases"):
            for n in [node.name, *node.aliases.splitlines()]:
                if n.strip():
                    self.external.setdefault(_norm(n), node.pk)
        self.by_institute: dict[str, list[MeasurementStandard]] = defaultdict(list)
        for s in MeasurementStandard.objects.select_related("institute").exclude(status=StandardStatus.RETIRED):
            self.by_institute[_norm(s.institute.name)].append(s)

    def parent_of(self, standard: MeasurementStandard, laboratory: str) -> tuple[str, int | None]:
        """(parent kind, parent id) for a calibration of ``standard`` by ``laboratory``; id None: unresolved."""
        key = _norm(laboratory)
        if key in self.external:
            return NodeKind.EXTERNAL, self.external[key]
        candidates = [s for s in self.by_institute.get(key, ())
                      if s.pk != standard.pk and s.parameter == standard.parameter and s.domain == standard.domain
                      and _covers(s, standard)]
        if not candidates:
            return NodeKind.STANDARD, None
        best = min(candidates, key=lambda s: (LEVEL_RANK.get(s.level, 9), _relative_u(s), s.pk))
        return NodeKind.STANDARD, best.pk


def _covers(parent: MeasurementStandard, child: MeasurementStandard) -> bool:
    """Whether the parent's range covers the child's where both are known in one unit (else not judged here)."""
    if parent.range_unit and child.range_unit and parent.range_unit != child.range_unit:
        return True  # different units are not compared here; the chain check compares the link's range
    if parent.range_max is not None and child.range_max is not None and child.range_max > parent.range_max:
        return False
    # a range from 0 is compared by its upper end only: zero is the start of a scale, not a calibration point
    # (coverage_rules.range_covers, same rule); a 0–60 MPa gauge standard is calibrated by a 0.1–60 MPa piston gauge
    return not (parent.range_min is not None and child.range_min and child.range_min < parent.range_min)


def _relative_u(s: MeasurementStandard) -> float:
    if s.uncertainty is None:
        return float("inf")
    if s.uncertainty_unit == "%":
        return float(s.uncertainty) / 100
    top = s.range_max if s.range_max else None
    return float(s.uncertainty) / float(top) if top else float("inf")


def _standard_values(s: MeasurementStandard) -> dict:
    return {"parameter": s.parameter, "range_min": s.range_min, "range_max": s.range_max,
            "range_unit": s.range_unit, "uncertainty": s.uncertainty, "uncertainty_unit": s.uncertainty_unit,
            "coverage_factor": s.coverage_factor}


def links_for_certificate(certificate, standards: Iterable[MeasurementStandard], measured_on,
                          requirement: dict | None = None) -> list[Link]:
    """``requirement``: the item's MPE and the regulation's ratio for the chain check
    (chain_check.item_requirement)."""
    from jiliang.verification.models import CertificateStatus

    inst = certificate.instrument
    return [Link(child_kind=NodeKind.INSTRUMENT, child_id=inst.pk, parent_kind=NodeKind.STANDARD, parent_id=s.pk,
                 on=measured_on or certificate.issued_on, valid_until=certificate.valid_until,
                 source=LinkSource.CERTIFICATE, source_id=certificate.pk, certificate_no=certificate.number,
                 void=certificate.status == CertificateStatus.REVOKED, region_id=inst.region_id,
                 organisation_id=inst.owner_id, **_standard_values(s), **(requirement or {}))
            for s in standards]


def links_for_calibration(calibration, resolver: Resolver, used_by_certificate: dict[int, list]) -> list[Link]:
    """The links of one StandardCalibration (a standard's parents), per the rules in the module docstring."""
    std = calibration.standard
    common = {"child_kind": NodeKind.STANDARD, "child_id": std.pk, "on": calibration.calibrated_on,
              "valid_until": calibration.valid_until, "source": LinkSource.CALIBRATION, "source_id": calibration.pk,
              "certificate_no": calibration.certificate_no, "region_id": std.institute.region_id,
              "organisation_id": std.institute_id}
    if calibration.certificate_id and used_by_certificate.get(calibration.certificate_id):
        return [Link(parent_kind=NodeKind.STANDARD, parent_id=p.pk, **common, **_standard_values(p))
                for p in used_by_certificate[calibration.certificate_id]]
    kind, pid = resolver.parent_of(std, calibration.laboratory)
    values = {}
    if kind == NodeKind.STANDARD and pid is not None:
        values = _standard_values(MeasurementStandard.objects.get(pk=pid))
    else:
        result = (calibration.results or [{}])[0] if isinstance(calibration.results, list) else {}
        values = {"parameter": std.parameter, "range_min": std.range_min, "range_max": std.range_max,
                  "range_unit": std.range_unit}
        if isinstance(result, dict) and result.get("U") not in (None, ""):
            values.update(uncertainty=result["U"], uncertainty_unit=result.get("unit") or "",
                          coverage_factor=result.get("k") or None)
    return [Link(parent_kind=kind, parent_id=pid, parent_name="" if pid else calibration.laboratory,
                 **common, **values)]


def _used_standards(result_ids: Iterable[int] | None = None) -> dict[int, list[MeasurementStandard]]:
    """Certificate id → the standards its measurement used."""
    from jiliang.verification.models import Certificate, MeasurementResult

    through = MeasurementResult.standards.through
    rows = through.objects.all()
    std_by_result: dict[int, list[int]] = defaultdict(list)
    for r_id, s_id in rows.values_list("measurementresult_id", "measurementstandard_id").iterator(chunk_size=BATCH):
        std_by_result[r_id].append(s_id)
    standards = MeasurementStandard.objects.in_bulk({s for ids in std_by_result.values() for s in ids})
    result_of_item = dict(MeasurementResult.objects.filter(pk__in=std_by_result).values_list("item_id", "pk"))
    out: dict[int, list[MeasurementStandard]] = {}
    for cert_id, item_id in Certificate.objects.filter(item_id__in=result_of_item).values_list("pk", "item_id"):
        out[cert_id] = [standards[s] for s in std_by_result[result_of_item[item_id]] if s in standards]
    return out


@transaction.atomic
def rebuild(progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Replace every link derived from certificates and calibrations with links read afresh; imported links stay.
    Returns counts by source, and of broken (unresolved) links."""
    from jiliang.verification.models import Certificate, MeasurementResult, StandardCalibration

    progress = progress or (lambda done, total: None)
    Link.objects.filter(source__in=[LinkSource.CERTIFICATE, LinkSource.CALIBRATION]).delete()
    used = _used_standards()
    measured_on = dict(MeasurementResult.objects.values_list("item_id", "measured_on"))
    certs = Certificate.objects.filter(pk__in=list(used)).order_by("pk").select_related("instrument").only(
        "pk", "number", "issued_on", "valid_until", "status", "item_id", "instrument__region_id",
        "instrument__owner_id")
    total = len(used) + StandardCalibration.objects.count()
    done, rows, counts = 0, [], {"certificate": 0, "calibration": 0, "broken": 0}
    requirements: dict[int, dict] = {}

    def flush():
        Link.objects.bulk_create(rows, batch_size=BATCH)
        rows.clear()

    from .chain_check import requirements_for_items

    for cert in certs.iterator(chunk_size=BATCH):
        if cert.item_id not in requirements:
            requirements.update(requirements_for_items(
                [i for i in certs.filter(pk__gte=cert.pk).order_by("pk").values_list("item_id", flat=True)[:BATCH]]))
        new = links_for_certificate(cert, used[cert.pk], measured_on.get(cert.item_id),
                                    requirements.get(cert.item_id))
        rows.extend(new)
        counts["certificate"] += len(new)
        done += 1
        if len(rows) >= BATCH:
            flush()
            progress(done, total)
    resolver = Resolver()
    for cal in StandardCalibration.objects.select_related("standard__institute").iterator(chunk_size=BATCH):
        new = links_for_calibration(cal, resolver, used)
        rows.extend(new)
        counts["calibration"] += len(new)
        counts["broken"] += sum(1 for link in new if link.parent_id is None)
        done += 1
        if len(rows) >= BATCH:
            flush()
            progress(done, total)
    flush()
    progress(total, total)
    return counts
