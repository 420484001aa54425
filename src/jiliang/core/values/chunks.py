"""Cutting work into batches: queries with ``IN (…)`` lists, multi-row INSERTs, streamed files.

Databases bound the parameters of one statement (SQLite 32,766 since 3.32, PostgreSQL 65,535), so long
id lists go to the database in batches; callers choose the size for their statement.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

T = TypeVar("T")


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Successive lists of at most ``size`` items, in order; reads an iterator lazily (Python 3.12's
    ``itertools.batched``, as lists)."""
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, got {size!r}")
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch
