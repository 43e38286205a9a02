"""一事一码: guide page, guide JSON and QR codes (decoded with a real decoder)."""
from __future__ import annotations

import shutil

import png
import pytest
import zxingcpp
from sqlalchemy import select

from catalog.db import make_engine, make_sessionmaker, session_scope
from catalog.models import Item

BUNDLE = "open-restaurant"
PUBLIC_BASE = "https://wyc.example.test"
LONGTAI_TOWN = "511602108"  # 龙台镇


@pytest.fixture
def client(make_client, fake_rasa):
    return make_client(rasa=fake_rasa, action_package=None)


@pytest.fixture
def town_item(client) -> Item:
    """A real item handled at town level, with its official guide link."""
    with client.app.state.resources.catalog_sessions() as session:
        return session.scalars(
            select(Item).where(Item.level == "town", Item.guide_url.is_not(None)).order_by(Item.code)
        ).first()


def decode_png(data: bytes) -> str:
    width, height, rows, _info = png.Reader(bytes=data).asDirect()
    # Grayscale 8-bit, one byte per pixel, as zxing-cpp's buffer interface expects.
    pixels = bytearray()
    planes = _info["planes"]
    scale = 255 // (2 ** _info["bitdepth"] - 1)
    for row in rows:
        pixels.extend(value * scale for value in row[::planes])
    (barcode,) = zxingcpp.read_barcodes(memoryview(bytes(pixels)).cast("B", (height, width)))
    return barcode.text


def test_bundle_page_lists_everything(client):
    response = client.get(f"/guide/{BUNDLE}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    for text in ("我要开小餐馆", "个体工商户设立登记", "小餐饮经营许可证核发", "健康证明",
                 "示例数据，以官方办事指南为准", "如委托他人办理", "广安区政务服务中心", "区政务服务中心办理",
                 "跑动次数", f"/guide/{BUNDLE}/qr.svg", 'name="viewport"'):
        assert text in page, text


def test_facts_in_the_query_tailor_the_page(client):
    generic = client.get(f"/guide/{BUNDLE}").text
    tailored = client.get(f"/guide/{BUNDLE}?delegated=no&shopfront_renovation=no").text
    assert "委托代理人证明" in generic and "委托代理人证明" not in tailored
    assert "效果图" in generic and "效果图" not in tailored
    assert f"/guide/{BUNDLE}/qr.svg?delegated=no&amp;shopfront_renovation=no" in tailored


def test_json_guide_is_the_catalog_payload(client):
    body = client.get(f"/api/guide/{BUNDLE}", params={"delegated": "yes"}).json()
    assert body["type"] == "guide" and body["code"] == BUNDLE
    assert body["bundle"]["name"] == "我要开小餐馆"
    delegated = [m for m in body["materials"] if m["name"] == "委托代理人证明"]
    assert delegated and delegated[0]["condition"] is None  # said, so listed plainly
    assert body["qr_url"] == f"{PUBLIC_BASE}/guide/{BUNDLE}/qr.svg"


def test_unknown_fact_params_are_ignored(client):
    plain = client.get(f"/api/guide/{BUNDLE}").json()
    assert client.get(f"/api/guide/{BUNDLE}", params={"nonsense": "yes", "delegated": "<b>"}).json() == plain


def test_town_picks_the_town_centre(client, town_item):
    body = client.get(f"/api/guide/{town_item.code}", params={"town": LONGTAI_TOWN}).json()
    assert body["location"]["level"] == "town"
    assert body["location"]["name"].startswith("龙台镇")
    page = client.get(f"/guide/{town_item.code}", params={"town": LONGTAI_TOWN}).text
    assert "龙台镇" in page and "乡镇（街道）便民服务中心办理" in page


def test_page_offers_a_town_picker_when_the_place_matters(client, town_item):
    page = client.get(f"/guide/{town_item.code}").text
    assert 'name="town"' in page and "选择您所在的乡镇可就近办理" in page
    assert "与您住在哪个乡镇无关" not in page  # not true for a town-level item
    assert 'name="town"' not in client.get(f"/guide/{BUNDLE}").text  # county-level: place changes nothing


