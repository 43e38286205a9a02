"""Agent console routes: search, regions, facts, the token gate and the static front-end files."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.main import create_app
from api.settings import Settings
from catalog.db import make_engine, make_sessionmaker, session_scope
from catalog.models import Bundle, BundleFact, BundleMember, Fact, FactOption, Item, ItemFact, Material
from catalog.seed import load_default_catalog

TOKEN = "agent-secret-for-tests-4f1c"
LONGTAI_TOWN = "511602108"  # 龙台镇, official statistical code
TEST_BUNDLE = "test-agent-bundle"
# DOM calls that parse a string as HTML (comments may name them; code must not call them).
HTML_SINKS = re.compile(r"\.(?:innerHTML|outerHTML)\s*\+?=|insertAdjacentHTML\s*\(|document\.write\s*\(")


@pytest.fixture(scope="module")
def catalog_url(tmp_path_factory) -> str:
    """One default catalog for the module, plus a test-only fact set to check the facts API."""
    url = f"sqlite:///{tmp_path_factory.mktemp('agents') / 'catalog.db'}"
    engine = make_engine(url)
    load_default_catalog(engine)
    with session_scope(make_sessionmaker(engine)) as session:
        _add_test_facts(session)
    engine.dispose()
    return url


def _add_test_facts(session) -> None:
    """Two items with facts and a bundle over them: the bundle must list each fact once, its own first,
    and leave out a member's fact that no material of the member depends on (test_unused)."""
    first, second = session.scalars(select(Item).order_by(Item.code).limit(2)).all()
    facts = {
        "test_own": Fact(key="test_own", kind="deciding", question="测试：门头要装修吗？"),
        "test_shared": Fact(key="test_shared", kind="detail", question="测试：本人办理还是委托？"),
        "test_second": Fact(key="test_second", kind="detail", question="测试：第二个事项的情形？"),
        "test_unused": Fact(key="test_unused", kind="detail", question="测试：不影响材料的情形？"),
    }
    for fact in facts.values():
        fact.options = [
            FactOption(position=0, value="yes", label="是", words=[], condition_text="如是"),
            FactOption(position=1, value="no", label="否", words=[], condition_text=None),
        ]
        session.add(fact)
    session.flush()
    first.fact_links.append(ItemFact(fact_key="test_shared", position=0))
    second.fact_links.append(ItemFact(fact_key="test_second", position=0))
    second.fact_links.append(ItemFact(fact_key="test_shared", position=1))
    second.fact_links.append(ItemFact(fact_key="test_unused", position=2))
    first.materials.append(Material(position=90, name="测试委托书", condition={"test_shared": "yes"}))
    second.materials.append(Material(position=90, name="测试证明", condition={"test_second": "yes", "test_shared": "no"}))
    bundle = Bundle(code=TEST_BUNDLE, name="测试一件事")
    bundle.members = [BundleMember(item_code=first.code, position=0), BundleMember(item_code=second.code, position=1)]
    bundle.fact_links = [BundleFact(fact_key="test_own", position=0)]
    session.add(bundle)


def _client(catalog_url: str, token: str | None) -> TestClient:
    settings = Settings(
        environment="test", database_url=catalog_url, agent_token=token, load_default_catalog=False
    )
    return TestClient(create_app(settings, action_package=None))


@pytest.fixture(scope="module")
def client(catalog_url):
    with _client(catalog_url, token=None) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def guarded(catalog_url):
    with _client(catalog_url, token=TOKEN) as test_client:
        yield test_client


# --- search -----------------------------------------------------------------------------------


def test_search_for_dibao_puts_the_item_first_without_scores(client):
    response = client.get("/api/items", params={"q": "低保"})
    assert response.status_code == 200
    body = response.json()
    results = body["results"]
    assert 1 <= len(results) <= 10
    assert results[0]["name"] == "最低生活保障"
    assert all(set(r) == {"code", "name", "kind"} for r in results)
    assert {r["kind"] for r in results} <= {"item", "bundle"}
    assert body["listed"] is True and body["hint"] is None


def test_search_for_a_need_off_the_list_gives_the_12345_route(client):
    body = client.get("/api/items", params={"q": "邻居装修太吵了"}).json()
    assert body["listed"] is False
    assert "12345" in body["hint"] and "工单" in body["hint"]


def test_search_limit_is_respected(client):
    results = client.get("/api/items", params={"q": "证", "limit": 3}).json()["results"]
    assert len(results) == 3


@pytest.mark.parametrize(
    "params",
    [{}, {"q": ""}, {"q": "   "}, {"q": "证" * 101}, {"q": "低保", "limit": 0}, {"q": "低保", "limit": 21},
     {"q": "低保", "limit": "many"}],
)
def test_search_rejects_bad_parameters(client, params):
    assert client.get("/api/items", params=params).status_code == 422


# --- regions ----------------------------------------------------------------------------------


def test_regions_without_parent_lists_the_towns(client):
    regions = client.get("/api/regions").json()["regions"]
    assert len(regions) == 25
    assert {r["level"] for r in regions} == {"town"}
    assert {"code": LONGTAI_TOWN, "name": "龙台镇", "level": "town"} in regions


