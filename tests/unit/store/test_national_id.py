"""National ID numbers: GB 11643 check digit, birth date, masking."""

import pytest

from yibao.store.national_id import check_character, mask, parse_national_id


def test_the_standard_example_is_valid_and_its_check_character_is_x():
    assert check_character("11010519491231002") == "X"
    assert parse_national_id("11010519491231002X") == "11010519491231002X"


def test_a_lower_case_x_is_read_as_upper_case():
    assert parse_national_id(" 11010519491231002x ") == "11010519491231002X"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            "110105194912310021",
            "'1101**********0021' is not a national ID number: its last character does not match the check "
            "digit of the first 17 (GB 11643); look for a mistyped digit",
        ),
        (
            "110105194913310028",
            "'1101**********0028' is not a national ID number: characters 7-14 are not a birth date (YYYYMMDD)",
        ),
        (
            "1101051949123100",
            "'1101********3100' is not a national ID number; write the 18 characters: 17 digits and a digit or X",
        ),
    ],
)
def test_an_invalid_number_is_refused_with_the_number_masked(raw: str, message: str):
    with pytest.raises(ValueError) as caught:
        parse_national_id(raw)
    assert str(caught.value) == message
    assert raw not in str(caught.value)


def test_masking_keeps_four_characters_at_each_end():
    assert mask("371502198001011234") == "3715**********1234"
    assert mask("1234567") == "*******"
