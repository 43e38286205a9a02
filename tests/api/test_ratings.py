"""Ratings (api/ratings.py, POST /api/ratings, WeChat replies through api/desk_hooks.py): stored with the
item and the place, never with an ID or phone number or the sender id."""
from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import select

from api.desk_models import Rating
from api.ratings import WECHAT_ASK_REASON, WECHAT_PROMPT, parse_rating_reply, reason_in

ID_NUMBER = "11010519491231002X"
MOBILE = "13812345678"
OPENID = "oAbCdEf1234567890"
GUIDE_REPLY = [
    {"recipient_id": "x", "text": "【社会保障卡补领】……"},
    {"recipient_id": "x", "custom": {"type": "guide", "code": "SSC", "name": "社会保障卡补领",
                                     "items": [{"code": "SSC", "name": "社会保障卡补领"}],
                                     "location": {"level": "town", "name": "龙台镇便民服务中心"}}},
]


@pytest.mark.parametrize(("text", "parsed"), [
    ("1", (True, None)), ("满意", (True, None)), ("满意！", (True, None)),
    ("2", (False, None)), ("不满意", (False, None)), ("不满意，地点不对", (False, "location")),
    ("不满意 材料不全", (False, "materials")), ("社保卡怎么补", None), ("12", None), ("满意度调查在哪", None),
])
def test_parse_rating_reply(text, parsed):
    assert parse_rating_reply(text) == parsed


@pytest.mark.parametrize(("text", "reason"), [("1", "materials"), ("3", "misunderstood"), ("地址不对", "location"),
                                              ("你没听懂", "misunderstood"), ("社保卡", None)])
def test_reason_in(text, reason):
    assert reason_in(text) == reason


def stored(client) -> list[Rating]:
    with client.app.state.resources.desk.session() as session:
        return list(session.scalars(select(Rating).order_by(Rating.id)))


def test_a_widget_rating_keeps_item_and_place_but_no_numbers_or_sender(make_client):
    client = make_client()
    sent = {"sender_id": "web-rater-1", "subject": "guide", "satisfied": False, "reason": "materials",
            "item_code": "SSC", "item_name": "社会保障卡补领", "place": "龙台镇便民服务中心",
            "question": f"我身份证{ID_NUMBER}电话{MOBILE}社保卡丢了"}
    assert client.post("/api/ratings", json=sent).status_code == 201
    [rating] = stored(client)
    assert (rating.item_code, rating.item_name, rating.place, rating.reason) == ("SSC", "社会保障卡补领", "龙台镇便民服务中心", "materials")
    row = json.dumps({c.name: str(getattr(rating, c.name)) for c in Rating.__table__.columns}, ensure_ascii=False)
    assert ID_NUMBER not in row and MOBILE not in row and "web-rater-1" not in row
    assert "[身份证号]" in rating.question and "[手机号]" in rating.question


@pytest.mark.parametrize("body", [
    {"sender_id": "web-1", "satisfied": False, "reason": "too-slow"},
    {"sender_id": "web-1", "subject": "bot", "satisfied": True},
    {"sender_id": "bad id", "satisfied": True},
    {"sender_id": "web-1"},
    {"sender_id": "web-1", "satisfied": True, "question": "字" * 501},
    {"sender_id": "web-1", "satisfied": True, "item_code": ID_NUMBER},
    {"sender_id": "web-1", "satisfied": True, "item_code": MOBILE},
    {"sender_id": "web-1", "satisfied": True, "item_code": "社保卡 补办"},
])
def test_a_bad_rating_is_422_and_stores_nothing(make_client, body):
    client = make_client()
    assert client.post("/api/ratings", json=body).status_code == 422
    assert stored(client) == []


def test_a_satisfied_rating_keeps_no_reason(make_client):
    client = make_client()
    client.post("/api/ratings", json={"sender_id": "web-1", "satisfied": True, "reason": "other", "subject": "agent"})
    assert [(r.satisfied, r.reason, r.subject) for r in stored(client)] == [(True, None, "agent")]


def wechat_turn(client, text: str):
    gateway = client.app.state.resources.gateway()
    return asyncio.run(gateway.handle_message("wx:" + OPENID, text, "wechat"))


def texts(response) -> list[str]:
    return [m.text for m in response.messages if m.text]


def test_wechat_rates_the_guide_answered_just_before(make_client, rasa_replying):
    rasa = rasa_replying(GUIDE_REPLY)
    client = make_client(rasa)
    answer = wechat_turn(client, "社保卡丢了怎么补")
    assert texts(answer)[-1] == WECHAT_PROMPT
    asked = wechat_turn(client, "不满意")
    assert texts(asked) == [WECHAT_ASK_REASON]
    thanked = wechat_turn(client, "2")
    assert "感谢" in texts(thanked)[0]
    assert rasa.messages == ["社保卡丢了怎么补"]  # the rating replies never reached the bot
    [rating] = stored(client)
    assert (rating.channel, rating.satisfied, rating.reason, rating.item_code, rating.place) == (
        "wechat", False, "location", "SSC", "龙台镇便民服务中心")
    assert OPENID not in rating.conversation

    # Not right after an answer any more: 「1」 is the bot's again.
    wechat_turn(client, "1")
    assert rasa.messages[-1] == "1"


def test_wechat_satisfied_in_one_reply(make_client, rasa_replying):
    client = make_client(rasa_replying(GUIDE_REPLY))
    wechat_turn(client, "社保卡丢了怎么补")
    assert "感谢" in texts(wechat_turn(client, "1"))[0]
    assert [(r.satisfied, r.subject) for r in stored(client)] == [(True, "guide")]
