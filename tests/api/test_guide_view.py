"""The SMS form of a guide (api/guide_view.sms_text): at most 140 characters with the link."""
from __future__ import annotations

import pytest

from api.guide_view import SMS_LIMIT, sms_text
from catalog import queries
from catalog.db import make_sessionmaker

LINK = "https://12345.example.gov.cn/guide/t/AbCdEfGhIjKl"
CODES = ["open-restaurant", "512B0003600029", "512B0070200006", "after-death", "511A0074300005", "511A0005200004"]


@pytest.fixture(scope="module")
def guides(catalog_url):
    with make_sessionmaker(catalog_url)() as session:
        place = queries.place_from_codes(session, town_code="511602108")
        return {code: queries.guide(session, queries.get_target(session, code), {}, place, public_base="https://h")
                for code in CODES}


@pytest.mark.parametrize("code", CODES)
def test_the_sms_fits_one_message_and_carries_the_link(guides, code):
    text = sms_text(guides[code], LINK)
    assert len(text) <= SMS_LIMIT, (len(text), text)
    assert text.endswith(LINK) and text.startswith("【12345】")
    if guides[code]["location"]:
        assert guides[code]["location"]["name"] in text


def test_materials_that_do_not_fit_are_counted_not_cut(guides):
    guide = guides["open-restaurant"]
    text = sms_text(guide, LINK)
    assert f"等{len(guide['materials'])}项" in text
    first = next(m["name"] for m in guide["materials"] if not m["condition"])
    assert first in text
    assert not any(m["name"] in text for m in guide["materials"] if m["condition"])


def test_a_short_list_is_given_whole(guides):
    guide = {**guides["512B0003600029"], "materials": [{"name": "身份证", "condition": None}, {"name": "户口簿", "condition": None}]}
    assert "请带身份证、户口簿；" in sms_text(guide, LINK)


def test_no_materials_points_to_the_list(guides):
    assert "材料见清单" in sms_text({**guides["511A0005200004"], "materials": []}, LINK)
