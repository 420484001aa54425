"""Which edition of a regulation applies on a day of measurement (pure; no Django).

A verification is decided under the edition in force on the day the instrument was measured: JJG 443-2023
燃油加油机(试行) is in force from 2024-05-01 and replaces JJG 443-2015 (plusstd.com, V2;
``shared/reference/legal-metrology.md`` §3.3), so a dispenser measured on 2024-04-30 is decided under 2015
and one measured on 2024-05-01 under 2023. The editions of a regulation are its data files with the same
``regulation.number``. An edition applies from its ``in_force`` date -- or, where the file does not record
it, from 1 January of its edition year, since no edition is in force before the year it was approved --
until the day before the next edition comes into force. A day before every edition is a
:class:`~.decision.RuleError` naming the editions and their windows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .decision import RuleError
from .loader import Regulation, available_regulations, load_regulation


@dataclass(frozen=True, slots=True)
class Edition:
    regulation: Regulation
    start: dt.date
    start_recorded: bool  # False: the file gives no in-force date; the start is 1 January of the edition year
    end: dt.date | None  # last day, or None while no later edition is known

    def describe(self) -> str:
        start = self.start.isoformat() if self.start_recorded else f"{self.start.year} (in-force date not recorded)"
        end = self.end.isoformat() if self.end else "today"
        return f"{self.regulation.id}: {start} – {end}"


def editions(number: str) -> tuple[Edition, ...]:
    """The editions of regulation ``number`` (e.g. ``"JJG 443"``) with their windows, oldest first."""
    regs = [r for r in (load_regulation(i) for i in available_regulations()) if r.number == number]
    starts = []
    for reg in regs:
        if reg.in_force:
            starts.append((dt.date.fromisoformat(reg.in_force), True, reg))
        else:
            starts.append((dt.date(int(reg.edition[:4]), 1, 1), False, reg))
    starts.sort(key=lambda s: s[0])
    out = []
    for i, (start, recorded, reg) in enumerate(starts):
        end = starts[i + 1][0] - dt.timedelta(days=1) if i + 1 < len(starts) else None
        out.append(Edition(reg, start, recorded, end))
    return tuple(out)


def edition_on(regulation_id: str, day: dt.date) -> Regulation:
    """The edition of ``regulation_id``'s regulation in force on ``day`` (which may be another edition)."""
    number = load_regulation(regulation_id).number
    known = editions(number)
    for edition in known:
        if edition.start <= day and (edition.end is None or day <= edition.end):
            return edition.regulation
    raise RuleError(f"no edition of {number} with rules in jiliang was in force on {day.isoformat()} "
                    f"(editions: {'; '.join(e.describe() for e in known)})", "measured_on")
