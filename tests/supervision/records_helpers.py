"""Shared pieces of the reported-records tests."""

import datetime as dt

TODAY = dt.date(2026, 12, 4)


def record(w, **over):
    """A good record of the Kunshan scale, verified by the provincial institute."""
    row = {"institution_uscc": w.inst_p.uscc, "number": "JJ-2026-0001", "instrument": w.instrument_ks.pk,
           "kind": "periodic", "verified_on": "2026-06-01", "result": "pass", "next_due": "2027-05-31",
           "certificate_valid_until": "2027-05-31"}
    row.update(over)
    return {k: v for k, v in row.items() if v is not None}