def test_the_level_ladder_is_worded_as_every_channel_words_levels(client, town_item):
    from catalog.contract import LEVEL_LABELS

    page = client.get(f"/guide/{town_item.code}").text
    ladder = " → ".join(LEVEL_LABELS[level] for level in ("village", "town", "county"))
    assert f"办理层级：{ladder}，就近办理。" in page


@pytest.mark.parametrize("params", [{"town": "longtai"}, {"village": "1' OR 1=1"}])
def test_malformed_place_codes_are_422(client, params):
    response = client.get(f"/api/guide/{BUNDLE}", params=params)
    assert response.status_code == 422 and "行政区划代码" in response.json()["detail"]


@pytest.mark.parametrize("code", ["no-such-item", "%3Cscript%3Ealert(1)", "社保卡", "a" * 100])
def test_unknown_code_is_404_with_a_clear_message(client, code):
    page = client.get(f"/guide/{code}")
    assert page.status_code == 404
    assert "未找到" in page.text and "12345" in page.text
    assert "<script>alert" not in page.text
    api = client.get(f"/api/guide/{code}")
    assert api.status_code == 404 and "未找到" in api.json()["detail"]
    for suffix in ("qr.svg", "qr.png"):
        assert client.get(f"/guide/{code}/{suffix}").status_code == 404


def test_qr_png_round_trip_official_link(client, town_item):
    response = client.get(f"/guide/{town_item.code}/qr.png")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert decode_png(response.content) == town_item.guide_url


def test_qr_png_round_trip_own_page_with_tailoring(client):
    response = client.get(f"/guide/{BUNDLE}/qr.png", params={"delegated": "yes", "town": LONGTAI_TOWN})
    assert decode_png(response.content) == f"{PUBLIC_BASE}/guide/{BUNDLE}?town={LONGTAI_TOWN}&delegated=yes"


def test_qr_svg_is_an_svg_image(client):
    response = client.get(f"/guide/{BUNDLE}/qr.svg")
    assert response.status_code == 200 and response.headers["content-type"] == "image/svg+xml"
    assert response.text.lstrip().startswith("<?xml") and "<svg" in response.text


def test_every_catalog_text_is_escaped(make_client, fake_rasa, catalog_url, tmp_path):
    """Catalog data is loaded from files a county edits: it must never become markup."""
    copy = tmp_path / "catalog.db"
    shutil.copy(catalog_url.removeprefix("sqlite:///"), copy)
    engine = make_engine(f"sqlite:///{copy}")
    with session_scope(make_sessionmaker(engine)) as session:
        session.add(Item(code="evil-1", name="<script>alert(1)</script>", department="<b>部门</b>",
                         level="county", source="real", fee="<img src=x onerror=alert(2)>"))
    engine.dispose()
    client = make_client(rasa=fake_rasa, action_package=None, database_url=f"sqlite:///{copy}")
    page = client.get("/guide/evil-1").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page and "<b>部门</b>" not in page


@pytest.fixture
def village_item(client) -> Item:
    """An item the village (community) station handles."""
    with client.app.state.resources.catalog_sessions() as session:
        return session.scalars(select(Item).where(Item.level == "village").order_by(Item.code)).first()


def test_where_to_go_is_one_consistent_statement(client, village_item):
    # A town said and no village: the town centre, and the village station takes it too.
    page = client.get(f"/guide/{village_item.code}", params={"town": LONGTAI_TOWN}).text
    assert "也可办理" in page
    assert "不受理" not in page


def test_the_town_picker_asks_instead_of_defaulting(client, town_item):
    page = client.get(f"/guide/{town_item.code}").text
    picker = page[page.index('<select name="town"'):page.index("</select>")]
    assert '<option value="" selected disabled>请选择乡镇（街道）</option>' in picker
    assert picker.count(" selected") == 1


def test_the_page_prints_on_a4(client):
    css = client.get("/static/guide.css").text
    assert "size:A4" in css and "@media print" in css


def test_towns_are_public_choices_for_the_place_question(client):
    body = client.get("/api/towns").json()
    names = [town["name"] for town in body["towns"]]
    assert "龙台镇" in names and "浓洄街道" in names
    assert all(set(town) == {"code", "name"} for town in body["towns"])
