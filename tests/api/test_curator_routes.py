"""The curators' report (api/routes/curator.py, api/curator_report.py): handoffs and dissatisfied
ratings grouped by what was asked, figures per day, CSV, no ID or phone numbers in clear text; and
attaching a phrasing, which the resolver reads at once, in this worker and in another."""
from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from api import curation_watch, curator_report
from api.resources import AppResources
from catalog import queries, ranking

HANDOFF = [{"recipient_id": "x", "text": "抱歉，请拨打12345。"},
           {"recipient_id": "x", "custom": {"type": "handoff", "reason": "not_found", "phone": "12345"}}]
CLARIFY = [{"recipient_id": "x", "text": "请问办哪一项？",
            "custom": {"type": "clarify", "questions": [{"slot": "target_code", "text": "哪一项？", "options": []}]}}]
ALWAYS_OPEN = {"takeover_hours": "00:00-24:00", "takeover_days": "1-7"}
ID_NUMBER = "11010519491231002X"
MOBILE = "13812345678"
ITEM_NAME = "教师资格认定"
PHRASE = "想当老师要的那个本本咋个整"


class ScriptedRasa:
    def __init__(self) -> None:
        self.replies: list[dict[str, Any]] = HANDOFF
        self.intent = "ask_item"  # what /model/parse reads (``None``: the NLU answers HTTP 500)
        self.parsed: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/webhooks/rest/webhook":
            return httpx.Response(200, json=self.replies)
        if request.url.path == "/model/parse":
            text = json.loads(request.content)["text"]
            self.parsed.append(text)
            if self.intent is None:
                return httpx.Response(500)
            return httpx.Response(200, json={"text": text, "intent": {"name": self.intent, "confidence": 0.97},
                                             "entities": []})
        return httpx.Response(404)


@pytest.fixture
def rasa() -> ScriptedRasa:
    return ScriptedRasa()


@pytest.fixture
def own_catalog(catalog_url, tmp_path) -> str:
    """A copy of the session's catalog: attaching writes to it."""
    source = Path(catalog_url.removeprefix("sqlite:///"))
    target = tmp_path / "catalog.db"
    shutil.copy(source, target)
    return f"sqlite:///{target}"


def today() -> str:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()


def test_the_report_groups_near_duplicates_and_keeps_no_numbers(make_client, rasa):
    client = make_client(rasa, **ALWAYS_OPEN)
    for sender, text in [("web-1", "想当老师要的那个本本咋个整"), ("web-2", "想当老师要的那个本本咋个整嘛"),
                         ("web-3", f"我身份证{ID_NUMBER}丢了电话{MOBILE}")]:
        assert client.post("/api/chat", json={"sender_id": sender, "message": text}).status_code == 200
    rated = client.post("/api/ratings", json={
        "sender_id": "web-4", "subject": "guide", "satisfied": False, "reason": "location",
        "item_code": "X1", "item_name": "社会保障卡补领", "place": "龙台镇便民服务中心",
        "question": f"社保卡补办 我的电话{MOBILE}"})
    assert rated.status_code == 201
    assert client.post("/api/ratings", json={"sender_id": "web-5", "satisfied": True}).status_code == 201

    report = client.get("/api/curator/report").json()
    groups = {group["phrase"]: group for group in report["groups"]}
    teacher = groups["想当老师要的那个本本咋个整"]
    assert (teacher["count"], teacher["handoffs"], teacher["phrasings"]) == (2, 2, ["想当老师要的那个本本咋个整", "想当老师要的那个本本咋个整嘛"])
    assert teacher["per_day"] == [0] * 6 + [2]  # the last 7 days, today last
    assert teacher["handoff_reasons"] == {"没找到事项": 2}
    unhappy = next(g for g in report["groups"] if g["dissatisfied"])
    assert unhappy["reasons"] == {"地点不对": 1} and unhappy["items_offered"][0]["name"] == "社会保障卡补领"
    assert len(report["groups"]) == 3

    body = json.dumps(report, ensure_ascii=False) + client.get("/api/curator/report.csv").text
    body += client.get("/curator").text
    assert ID_NUMBER not in body and MOBILE not in body
    assert "[身份证号]" in body and "[手机号]" in body

    figures = {row["day"]: row for row in report["figures"]}[today()]
    assert figures["conversations"] == 3 and figures["handoff_rate"] == 1.0
    assert figures["satisfaction"] == 0.5 and figures["ratings"] == 2


