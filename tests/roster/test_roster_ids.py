"""Check digits of resident IDs (GB 11643-1999) and unified social credit codes (GB 32100-2015)."""

import pytest

from voting.roster.parsing import (
    USCC_ALPHABET,
    id_number_doubt,
    id_number_problem,
    is_valid_uscc,
    normalise_id_number,
    resident_id_check_digit,
    uscc_check_char,
)

# the two examples printed in GB 11643-1999
RESIDENT_IDS = ["11010519491231002X", "440524188001010014"]
# GB 32100's sample code and the published codes of Alibaba (China), Tencent and Huawei;
# Huawei's is all digits and would look like a resident ID if it had a valid date of birth
USCCS = ["91350100M000100Y43", "91330100716105852F", "9144030071526726XG", "914403001922038216"]


@pytest.mark.parametrize("number", RESIDENT_IDS + USCCS)
def test_published_numbers_are_accepted(number):
    assert id_number_problem(number) is None


@pytest.mark.parametrize("number", RESIDENT_IDS)
def test_every_single_digit_change_alters_the_resident_check_digit(number):
    for position in range(17):
        for digit in "0123456789":
            if digit != number[position]:
                mutated = number[:position] + digit + number[position + 1 : 17]
                assert resident_id_check_digit(mutated) != number[17], (position, digit)


@pytest.mark.parametrize("code", USCCS)
def test_every_single_character_change_alters_the_uscc_check_character(code):
    for position in range(17):
        for char in USCC_ALPHABET:
            if char != code[position]:
                mutated = code[:position] + char + code[position + 1 : 17]
                assert uscc_check_char(mutated) != code[17], (position, char)


@pytest.mark.parametrize("number", RESIDENT_IDS)
def test_resident_id_with_wrong_check_digit_is_named_as_such(number):
    wrong = number[:17] + ("1" if number[17] != "1" else "2")
    assert "fails the resident ID check digit" in id_number_problem(wrong)


@pytest.mark.parametrize("code", USCCS[:3])
def test_uscc_with_wrong_check_character_is_doubted_not_refused(code):
    """The roster template demands a check digit of resident IDs only: a company code that
    fails GB 32100 is a warning in the preview, never a reason to refuse the file."""
    wrong = code[:17] + ("A" if code[17] != "A" else "B")
    assert not is_valid_uscc(wrong)
    assert id_number_problem(wrong) is None
    assert "fails the unified social credit code check" in id_number_doubt(wrong)
    assert id_number_doubt(code) is None


def test_uscc_outside_its_alphabet_is_rejected():
    assert not is_valid_uscc("91350100M000100I43")  # I is not used, to avoid confusion with 1


def test_lower_case_x_is_normalised():
    assert normalise_id_number(" 11010519491231002x ") == "11010519491231002X"


def test_first_generation_id_is_upgraded_to_18_digits():
    # the 15-digit form of the GB 11643 example: drop "19" from the year and the check digit
    assert normalise_id_number("110105491231002") == "11010519491231002X"


@pytest.mark.parametrize("number", ["E12345678", "H12345678", "12345678", "A123456(7)"])
def test_other_documents_are_accepted_unchecked(number):
    # passport, Hong Kong/Macau permit, Taiwan compatriot permit, Hong Kong identity card
    assert id_number_problem(number) is None


@pytest.mark.parametrize(
    "number, fragment",
    [
        ("110105491331002", "15-digit ID without a valid date of birth"),
        ("1101051949123100", "digits missing or extra"),
        ("1101051949123100221", "digits missing or extra"),
        ("110105194913310020", "no valid date of birth"),
        ("#1234", "not a recognised ID number"),
    ],
)
def test_malformed_numbers_are_rejected(number, fragment):
    assert fragment in id_number_problem(number)
