import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from yibao.money import apply_ratio, apply_ratio_columns, format_ratio, format_yuan, parse_ratio, parse_yuan


@pytest.mark.parametrize(
    ("text", "fen"), [("0", 0), ("12.35", 1235), ("12.3", 1230), ("1234567.05", 123456705), (100, 10000)]
)
def test_parse_yuan_reads_decimal_strings_into_fen(text, fen):
    assert parse_yuan(text) == fen


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12.345", "'12.345' has 3 decimal places; amounts are yuan with at most 2 (e.g. '12.35')"),
        ("-5.00", "'-5.00' is negative; amounts must be 0 or more"),
        ("abc", "'abc' is not an amount; write yuan as digits, e.g. '1234.50'"),
        (12.5, "12.5 is a float; write yuan as a string with at most 2 decimals (e.g. '12.35')"),
        (float("nan"), "nan is a float; write yuan as a string with at most 2 decimals (e.g. '12.35')"),
    ],
)
def test_parse_yuan_refuses_what_is_not_exact(text, message):
    with pytest.raises(ValueError) as caught:
        parse_yuan(text)
    assert str(caught.value) == message


def test_format_yuan_always_has_two_decimals():
    assert [format_yuan(f) for f in (0, 5, 123450, -1)] == ["0.00", "0.05", "1234.50", "-0.01"]


def test_ratios_are_basis_points_and_read_back_as_percentages():
    assert parse_ratio("0.85") == 8500
    assert parse_ratio("0.925") == 9250
    assert [format_ratio(b) for b in (8500, 9250, 0, 10000)] == ["85%", "92.5%", "0%", "100%"]
    with pytest.raises(ValueError, match="more than 1"):
        parse_ratio("85")


def test_apply_ratio_rounds_half_a_fen_up():
    assert apply_ratio(1, 5000) == 1  # 0.5 fen -> 1
    assert apply_ratio(3, 5000) == 2  # 1.5 fen -> 2
    assert apply_ratio(1, 4999) == 0  # 0.4999 fen -> 0
    assert apply_ratio(14100, 6500) == 9165


@given(st.lists(st.integers(0, 10**11), min_size=1, max_size=50), st.integers(0, 10000))
def test_column_rounding_equals_the_scalar_rule(amounts, ratio):
    columns = apply_ratio_columns(np.array(amounts, np.int64), np.full(len(amounts), ratio, np.int64))
    assert columns.tolist() == [apply_ratio(a, ratio) for a in amounts]


@given(st.integers(0, 10**12))
def test_format_then_parse_is_the_identity(fen):
    assert parse_yuan(format_yuan(fen)) == fen