def test_figures_per_day_count_conversations_not_turns(make_client, rasa):
    client = make_client(rasa, **ALWAYS_OPEN)
    rasa.replies = CLARIFY
    client.post("/api/chat", json={"sender_id": "web-a", "message": "户口的事"})
    client.post("/api/chat", json={"sender_id": "web-a", "message": "迁户口"})
    rasa.replies = [{"recipient_id": "x", "custom": {"type": "guide", "items": [{"code": "X1", "name": "户口迁移"}]}}]
    client.post("/api/chat", json={"sender_id": "web-a", "message": "迁入"})
    client.post("/api/chat", json={"sender_id": "web-b", "message": "户口迁移"})
    figures = {row["day"]: row for row in client.get("/api/curator/report").json()["figures"]}[today()]
    assert figures["conversations"] == 2
    assert figures["question_rate"] == 0.5 and figures["answered_without_person"] == 1.0
    assert figures["handoff_rate"] == 0.0 and figures["median_first_reply_seconds"] is None


def test_median_time_to_first_human_reply(make_client, rasa):
    client = make_client(rasa, **ALWAYS_OPEN)
    agent = {"agent_id": "agent-a", "name": "小李"}
    client.post("/api/desk/heartbeat", json=agent)
    client.post("/api/chat", json={"sender_id": "web-h", "message": "我要转人工"})
    client.post("/api/desk/conversations/web-h/claim", json=agent)
    client.post("/api/desk/conversations/web-h/messages", json={**agent, "text": "您好"})
    figures = {row["day"]: row for row in client.get("/api/curator/report").json()["figures"]}[today()]
    assert figures["median_first_reply_seconds"] is not None and figures["median_first_reply_seconds"] >= 0


def test_the_page_draws_the_figures_as_svg_and_needs_the_token(make_client, rasa):
    client = make_client(rasa, agent_token="curator-test-token-1", **ALWAYS_OPEN)
    assert client.get("/curator").status_code == 401
    assert client.get("/api/curator/report").status_code == 401
    assert client.post("/api/curator/phrasings", json={"phrase": "x", "item_code": "X1", "curator": "王"}).status_code == 401
    assert client.post("/api/curator/explain", json={"text": "失业金咋个领"}).status_code == 401
    page = client.get("/curator", headers={"X-Agent-Token": "curator-test-token-1"})
    assert page.status_code == 200
    assert page.text.count('class="chart"') == len(curator_report.CHARTS)
    assert "无需人工解决率" in page.text and "首次人工回复中位时长" in page.text


@pytest.mark.parametrize("query", ["start=2026-12-10&end=2026-12-01", "start=2025-01-01&end=2026-01-01", "start=yesterday",
                                   "end=0001-01-01", "start=9999-12-31", "start=1999-12-31&end=2000-01-02"])
def test_a_bad_period_is_422(make_client, rasa, query):
    client = make_client(rasa)
    response = client.get(f"/api/curator/report?{query}")
    assert response.status_code == 422 and response.json()["detail"]


