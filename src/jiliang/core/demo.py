"""The demo province: apps register build steps here, and `jiliang demo` runs them in order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

DEMO_PASSWORD = "jiliang-demo"  # noqa: S105  (demo accounts only, printed by `jiliang demo-logins`)


@dataclass(frozen=True)
class DemoStep:
    order: int
    name: str
    run: Callable  # run(ctx: dict, rng: random.Random, scale: int, progress) -> None


STEPS: list[DemoStep] = []


def register_step(order: int, name: str, run: Callable) -> None:
    if not any(s.name == name for s in STEPS):
        STEPS.append(DemoStep(order, name, run))
        STEPS.sort(key=lambda s: s.order)
