"""A tailored answer as a link of its own (api/shares.py, /guide/t/<id> in api/routes/guides.py)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from catalog import queries
from catalog.db import make_sessionmaker, session_scope
from catalog.shares import save_answer, utc_now

PUBLIC_BASE = "https://wyc.example.test"
BUNDLE = "open-restaurant"
LONGTAI_TOWN = "511602108"  # 龙台镇
SHARE_URL = re.compile(re.escape(PUBLIC_BASE) + r"/guide/t/([A-Za-z0-9_-]{12})$")


def guide_payload(catalog_url: str, code: str, facts: dict, town: str | None) -> dict:
    with make_sessionmaker(catalog_url)() as session:
        target = queries.get_target(session, code)
        place = queries.place_from_codes(session, town_code=town)
        return queries.guide(session, target, facts, place, public_base=PUBLIC_BASE)


@pytest.fixture
def tailored(catalog_url) -> dict:
    """我要开小餐馆 for a citizen of 龙台镇 who goes in person and will not renovate the shopfront."""
    return guide_payload(catalog_url, BUNDLE, {"delegated": "no", "shopfront_renovation": "no"}, LONGTAI_TOWN)


def chat_guide(make_client, rasa_replying, payload: dict):
    rasa = rasa_replying([{"recipient_id": "web-1", "text": "一次性告知"}, {"recipient_id": "web-1", "custom": payload}])
    client = make_client(rasa=rasa, action_package=None)
    body = client.post("/api/chat", json={"sender_id": "web-1", "message": "我在龙台镇，自己去办，开小饭馆要啥"}).json()
    (message,) = body["messages"]
    return client, message["custom"]


def test_each_guide_gets_its_own_link_and_qr(make_client, rasa_replying, tailored):
    _client, custom = chat_guide(make_client, rasa_replying, tailored)
    match = SHARE_URL.match(custom["share_url"])
    assert match, custom["share_url"]
    assert custom["qr_url"] == custom["share_url"] + "/qr.svg"
    assert custom["guide_url"] == tailored["guide_url"]  # the item's own guide stays linked


def test_the_link_shows_exactly_the_list_given(make_client, rasa_replying, tailored, catalog_url):
    client, custom = chat_guide(make_client, rasa_replying, tailored)
    page = client.get(custom["share_url"].removeprefix(PUBLIC_BASE))
    assert page.status_code == 200
    text = page.text
    for material in tailored["materials"]:
        assert material["name"] in text
    # What the citizen said dropped these; the item's general page still lists them with a condition.
    general = guide_payload(catalog_url, BUNDLE, {}, None)
    dropped = {m["name"] for m in general["materials"]} - {m["name"] for m in tailored["materials"]}
    assert dropped
    for name in dropped:
        assert name not in text
    assert tailored["location"]["name"] in text and "龙台镇" in text
    assert "这是您在对话中得到的清单" in text and 'name="town"' not in text
    assert f"/guide/t/{SHARE_URL.match(custom['share_url']).group(1)}/qr.svg" in text


def test_a_real_item_links_its_official_guide_inside(make_client, rasa_replying, catalog_url):
    payload = guide_payload(catalog_url, "512B0070200006", {}, LONGTAI_TOWN)  # 社会保障卡补领（real item）
    client, custom = chat_guide(make_client, rasa_replying, payload)
    text = client.get(custom["share_url"].removeprefix(PUBLIC_BASE)).text
    assert payload["guide_url"] and payload["guide_url"].replace("&", "&amp;") in text


def test_the_qr_decodes_to_the_link(make_client, rasa_replying, tailored):
    from tests.api.test_guides import decode_png

    client, custom = chat_guide(make_client, rasa_replying, tailored)
    path = custom["share_url"].removeprefix(PUBLIC_BASE)
    png = client.get(path + "/qr.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert decode_png(png.content) == custom["share_url"]
    assert client.get(path + "/qr.svg").headers["content-type"].startswith("image/svg+xml")


def test_nothing_personal_is_stored(make_client, rasa_replying, tailored, catalog_url):
    client, custom = chat_guide(make_client, rasa_replying, tailored)
    share_id = SHARE_URL.match(custom["share_url"]).group(1)
    from catalog.models import SharedAnswer

    client.app.state.resources.shares.flush()  # the writer thread stores it after the reply
    with make_sessionmaker(catalog_url)() as session:
        stored = str(session.get(SharedAnswer, share_id).payload)
    for personal in ("web-1", "自己去办", "开小饭馆要啥"):
        assert personal not in stored


@pytest.mark.parametrize("path", ["/guide/t/AAAAAAAAAAAA", "/guide/t/bad%20id", "/guide/t/" + "x" * 40,
                                  "/guide/t/AAAAAAAAAAAA/qr.png", "/guide/t/AAAAAAAAAAAA/qr.svg"])
def test_unknown_ids_are_a_clear_404(make_client, fake_rasa, path):
    client = make_client(rasa=fake_rasa, action_package=None)
    response = client.get(path)
    assert response.status_code == 404
    assert "链接无效或已过期" in response.text


def test_an_expired_link_is_a_404(make_client, fake_rasa, tailored, catalog_url):
    client = make_client(rasa=fake_rasa, action_package=None, share_retention_days=7)
    with session_scope(make_sessionmaker(catalog_url)) as session:
        share_id = save_answer(session, tailored, retention_days=7, now=utc_now() - timedelta(days=8)).id
    response = client.get(f"/guide/t/{share_id}")
    assert response.status_code == 404 and "保存 7 天" in response.text


def test_replies_without_a_guide_get_no_link(make_client, rasa_replying):
    rasa = rasa_replying([{"recipient_id": "web-1", "text": "您好"}])
    client = make_client(rasa=rasa, action_package=None)
    (message,) = client.post("/api/chat", json={"sender_id": "web-1", "message": "你好"}).json()["messages"]
    assert message.get("custom") is None


def test_the_reply_does_not_wait_for_the_write_and_the_page_waits_for_it(make_client, rasa_replying, tailored,
                                                                         monkeypatch):
    # The writer is held back: the reply still carries its link, and the page asked for it at once
    # waits for the writer rather than saying the link is unknown.
    import threading

    from api import shares as shares_module

    gate = threading.Event()
    store = shares_module.store_answers

    def held_store(*args, **kwargs):
        gate.wait(timeout=10)
        return store(*args, **kwargs)

    monkeypatch.setattr(shares_module, "store_answers", held_store)
    client, custom = chat_guide(make_client, rasa_replying, tailored)
    assert SHARE_URL.match(custom["share_url"])
    threading.Timer(0.2, gate.set).start()
    page = client.get("/guide/t/" + SHARE_URL.match(custom["share_url"]).group(1))
    assert page.status_code == 200
