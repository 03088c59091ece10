from hypothesis import given
from hypothesis import strategies as st

from oversight.reports.suppression import WITHHELD, publish, publish_series, suppress


def test_nothing_small_nothing_hidden() -> None:
    result = suppress({"a": 10, "b": 5, "c": 0}, 5)
    assert result.cells == {"a": 10, "b": 5, "c": 0}
    assert result.protected


def test_a_lone_small_cell_takes_the_next_smallest_with_it() -> None:
    # Without the complement, b = total - a - c would give the hidden 3 away.
    result = suppress({"a": 40, "b": 3, "c": 7, "d": 0}, 5)
    assert result.cells == {"a": 40, "b": None, "c": None, "d": 0}


def test_two_small_cells_below_threshold_together_hide_a_third() -> None:
    result = suppress({"a": 1, "b": 2, "c": 9, "d": 30}, 5)
    assert result.cells == {"a": None, "b": None, "c": None, "d": 30}


def test_two_small_cells_reaching_the_threshold_are_enough() -> None:
    result = suppress({"a": 2, "b": 4, "c": 9}, 5)
    assert result.cells == {"a": None, "b": None, "c": 9}


def test_a_tiny_dimension_says_its_total_is_too_small() -> None:
    result = suppress({"a": 1, "b": 2}, 5)
    assert result.cells == {"a": None, "b": None}
    assert not result.protected


def test_hidden_ones_are_not_enough_even_when_they_reach_the_threshold() -> None:
    # Five hidden 1s beside a total of 5 would each be read off as 1.
    cells = dict.fromkeys("abcde", 1)
    assert not suppress(cells, 5).protected
    assert suppress({**cells, "f": 7}, 5).cells == dict.fromkeys("abcdef")
    assert suppress({**cells, "f": 7}, 5).protected


def test_a_dimension_that_cannot_be_protected_is_pooled_or_hidden_whole() -> None:
    assert publish({"a": 1, "b": 2}, 5) == {WITHHELD: None}
    assert publish(dict.fromkeys("abcde", 1), 5) == {WITHHELD: 5}
    assert publish({}, 5) == {}
    # A series lists every key: its zeros are hidden too, or they would point at the others.
    assert publish_series({"2026-01": 0, "2026-02": 3}, 5) == {"2026-01": None, "2026-02": None}
    assert publish_series({"2026-01": 0, "2026-02": 7}, 5) == {"2026-01": 0, "2026-02": 7}


@given(
    st.dictionaries(st.text(min_size=1, max_size=3), st.integers(0, 60), max_size=12),
    st.integers(2, 10),
)
def test_invariants(cells: dict[str, int], threshold: int) -> None:
    result = suppress(cells, threshold)
    hidden = [k for k, v in result.cells.items() if v is None]
    for key, shown in result.cells.items():
        if shown is not None:
            assert shown == cells[key]
            assert shown == 0 or shown >= threshold
    if hidden:
        assert all(cells[k] > 0 for k in hidden)
        held = sum(cells[k] for k in hidden)
        protected = len(hidden) >= 2 and held >= threshold and held > len(hidden)
        assert protected == result.protected
        if not result.protected:  # then every non-zero cell is hidden
            assert set(hidden) == {k for k, v in cells.items() if v > 0}
