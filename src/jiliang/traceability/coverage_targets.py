"""Coverage targets per region and year (CoverageTarget): the provincial bureau adds and edits them; each change
is audited. The plan's own target (98 % for Jiangsu, 2020) ships as data (migration 0002_coverage_target_2020)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from jiliang.core import audit
from jiliang.core.models import Region

from .coverage import may_edit_targets
from .models import CoverageTarget

YEARS = (2000, 2100)  # the model's validators
# The plan's text (shared/reference/supervision-integrity-licensing.md §8.1, H); migration 0002 ships the same row.
PLAN_SOURCE = ("《江苏省计量发展规划（2014－2020年）》专栏1 第2项：社会公用计量标准和量值传递体系覆盖率达到98%以上"
               "（江苏省人民政府办公厅，2015-03-30）")


class CoverageTargetForm(forms.Form):
    region = forms.CharField(label=_("region code"), max_length=6,
                             help_text=_("GB/T 2260 code, e.g. 320000 for the province, 320500 for Suzhou"))
    year = forms.IntegerField(label=_("year"), min_value=YEARS[0], max_value=YEARS[1])
    target_percent = forms.DecimalField(label=_("target (%)"), min_value=Decimal(0), max_value=Decimal(100),
                                        max_digits=5, decimal_places=2)
    source = forms.CharField(label=_("source"), max_length=300, required=False,
                             help_text=_("the plan or decision that sets the target"))

    def __init__(self, *args, instance: CoverageTarget | None = None, **kwargs):
        self.instance = instance
        if instance is not None and not kwargs.get("initial"):
            kwargs["initial"] = {"region": instance.region_id, "year": instance.year,
                                 "target_percent": instance.target_percent, "source": instance.source}
        super().__init__(*args, **kwargs)

    def clean_region(self):
        code = self.cleaned_data["region"].strip()
        if not Region.objects.filter(code=code, is_current=True).exists():
            raise forms.ValidationError(_("No current region has the code %(code)s.") % {"code": code})
        return code

    def clean(self):
        data = super().clean()
        if "region" in data and "year" in data:
            clash = CoverageTarget.objects.filter(region_id=data["region"], year=data["year"])
            if self.instance is not None:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise forms.ValidationError(_("A target for %(region)s in %(year)d exists already: edit it instead.")
                                            % {"region": data["region"], "year": data["year"]})
        return data


def _values(t: CoverageTarget) -> dict:
    return {"region": t.region_id, "year": t.year, "target_percent": str(t.target_percent), "source": t.source}


@transaction.atomic
def save_target(form: CoverageTargetForm, *, actor) -> CoverageTarget:
    """Create or update a target from a valid form; only the provincial bureau (or an administrator) may."""
    if not may_edit_targets(actor):
        raise PermissionDenied
    data = form.cleaned_data
    target = form.instance
    before = _values(target) if target is not None else None
    if target is None:
        target = CoverageTarget(region_id=data["region"], year=data["year"], target_percent=data["target_percent"],
                                source=data.get("source", ""))
        target.full_clean()
        target.save()
    else:
        target = CoverageTarget.objects.select_for_update().get(pk=target.pk)
        target.region_id, target.year = data["region"], data["year"]
        target.target_percent, target.source = data["target_percent"], data.get("source", "")
        target.full_clean()
        target.save(update_fields=["region", "year", "target_percent", "source", "last_updated"])
    audit.record(target, "update" if before else "create", actor=actor, before=before, after=_values(target),
                 region_code=target.region_id)
    return target
