"""normalize_phone / is_valid_phone: E.164, typed refusal, and one person per number."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import roomkit
from roomkit import InvalidArgumentError, is_valid_phone, normalize_phone


@pytest.mark.parametrize(
    ("written", "region", "e164"),
    [
        ("(415) 555-2671", "US", "+14155552671"),
        ("+1 415-555-2671", "US", "+14155552671"),
        ("020 7946 0018", "GB", "+442079460018"),
        ("+44 20 7946 0018", "US", "+442079460018"),
    ],
)
def test_numbers_are_normalised_to_e164(written: str, region: str, e164: str) -> None:
    """National and international spellings of one number give the same E.164 string."""
    assert normalize_phone(written, region) == e164
    assert is_valid_phone(written, region)


@pytest.mark.parametrize("bad", ["12", "not a phone", "+1 555", ""])
def test_an_invalid_number_is_a_typed_error_naming_it(bad: str) -> None:
    """Invalid input raises InvalidArgumentError (a ValueError) that quotes the input."""
    with pytest.raises(InvalidArgumentError, match=repr(bad).replace("+", r"\+")) as caught:
        normalize_phone(bad)
    assert isinstance(caught.value, ValueError)
    assert "+14155552671" in str(caught.value)  # shows what a valid number looks like
    assert is_valid_phone(bad) is False


def test_brazils_ninth_digit_does_not_split_one_person() -> None:
    """An old 8-digit Brazilian mobile and its 9-digit form are the same number."""
    old, new = "+55 11 8765-4321", "+55 11 98765-4321"
    assert normalize_phone(old) == normalize_phone(new) == "+5511987654321"
    assert normalize_phone("(11) 98765-4321", "BR") == "+5511987654321"
    # Fixed lines (starting 2-5) kept 8 digits: they are not touched.
    assert normalize_phone("+55 11 3456-7890") == "+551134567890"


def test_mexicos_mobile_1_does_not_split_one_person() -> None:
    """+52 1 … (the old mobile prefix) and +52 … are the same Mexican number."""
    assert normalize_phone("+52 1 55 1234 5678") == normalize_phone("+52 55 1234 5678")
    assert normalize_phone("+5215512345678") == "+525512345678"


def _run(code: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(Path(roomkit.__file__).parents[1])}  # this roomkit
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return out.stdout


def test_importing_roomkit_does_not_load_phonenumbers() -> None:
    """The optional library is loaded on the first normalisation, not by `import roomkit`."""
    assert _run("import sys, roomkit\nprint('phonenumbers' in sys.modules)").strip() == "False"


def test_without_the_extra_the_error_names_what_to_install() -> None:
    """With phonenumbers missing, the ImportError says to install roomkit[phone]."""
    code = (
        "import sys\n"
        "sys.modules['phonenumbers'] = None\n"  # what an interpreter without it sees
        "from roomkit import normalize_phone\n"
        "try:\n"
        "    normalize_phone('+14155552671')\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    assert "pip install 'roomkit[phone]'" in _run(code)
