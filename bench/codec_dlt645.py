"""Benchmark: DL/T 645-2007 frames decoded per second, against ``bytes.fromhex`` of the same frames.

The floor is what any decoder of hex-logged frames must pay: turning the hex text into bytes. The decoder
does that too, then checks start bytes, length, end byte and checksum, unscrambles the data, looks up the
DI and builds the frozen dataclass with an exact Decimal. Both are measured in this run on the same
frames (best of ``--repeat`` rounds), and the ratio is printed.

    .venv/bin/python bench/codec_dlt645.py [--frames 200000] [--repeat 3] [--seed 645]
"""

from __future__ import annotations

import argparse
import random
import time
from decimal import Decimal

from jiliang.telemetry.protocols import dlt645


def make_frames(count: int, seed: int) -> list[str]:
    """``count`` read replies as gateways log them: upper-case hex with spaces, some with FE preamble,
    over every known DI (blocks included) with random meters and values."""
    rng = random.Random(seed)
    items = sorted(dlt645.DATA_ITEMS.values(), key=lambda i: i.di)
    frames = []
    for _ in range(count):
        item = rng.choice(items)
        fmt = item.fmt
        low = -fmt.max_scaled if fmt.signed else 0

        def value(fmt=fmt, low=low) -> Decimal:
            return Decimal(rng.randint(low, fmt.max_scaled)).scaleb(-fmt.decimals)

        if item.is_block:
            n = rng.randint(1, 5) if item.variable else len(item.elements)
            payload = [value() for _ in range(n)]
        else:
            payload = value()
        address = f"{rng.randrange(10**12):012d}"
        raw = dlt645.encode_read_reply(address, item.di, payload, preamble=rng.choice((0, 0, 4)))
        frames.append(raw.hex(" ").upper())
    return frames


def best_rate(fn, frames: list, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(frames)
        best = min(best, time.perf_counter() - t0)
    return len(frames) / best


def floor(frames: list[str]) -> None:
    fromhex = bytes.fromhex
    for s in frames:
        fromhex(s)


def decode_all(frames: list) -> None:
    decode = dlt645.decode
    for s in frames:
        decode(s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=645)
    args = parser.parse_args()

    frames = make_frames(args.frames, args.seed)
    raw_frames = [bytes.fromhex(s) for s in frames]
    # Sanity: every frame decodes, and the floor and the decoder see the same input.
    assert all(dlt645.decode(s).di is not None for s in frames[:1000])

    floor_rate = best_rate(floor, frames, args.repeat)
    decode_rate = best_rate(decode_all, frames, args.repeat)
    bytes_rate = best_rate(decode_all, raw_frames, args.repeat)

    mean_len = sum(len(r) for r in raw_frames) / len(raw_frames)
    print(f"DL/T 645-2007 decode benchmark: {len(frames):,} read-reply frames, mean {mean_len:.1f} bytes, "
          f"best of {args.repeat}")
    print(f"  floor   bytes.fromhex(hex)      {floor_rate:>14,.0f} frames/s")
    print(f"  decoder dlt645.decode(hex)      {decode_rate:>14,.0f} frames/s")
    print(f"  decoder dlt645.decode(bytes)    {bytes_rate:>14,.0f} frames/s")
    print(f"  ratio   decode(hex) / floor     {decode_rate / floor_rate:>14.3f}  "
          f"(the decoder takes {floor_rate / decode_rate:.1f}× the time of bytes.fromhex)")


if __name__ == "__main__":
    main()
