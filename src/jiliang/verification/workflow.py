"""The work-order flow declared once: which act takes a work order from which states to which, and who does it.

The services check an act against this table before doing it (:func:`jiliang.verification.services`), and
the work-order page offers exactly the acts the table allows the viewer in the current state
(:func:`allowed_acts`), so a button never leads to a refusal for the state and no act is missing a button.
The flow is that of JJF 1069-2012 6.3: request → accepted → scheduled → measured → checked (核验) →
approved (批准) → issued; declined or cancelled with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import OPEN_STATUSES, WorkStatus

#: The two sides of a work order: the institute's staff, and the owner (or a bureau acting for it).
INSTITUTE = "institute"
OWNER = "owner"


@dataclass(frozen=True)
class Act:
    """One act of the flow: the states it may start from (in the order the refusal names them), the state it
    leads to, and the sides that may take it."""

    name: str
    sources: tuple[str, ...]
    target: str
    by: frozenset[str] = frozenset({INSTITUTE})


S = WorkStatus
ACTS: dict[str, Act] = {a.name: a for a in (
    Act("accept", (S.REQUESTED,), S.ACCEPTED),
    Act("decline", (S.REQUESTED,), S.DECLINED),
    Act("schedule", (S.ACCEPTED, S.SCHEDULED), S.SCHEDULED),
    Act("measure", (S.SCHEDULED, S.MEASURED), S.MEASURED),
    Act("check", (S.MEASURED,), S.CHECKED),
    Act("send_back", (S.MEASURED, S.CHECKED), S.SCHEDULED),
    Act("approve", (S.CHECKED,), S.APPROVED),
    Act("issue", (S.APPROVED,), S.ISSUED),
    Act("cancel", tuple(OPEN_STATUSES), S.CANCELLED, frozenset({INSTITUTE, OWNER})),
)}


def allowed_acts(status: str, sides: set[str] | frozenset[str]) -> frozenset[str]:
    """The names of the acts that ``sides`` may take on a work order in ``status``."""
    return frozenset(a.name for a in ACTS.values() if status in a.sources and a.by & set(sides))
