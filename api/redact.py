"""Hide citizens' ID-card and mobile numbers before text reaches a log line or the exchange log.

Applied to text that has already been normalised (NFKC), so full-width digits are plain digits.
"""
from __future__ import annotations

import re
from typing import NamedTuple

ID_NUMBER_MARK = "[身份证号]"
MOBILE_MARK = "[手机号]"

# 18-digit resident ID (last char may be X); not part of a longer run of digits or letters.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
# Mainland mobile: 1[3-9]xxxxxxxxx, optionally +86 / 86 prefixed and grouped 3-4-4 by spaces or dashes.
_MOBILE = re.compile(r"(?<![\d+])(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)")


class Redacted(NamedTuple):
    text: str
    changed: bool


def redact_with_flag(text: str | None) -> Redacted:
    """Return the text with ID and mobile numbers replaced, and whether anything was replaced."""
    if not text:
        return Redacted(text or "", False)
    # IDs first: an ID number contains digit runs that could look like a mobile number.
    hidden, ids = _ID_NUMBER.subn(ID_NUMBER_MARK, text)
    hidden, mobiles = _MOBILE.subn(MOBILE_MARK, hidden)
    return Redacted(hidden, bool(ids or mobiles))


def redact(text: str | None) -> str:
    """身份证号、手机号脱敏：用于日志行与对话记录。"""
    return redact_with_flag(text).text