def test_regions_of_a_town_lists_its_villages(client):
    body = client.get("/api/regions", params={"parent": LONGTAI_TOWN}).json()
    assert body["parent"] == LONGTAI_TOWN
    villages = body["regions"]
    assert villages, "龙台镇 has villages in the statistical codes"
    assert all(r["level"] == "village" and r["code"].startswith(LONGTAI_TOWN) for r in villages)
    assert [r["code"] for r in villages] == sorted(r["code"] for r in villages)


def test_regions_unknown_parent_is_404_and_malformed_parent_is_422(client):
    assert client.get("/api/regions", params={"parent": "511602999"}).status_code == 404
    assert client.get("/api/regions", params={"parent": "龙台镇"}).status_code == 422
    assert client.get("/api/regions", params={"parent": "1' OR 1=1"}).status_code == 422


# --- facts ------------------------------------------------------------------------------------


def test_item_facts_are_listed_with_options(client, catalog_url):
    engine = make_engine(catalog_url)
    with make_sessionmaker(engine)() as session:
        item_code = session.scalars(select(ItemFact.item_code).where(ItemFact.fact_key == "test_second")).one()
    engine.dispose()
    body = client.get(f"/api/items/{item_code}/facts").json()
    assert body["kind"] == "item"
    assert [f["key"] for f in body["facts"] if f["key"].startswith("test_")] == ["test_second", "test_shared", "test_unused"]
    second = next(f for f in body["facts"] if f["key"] == "test_second")
    assert second["options"][0] == {"value": "yes", "label": "是", "condition_text": "如是"}


def test_bundle_facts_put_its_own_first_and_list_shared_facts_once(client):
    body = client.get(f"/api/items/{TEST_BUNDLE}/facts").json()
    assert body["kind"] == "bundle"
    assert [f["key"] for f in body["facts"]] == ["test_own", "test_shared", "test_second"]
    assert body["facts"][0]["kind"] == "deciding"


def test_facts_of_unknown_or_malformed_code(client):
    assert client.get("/api/items/no-such-item/facts").status_code == 404
    assert client.get("/api/items/bad*code/facts").status_code == 422


# --- the token gate ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/items?q=低保", "/api/regions", f"/api/items/{TEST_BUNDLE}/facts"])
def test_agent_apis_require_the_token_when_set(guarded, path):
    missing = guarded.get(path)
    assert missing.status_code == 401
    assert "X-Agent-Token" in missing.json()["detail"]
    assert guarded.get(path, headers={"X-Agent-Token": "wrong"}).status_code == 401
    assert guarded.get(path, headers={"X-Agent-Token": TOKEN}).status_code == 200


def test_agent_api_token_is_not_accepted_in_the_query_string(guarded):
    # Query strings end up in access logs; only the page accepts ?token=.
    assert guarded.get("/api/regions", params={"token": TOKEN}).status_code == 401


def test_agent_page_requires_the_token_by_header_or_query(guarded):
    assert guarded.get("/agent").status_code == 401
    assert "X-Agent-Token" in guarded.get("/agent").text
    assert guarded.get("/agent", params={"token": "wrong"}).status_code == 401
    page = guarded.get("/agent", params={"token": TOKEN})
    assert page.status_code == 200 and "坐席助手" in page.text
    assert guarded.get("/agent", headers={"X-Agent-Token": TOKEN}).status_code == 200


def test_without_a_configured_token_the_console_is_open(client):
    assert client.get("/agent").status_code == 200
    assert client.get("/api/regions").status_code == 200


# --- front-end files ---------------------------------------------------------------------------


def test_demo_page_embeds_the_widget_script(client):
    page = client.get("/")
    assert page.status_code == 200
    assert '<script src="/static/widget.js"' in page.text


def test_demo_page_is_branded_for_the_default_region(client):
    page = client.get("/").text
    assert "<title>广安区 12345 政务服务便民热线" in page and "广安区政务服务便民热线" in page
    assert "所在乡镇（街道）" in page, "its village- and town-level items need the citizen's town"
    assert "我要开小餐馆" in page and "材料为示例数据" in page
    assert '<script src="/static/widget.js" defer>' in page, "广安区 keeps the widget's own examples"


@pytest.fixture(scope="module")
def fangchenggang_url(tmp_path_factory) -> str:
    from tests.catalogs import region_catalog_url

    return region_catalog_url(tmp_path_factory.mktemp("fcg"), "450600")


def test_demo_page_is_branded_for_the_region_the_service_runs(make_client, fake_rasa, fangchenggang_url):
    client = make_client(rasa=fake_rasa, action_package=None, database_url=fangchenggang_url, region="450600")
    page = client.get("/").text
    assert "<title>防城港市 12345 政务服务便民热线" in page and "防城港市政务服务便民热线" in page
    assert "广安" not in page and "我要开小餐馆" not in page
    assert "所在乡镇（街道）" not in page, "every item of the region is city level: the town is never asked"
    assert "住房公积金" in page and "广西政务服务网公开数据" in page and "示例数据" not in page
    # The widget greets with the region's examples and does not ask for the town.
    assert '<script src="/static/widget.js" data-examples="生育津贴怎么领|' in page and 'data-place="false"' in page