def test_the_csv_has_one_row_per_group(make_client, rasa):
    client = make_client(rasa, **ALWAYS_OPEN)
    for sender in ("web-1", "web-2"):
        client.post("/api/chat", json={"sender_id": sender, "message": "想当老师要的那个本本咋个整"})
    response = client.get("/api/curator/report.csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert rows[0][0] == "代表说法" and [row[:3] for row in rows[1:]] == [["想当老师要的那个本本咋个整", "想当老师要的那个本本咋个整", "2"]]
    assert rows[1][-1] == "0/0/0/0/0/0/2"
    days = list(csv.reader(io.StringIO(client.get("/api/curator/figures.csv").text.lstrip("\ufeff"))))
    assert days[0][0] == "日期" and len(days) == 1 + 7


def item_code(client) -> str:
    from sqlalchemy import select

    from catalog.models import Item

    with client.app.state.resources.catalog_sessions() as session:
        return session.scalar(select(Item.code).where(Item.name == ITEM_NAME))


def answered_with(resources: AppResources, text: str):
    with resources.catalog_sessions() as session:
        resolution = queries.resolve(session, text)
        return resolution.ranked[0].code if resolution.decision == "answer" else None


def test_an_attached_phrasing_is_read_at_once_and_undone(make_client, rasa, own_catalog):
    client = make_client(rasa, database_url=own_catalog)
    resources = client.app.state.resources
    code = item_code(client)
    assert answered_with(resources, PHRASE) != code
    attached = client.post("/api/curator/phrasings", json={"phrase": PHRASE, "item_code": code, "curator": "王主任"})
    assert attached.status_code == 201 and attached.json()["item_name"] == ITEM_NAME
    assert answered_with(resources, PHRASE) == code
    listed = client.get("/api/curator/phrasings").json()["phrasings"]
    assert [(p["phrase"], p["created_by"], p["removed_at"]) for p in listed] == [(PHRASE, "王主任", None)]

    again = client.post("/api/curator/phrasings", json={"phrase": PHRASE, "item_code": code, "curator": "李"})
    assert again.status_code == 409
    unknown = client.post("/api/curator/phrasings", json={"phrase": PHRASE, "item_code": "no-such", "curator": "李"})
    assert unknown.status_code == 404
    number = attached.json()["id"]
    assert client.post(f"/api/curator/phrasings/{number}/undo", json={"curator": "李科长"}).status_code == 200
    assert answered_with(resources, PHRASE) != code
    assert client.post(f"/api/curator/phrasings/{number}/undo", json={"curator": "李科长"}).status_code == 409
    assert client.post("/api/curator/phrasings/99999/undo", json={"curator": "李科长"}).status_code == 404
    assert client.get("/api/curator/phrasings").json()["phrasings"][0]["removed_by"] == "李科长"


def test_a_phrasing_with_a_phone_number_is_stored_redacted(make_client, rasa, own_catalog):
    client = make_client(rasa, database_url=own_catalog)
    code = item_code(client)
    client.post("/api/curator/phrasings", json={"phrase": f"老师证 {MOBILE}", "item_code": code, "curator": "王"})
    phrases = [p["phrase"] for p in client.get("/api/curator/phrasings").json()["phrasings"]]
    assert phrases and all(MOBILE not in p for p in phrases)


def test_another_worker_follows_the_attached_phrasing(make_client, make_settings, rasa, own_catalog):
    client = make_client(rasa, database_url=own_catalog)
    other = AppResources(make_settings(database_url=own_catalog))  # a second worker on the same database
    try:
        code = item_code(client)
        assert curation_watch.check_once(other) == (None, False)  # no index built yet: nothing to build
        assert answered_with(other, PHRASE) != code  # its resolver index is built and cached
        assert curation_watch.check_once(other)[1] is False  # built from the current phrasings
        client.post("/api/curator/phrasings", json={"phrase": PHRASE, "item_code": code, "curator": "王主任"})
        version, built = curation_watch.check_once(other)
        assert version is not None and built
        assert answered_with(other, PHRASE) == code
        assert curation_watch.check_once(other) == (version, False)
    finally:
        other.catalog_engine.dispose()


def test_the_attaching_worker_does_not_build_its_index_twice(make_client, rasa, own_catalog):
    client = make_client(rasa, database_url=own_catalog)
    resources = client.app.state.resources
    code = item_code(client)
    answered_with(resources, PHRASE)
    client.post("/api/curator/phrasings", json={"phrase": PHRASE, "item_code": code, "curator": "王主任"})
    with resources.catalog_sessions() as session:
        index = ranking.resolver_index(session)
    assert curation_watch.check_once(resources)[1] is False  # the request built it from this version
    with resources.catalog_sessions() as session:
        assert ranking.resolver_index(session) is index


def test_explain_says_which_rule_read_a_message_and_how_the_list_ranks_it(make_client, rasa):
    client = make_client(rasa)
    found = client.post("/api/curator/explain", json={"text": "  厂里裁员了，失业金咋个领 "}).json()
    assert rasa.parsed == ["厂里裁员了，失业金咋个领"]
    assert (found["nlu"]["intent"], found["rule"]["name"], found["outcome"]) == ("ask_item", "resolved_over_the_list", "answer")
    assert [t["name"] for t in found["targets"]] == ["失业保险金申领"]
    assert found["resolver"]["ranked"][0]["name"] == "失业保险金申领" and found["rule"]["doc"]
    # a complaint the NLU reads as one, saying so, gets the intent's own reply
    rasa.intent = "complaint"
    complaint = client.post("/api/curator/explain", json={"text": "楼下工地半夜施工吵死了，我要投诉"}).json()
    assert (complaint["outcome"], complaint["intent_reply"], complaint["targets"]) == ("intent", "complaint", [])


@pytest.mark.parametrize("body", [{"text": ""}, {"text": "   "}, {"text": "字" * 501}, {}])
def test_explain_refuses_an_empty_or_huge_text(make_client, rasa, body):
    response = make_client(rasa).post("/api/curator/explain", json=body)
    assert response.status_code == 422 and response.json()["detail"]
    assert rasa.parsed == []


def test_explain_without_the_nlu_is_503(make_client, rasa):
    rasa.intent = None
    response = make_client(rasa).post("/api/curator/explain", json={"text": "失业金咋个领"})
    assert response.status_code == 503 and "暂不可用" in response.json()["detail"]
