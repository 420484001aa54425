"""One chunking helper for IN-lists, multi-row INSERTs and streamed files."""

import pytest

from jiliang.core.values.chunks import chunks


def test_lists_and_iterators_in_order():
    assert list(chunks([1, 2, 3, 4, 5], 2)) == [[1, 2], [3, 4], [5]]
    assert list(chunks(iter("abcd"), 4)) == [["a", "b", "c", "d"]]
    assert list(chunks([], 3)) == []


def test_reads_an_iterator_lazily():
    seen = []

    def lines():
        for i in range(10):
            seen.append(i)
            yield i

    first = next(chunks(lines(), 3))
    assert first == [0, 1, 2] and seen == [0, 1, 2]


@pytest.mark.parametrize("size", [0, -1])
def test_a_size_below_one_is_refused(size):
    with pytest.raises(ValueError, match="at least 1"):
        next(chunks([1], size))