def test_a_region_without_page_words_still_gets_its_name(make_client, fake_rasa, catalog_url):
    from api.routes.agents import demo_site

    client = make_client(rasa=fake_rasa, action_package=None)
    with client.app.state.resources.catalog_sessions() as session:
        site = demo_site(session, "511602001")  # 浓洄街道: a region code with no page words of its own
        assert site["region"] == "浓洄街道" and site["tiles"] == () and site["data_note"] == "以官方办事指南为准"
        assert site["widget"] == []
        # A code the catalog does not hold: the page names the catalog's own top region, never the code.
        assert demo_site(session, "450600") == demo_site(session, "511602")
        assert demo_site(session, "511602")["region"] == "广安区"


@pytest.mark.parametrize("name", ["widget.js", "agent.js", "agent.css", "demo.css"])
def test_static_files_are_served(client, name):
    response = client.get(f"/static/{name}")
    assert response.status_code == 200
    assert response.content == (Path(__file__).resolve().parents[2] / "api" / "static" / name).read_bytes()


def test_static_files_do_not_escape_their_folder(client):
    assert client.get("/static/../routes/agents.py").status_code == 404
    assert client.get("/static/%2e%2e/routes/agents.py").status_code == 404


def test_front_end_never_puts_text_in_the_page_with_inner_html():
    # Server text (item names, addresses, notes) must go through textContent: a policy check
    # over our own scripts, since any innerHTML use would be an XSS route for catalog data.
    static = Path(__file__).resolve().parents[2] / "api" / "static"
    for script in static.glob("*.js"):
        source = script.read_text(encoding="utf-8")
        assert not HTML_SINKS.search(source), f"{script.name}: {HTML_SINKS.search(source).group(0)}"


# --- a live call: the caller's words, the SMS ---------------------------------------------------------


def test_the_callers_words_are_understood_like_the_chat(client):
    body = client.post("/api/agent/understand", json={"text": "我在龙台镇，社保卡丢了，我自己去办"}).json()
    assert body["decision"] == "answer"
    assert body["target"]["name"] == "社会保障卡补领、换领、换发"
    assert body["town"]["code"] == LONGTAI_TOWN and body["town"]["name"] == "龙台镇"
    assert body["facts"].get("delegated") == "no"
    assert body["listed"] is True
    assert body["candidates"][0]["code"] == body["target"]["code"]


def test_vague_words_give_candidates_not_an_answer(client):
    body = client.post("/api/agent/understand", json={"text": "营业执照的事"}).json()
    assert body["target"] is None
    names = [c["name"] for c in body["candidates"]]
    assert "个体工商户设立登记" in names


def test_words_off_the_list_give_the_12345_route(client):
    body = client.post("/api/agent/understand", json={"text": "邻居装修太吵了"}).json()
    assert body["target"] is None and body["listed"] is False and "工单" in body["hint"]


@pytest.mark.parametrize("text", ["", "证" * 501])
def test_understand_rejects_empty_or_long_words(client, text):
    assert client.post("/api/agent/understand", json={"text": text}).status_code == 422


def test_share_gives_a_short_link_and_an_sms_of_one_message(client):
    body = client.post("/api/agent/share", json={"code": "512B0003600029", "town": LONGTAI_TOWN,
                                                 "facts": {"delegated": "no"}}).json()
    assert re.fullmatch(r".+/guide/t/[A-Za-z0-9_-]{12}", body["share_url"])
    assert body["qr_url"] == body["share_url"] + "/qr.svg"
    assert len(body["sms"]) <= 140 and body["sms"].endswith(body["share_url"])
    page = client.get(urlsplit(body["share_url"]).path).text
    assert "最低生活保障申请书" in page and "龙台镇" in page
    assert "代理人身份证" not in page  # the caller goes in person: the delegation materials are out


@pytest.mark.parametrize("body", [{"code": "no-such-item"}, {"code": "bad*code"}, {"code": "512B0003600029", "town": "x"},
                                  {"code": "512B0003600029", "facts": {"delegated": "<b>"}}])
def test_share_rejects_bad_input(client, body):
    assert client.post("/api/agent/share", json=body).status_code in (404, 422)


@pytest.mark.parametrize("path", ["/api/agent/understand", "/api/agent/share"])
def test_live_call_apis_require_the_token_when_set(guarded, path):
    assert guarded.post(path, json={"text": "低保", "code": "512B0003600029"}).status_code == 401


def test_share_without_its_table_is_a_clear_503(tmp_path):
    """A catalog database not migrated to head (no shared_answers): the console is told, no 500."""
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    load_default_catalog(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE shared_answers"))
    engine.dispose()
    with _client(url, token=None) as old:
        response = old.post("/api/agent/share", json={"code": "512B0003600029"})
    assert response.status_code == 503 and "短链接暂不可用" in response.json()["detail"]
