"""core.bulk.fewer_collections (telemetry ingest, bulk imports) raises CPython's generation-0 collection threshold
for a batch and restores it afterwards, also when batches nest or overlap in threads, and when the batch fails."""

import gc
import threading

import pytest

from jiliang.core.bulk import fewer_collections


def test_threshold_raised_for_a_batch_and_restored():
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold()[0] >= 100_000 and gc.get_threshold()[1:] == before[1:]
        with fewer_collections():
            assert gc.get_threshold()[0] >= 100_000
        assert gc.get_threshold()[0] >= 100_000  # the outer batch still runs
    assert gc.get_threshold() == before
    with pytest.raises(ValueError), fewer_collections():
        raise ValueError("a bad batch")
    assert gc.get_threshold() == before


def test_overlapping_batches_in_threads_restore_the_threshold_once():
    before = gc.get_threshold()
    inside, release = threading.Barrier(2), threading.Event()

    def batch():
        with fewer_collections():
            inside.wait(5)
            release.wait(5)

    threads = [threading.Thread(target=batch) for _ in range(2)]
    for t in threads:
        t.start()
    release.set()
    for t in threads:
        t.join(10)
    assert gc.get_threshold() == before
