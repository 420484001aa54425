"""`jiliang import-readings FILE --enterprise USCC`: bulk history from an enterprise energy system's CSV export.

The CSV has the header ``point,ts,value`` (UTF-8, optionally gzip-compressed). It is read in chunks of
``--chunk`` rows, each chunk one ingest batch and one transaction through the same pipeline as HTTP and
MQTT (validation, dedupe, rollups, anomalies), with a progress bar. Importing the same file twice stores
nothing twice: the second run counts duplicates.
"""

from __future__ import annotations

import gzip
import io
import os

from django.core.management.base import BaseCommand, CommandError
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from jiliang.core.audit import audit_context
from jiliang.core.values.chunks import chunks
from jiliang.telemetry.ingest import Group, enterprises, ingest
from jiliang.telemetry.models import Channel
from jiliang.telemetry.parsing import PayloadError, check_csv_header, parse_csv_lines


class Command(BaseCommand):
    help = "Import readings from a CSV file (point,ts,value) for one key energy-consuming enterprise."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--enterprise", required=True, help="the enterprise's unified social credit code")
        parser.add_argument("--chunk", type=int, default=20000, help="rows per batch (default 20000)")

    def handle(self, *args, file, enterprise, chunk, **options):
        org = enterprises.get(enterprise)
        if org is None:
            raise CommandError(f"{enterprise} is not a registered key energy-consuming enterprise")
        try:
            raw = open(file, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise CommandError(f"cannot open {file}: {exc}") from exc
        size = os.path.getsize(file)
        stream = gzip.open(raw) if raw.peek(2)[:2] == b"\x1f\x8b" else raw
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        header_line = text.readline()
        header = [h.strip().lower() for h in header_line.strip().split(",")]
        try:
            check_csv_header(header)
        except PayloadError as exc:
            raise CommandError(f"{file}: {exc.detail}") from exc
        totals = {"accepted": 0, "duplicate": 0, "conflict": 0, "rejected": 0}
        row = 2
        columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeElapsedColumn(),
                   TimeRemainingColumn())
        with Progress(*columns, disable=not self.stdout.isatty()) as progress, \
                audit_context(channel="command", actor=None):
            task = progress.add_task(os.path.basename(file), total=size)
            for lines in chunks(text, chunk):
                readings, rejections, _ = parse_csv_lines(io.StringIO("".join(lines)), first_row=row, header=header)
                row += len(lines)
                [res] = ingest([Group(enterprise=org, readings=readings, rejections=rejections,
                                      reference=f"{os.path.basename(file)} rows {row - len(lines)}–{row - 1}")],
                               channel=Channel.FILE)
                for k, v in res.counts.items():
                    totals[k] += v
                for x in res.rows:
                    if x.status == "rejected":
                        self.stderr.write(f"{x.position}: {x.reason}: {x.detail}")
                progress.update(task, completed=raw.tell())
        raw.close()
        self.stdout.write(", ".join(f"{v} {k}" for k, v in totals.items()))
