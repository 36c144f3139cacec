"""Phone numbers in E.164, so that one person has one address whatever way it was written.

Needs the ``phone`` extra (``pip install 'roomkit[phone]'``, the ``phonenumbers`` library).

Two national renumberings leave old forms of the same mobile number in circulation; both
are folded into today's form so that they do not split one person into two identities:

* Brazil added a ninth digit (a leading 9) to mobile numbers: ``+55 11 8765-4321`` is now
  ``+55 11 98765-4321``.
* Mexico dropped the ``1`` that mobile numbers took after the country code:
  ``+52 1 55 1234 5678`` is now ``+52 55 1234 5678``.
"""

from __future__ import annotations

import re
from types import ModuleType
from typing import Any

from roomkit._extras import require
from roomkit.errors import InvalidArgumentError

__all__ = ["is_valid_phone", "normalize_phone"]

# An 8-digit Brazilian subscriber number starting with 6-9 was a mobile before the ninth
# digit; fixed lines start with 2-5 and keep 8 digits.
_BRAZIL_OLD_MOBILE = re.compile(r"^\+55([1-9][1-9])([6-9]\d{7})$")
_MEXICO_OLD_MOBILE = re.compile(r"^\+521(\d{10})$")


def _phonenumbers() -> ModuleType:
    return require("phonenumbers", "phone")


def _today_form(e164: str) -> str:
    """``e164`` with the Brazilian and Mexican mobile renumberings applied."""
    if match := _BRAZIL_OLD_MOBILE.match(e164):
        return f"+55{match[1]}9{match[2]}"
    if match := _MEXICO_OLD_MOBILE.match(e164):
        return f"+52{match[1]}"
    return e164


def _parse_valid(number: str, default_region: str) -> Any:
    """The parsed number in today's form, or None when it is not a valid phone number."""
    pn = _phonenumbers()
    try:
        parsed = pn.parse(number, default_region)
    except pn.NumberParseException:
        return None
    e164 = _today_form(pn.format_number(parsed, pn.PhoneNumberFormat.E164))
    current = pn.parse(e164, None)
    return current if pn.is_valid_number(current) else None


def normalize_phone(number: str, default_region: str = "US") -> str:
    """``number`` in E.164 (``+14155552671``), read as a ``default_region`` number when it
    has no ``+`` country code.

    Raises:
        InvalidArgumentError: ``number`` is not a valid phone number (a ValueError too).
        ImportError: the ``phone`` extra is not installed.
    """
    parsed = _parse_valid(number, default_region)
    if parsed is None:
        raise InvalidArgumentError(
            "number",
            number,
            f"a valid phone number (in region {default_region!r} when it has no +country "
            "code), such as '+14155552671'",
        )
    pn = _phonenumbers()
    return str(pn.format_number(parsed, pn.PhoneNumberFormat.E164))


def is_valid_phone(number: str, default_region: str = "US") -> bool:
    """Whether :func:`normalize_phone` accepts ``number``.

    Raises:
        ImportError: the ``phone`` extra is not installed.
    """
    return _parse_valid(number, default_region) is not None
