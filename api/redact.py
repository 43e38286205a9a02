"""Hide citizens' ID-card and mobile numbers before text reaches a log line, the exchange log or Rasa.

Applied to text that has already been normalised (NFKC), so full-width digits are plain digits.

Links stay usable: inside a URL only a number that makes up a whole path segment or a whole
query value is hidden (``?phone=13812345678``), and an 18-character one only when it is a valid
resident ID (a birth date and the ISO 7064 check character: ``/id/11010519491231002X``). The
official guide links carry 18-character codes (sczwfw's ``itemCode=…-000-115113010833722043-1-00``,
``deptCode=115113010087783353``): department codes, not ID numbers, and kept. In running text
every 18-character run is hidden, valid or not (a mistyped ID is still someone's ID).
"""
from __future__ import annotations

import re
from typing import NamedTuple

ID_NUMBER_MARK = "[身份证号]"
MOBILE_MARK = "[手机号]"
# What Rasa reads in place of either number (``redact_for_nlu``): no item or place name holds
# these characters, so the mark cannot be taken for a need (「[身份证号]」 would read as 身份证).
NLU_MARK = "[号码]"

# 18-digit resident ID (last char may be X); not part of a longer run of digits or letters.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
# Mainland mobile: 1[3-9]xxxxxxxxx, optionally +86 / 86 prefixed and grouped 3-4-4 by spaces or dashes.
_MOBILE = re.compile(r"(?<![\d+])(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)")
# A URL as it appears in running text: scheme or www., then URL characters (RFC 3986) up to the
# first space, CJK character or full-width punctuation.
_URL = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
# The parts of a URL a number could fill alone: between / ? # & = and the ends.
_URL_PART = re.compile(r"[^/?#&=]+")


class Redacted(NamedTuple):
    text: str
    changed: bool


def _hide(text: str, id_mark: str, mobile_mark: str) -> tuple[str, int]:
    # IDs first: an ID number contains digit runs that could look like a mobile number.
    hidden, ids = _ID_NUMBER.subn(id_mark, text)
    hidden, mobiles = _MOBILE.subn(mobile_mark, hidden)
    return hidden, ids + mobiles


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def is_valid_id_number(value: str) -> bool:
    """An 18-character resident ID number with a real birth date and the right check character."""
    if not _ID_NUMBER.fullmatch(value):
        return False
    year, month, day = int(value[6:10]), int(value[10:12]), int(value[12:14])
    if not (1900 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(value[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == value[17].upper()


def _hide_in_url(url: str, id_mark: str, mobile_mark: str) -> tuple[str, int]:
    count = 0

    def part(match: re.Match[str]) -> str:
        nonlocal count
        value = match.group(0)
        if is_valid_id_number(value):
            count += 1
            return id_mark
        if _MOBILE.fullmatch(value):
            count += 1
            return mobile_mark
        return value

    return _URL_PART.sub(part, url), count


def _redact(text: str, id_mark: str, mobile_mark: str) -> Redacted:
    pieces: list[str] = []
    changed = 0
    last = 0
    for url in _URL.finditer(text):
        hidden, count = _hide(text[last:url.start()], id_mark, mobile_mark)
        kept, in_url = _hide_in_url(url.group(0), id_mark, mobile_mark)
        pieces += [hidden, kept]
        changed += count + in_url
        last = url.end()
    hidden, count = _hide(text[last:], id_mark, mobile_mark)
    pieces.append(hidden)
    return Redacted("".join(pieces), bool(changed + count))


def redact_with_flag(text: str | None) -> Redacted:
    """Return the text with ID and mobile numbers replaced, and whether anything was replaced."""
    if not text:
        return Redacted(text or "", False)
    return _redact(text, ID_NUMBER_MARK, MOBILE_MARK)


def redact(text: str | None) -> str:
    """身份证号、手机号脱敏：用于日志行与对话记录。"""
    return redact_with_flag(text).text


def redact_for_nlu(text: str) -> str:
    """The citizen's message as Rasa gets it (and keeps it in its tracker store): numbers hidden
    with a mark that names nothing the NLU could take for an item."""
    if not text:
        return text
    return _redact(text, NLU_MARK, NLU_MARK).text
