"""missing_facts, tailor, nearest_service_point and guide: the one-time notice itself."""
import json

import pytest
import yaml
from sqlalchemy import select

from catalog.models import Item, ServicePoint
from catalog.queries import (
    get_target,
    guide,
    missing_facts,
    nearest_service_point,
    place_from_codes,
    resolve_place,
    search,
)
from catalog.seed import DEFAULT_GUIDES
from catalog.tailoring import tailor
from catalog.types import Place

LONGTAI, CHETANG = "511602108", "511602108201"
RESTAURANT = "open-restaurant"
RENOVATION_ONLY = ["现状图（实景照片）", "效果图"]


def _code(session, name):
    return session.scalar(select(Item.code).where(Item.name == name))


def _target(session, name):
    return get_target(session, _code(session, name))


def _by_name(materials):
    return {m.name: m.condition for m in materials}


# ---------------------------------------------------------------- tailor: one item, a detail fact


@pytest.mark.parametrize(
    "facts, expected_condition",
    [
        ({}, "如委托他人办理"),  # unknown: listed with its condition, never asked
        ({"delegated": "yes"}, None),  # said so: listed plainly
        ({"delegated": "no"}, "dropped"),  # goes in person: not listed at all
    ],
)
def test_delegation_material_follows_what_the_citizen_said(small, facts, expected_condition):
    materials = _by_name(tailor(small, _target(small, "居民身份证办理（包括临时）"), facts))
    assert materials["居民户口簿"] is None
    if expected_condition == "dropped":
        assert "委托书" not in materials
    else:
        assert materials["委托书"] == expected_condition


def test_materials_keep_copies_and_form(small):
    first = tailor(small, _target(small, "居民身份证办理（包括临时）"), {})[0]
    assert (first.name, first.copies, first.form) == ("居民户口簿", 1, "原件")


# ---------------------------------------------------------------- tailor: bundles


def test_bundle_with_nothing_known_keeps_every_member_with_conditions(small):
    materials = tailor(small, get_target(small, RESTAURANT), {})
    names = [m.name for m in materials]
    assert names[0] == "「我要开小餐馆」一次申请表单"  # bundle materials first
    assert "个体工商户登记（备案）申请书" not in names  # omitted: the bundle form replaces it
    assert names.count("经营者身份证复印件") == 1  # shared by two members, listed once
    conditions = _by_name(materials)
    assert conditions["现状图（实景照片）"] == "如门头装修"
    # member condition ∪ material condition, unknown parts joined with '；'
    assert conditions["财务会计核算软件、使用说明书"] == "如同时办理涉税事项；如使用计算机记账"


@pytest.mark.parametrize(
    "facts, renovation_listed",
    [({"shopfront_renovation": "yes"}, True), ({"shopfront_renovation": "no"}, False)],
)
def test_renovation_decides_the_street_use_member(small, facts, renovation_listed):
    materials = _by_name(tailor(small, get_target(small, RESTAURANT), facts))
    for name in RENOVATION_ONLY:
        assert (name in materials) == renovation_listed
        if renovation_listed:
            assert materials[name] is None


def test_unconditional_copy_of_a_shared_material_wins(small):
    """委托代理人证明 is a conditional bundle material and a conditional member material:
    once delegated=yes it is plain and still listed once."""
    materials = tailor(small, get_target(small, RESTAURANT), {"delegated": "yes"})
    assert [m.name for m in materials].count("委托代理人证明") == 1
    assert _by_name(materials)["委托代理人证明"] is None


def test_default_restaurant_bundle_matches_the_seed_practice(session):
    """CATALOG.md: shared materials once; 现状图 only with renovation; tax papers only when handling tax."""
    target = get_target(session, RESTAURANT)
    everything = tailor(session, target, {"shopfront_renovation": "yes", "handle_tax": "yes", "delegated": "yes"})
    names = [m.name for m in everything]
    assert len(names) == len(set(names))
    for name in ["「我要开小餐馆」一次申请表单", "经营者身份证复印件", "健康证明", "委托代理人证明", "代理人身份证",
                 "现状图（实景照片）", "效果图", "账户、账号开立证明"]:
        assert name in names, name
    plain = tailor(session, target, {"shopfront_renovation": "no", "handle_tax": "no", "delegated": "no"})
    plain_names = {m.name for m in plain}
    assert "现状图（实景照片）" not in plain_names and "账户、账号开立证明" not in plain_names
    assert "委托代理人证明" not in plain_names
    assert all(m.condition is None for m in plain if m.name in ("经营者身份证复印件", "健康证明"))


# ---------------------------------------------------------------- missing_facts


def test_bundle_asks_deciding_facts_then_place_never_detail_facts(small):
    target = get_target(small, RESTAURANT)
    slots = [q.slot for q in missing_facts(small, target, {}, Place())]
    assert slots == ["shopfront_renovation", "handle_tax"]  # county-level bundle: no place question
    question = missing_facts(small, target, {}, None)[0]
    assert [o.value for o in question.options] == ["yes", "no"] and question.text


def test_known_facts_are_not_asked_again(small):
    target = get_target(small, RESTAURANT)
    assert missing_facts(small, target, {"shopfront_renovation": "no", "handle_tax": "yes"}, None) == []


@pytest.mark.parametrize(
    "name, place_text, expected",
    [
        ("最低生活保障", "", ["place"]),  # village-level: where the citizen lives decides the window
        ("最低生活保障", "我在龙台镇", []),  # a town is enough
        ("居民身份证办理（包括临时）", "", ["place"]),  # delegated is a detail fact: never asked
        ("普通护照签发", "", []),  # county-level: place changes nothing
    ],
)
def test_place_is_asked_only_when_it_changes_the_answer(session, name, place_text, expected):
    target = _target(session, name)
    assert [q.slot for q in missing_facts(session, target, {}, resolve_place(session, place_text))] == expected


def test_default_catalog_zero_questions_when_everything_is_said(session):
    target = get_target(session, search(session, "我想开个小饭馆")[0].code)
    facts = {"shopfront_renovation": "yes", "handle_tax": "no"}
    assert missing_facts(session, target, facts, resolve_place(session, "龙台镇")) == []


def test_retirement_bundle_does_not_ask_the_withdrawal_reason(session):
    """The bundle omits every per-reason 公积金 proof, so the reason decides nothing there."""
    target = get_target(session, search(session, "退休一件事")[0].code)
    assert target.kind == "bundle"
    assert "withdrawal_reason" not in [q.slot for q in missing_facts(session, target, {}, None)]
    alone = get_target(session, search(session, "公积金提取")[0].code)
    assert "withdrawal_reason" in [q.slot for q in missing_facts(session, alone, {}, None)]


# ---------------------------------------------------------------- nearest_service_point


@pytest.mark.parametrize(
    "name, town, village, level, point, note",
    [
        ("最低生活保障", LONGTAI, CHETANG, "village", "车堂村便民服务站", "龙台镇便民服务中心也可办理"),
        ("最低生活保障", LONGTAI, None, "town", "龙台镇便民服务中心", "您所在村（社区）的便民服务站也可办理"),
        ("最低生活保障", None, None, "county", "广安区政务服务中心", None),
        # The citizen's nearer point cannot handle it: said, so nobody goes there first.
        ("居民身份证办理（包括临时）", LONGTAI, CHETANG, "town", "龙台镇便民服务中心", "车堂村便民服务站不能办理这一项"),
        ("普通护照签发", LONGTAI, CHETANG, "county", "广安区政务服务中心", "车堂村便民服务站不能办理这一项"),
        ("企业投资项目备案（技术改造）（市级/县级）", LONGTAI, None, "county", "广安区政务服务中心",
         "龙台镇便民服务中心不能办理这一项"),
        ("普通护照签发", None, None, "county", "广安区政务服务中心", None),
    ],
)
def test_lowest_level_point_in_the_citizens_place(session, name, town, village, level, point, note):
    location = nearest_service_point(session, _target(session, name), place_from_codes(session, town, village))
    assert (location.level, location.name, location.note) == (level, point, note)


def test_coordinates_pick_the_nearest_point_that_can_handle_it(session):
    """A deployment may load coordinates; a shared location then picks by distance."""
    points = {p.region_code: p for p in session.scalars(select(ServicePoint))}
    points["511602"].lat, points["511602"].lng = 30.456, 106.633  # district hall
    points[LONGTAI].lat, points[LONGTAI].lng = 30.62, 106.50  # 龙台镇 centre
    points[CHETANG].lat, points[CHETANG].lng = 30.64, 106.48  # 车堂村 station
    session.flush()
    near_chetang = (30.641, 106.481)
    village_item, town_item = _target(session, "最低生活保障"), _target(session, "居民身份证办理（包括临时）")
    assert nearest_service_point(session, village_item, coordinates=near_chetang).name == "车堂村便民服务站"
    assert nearest_service_point(session, town_item, coordinates=near_chetang).name == "龙台镇便民服务中心"
    assert nearest_service_point(session, _target(session, "普通护照签发"),
                                 coordinates=near_chetang).name == "广安区政务服务中心"


# ---------------------------------------------------------------- guide payload

GUIDE_KEYS = {"type", "bundle", "items", "materials", "location", "time_limit", "fee", "trips", "online",
              "guide_url", "qr_url", "code", "name", "sample_notice", "process", "source", "pending",
              "official", "missing", "ask_phone"}


def test_bundle_guide_payload(session):
    target = get_target(session, RESTAURANT)
    payload = guide(session, target, {"shopfront_renovation": "no"}, resolve_place(session, "龙台镇"),
                    public_base="https://12345.example/")
    assert set(payload) == GUIDE_KEYS
    json.dumps(payload, ensure_ascii=False)  # JSON-friendly all the way down
    assert payload["type"] == "guide" and payload["bundle"]["name"] == "我要开小餐馆"
    assert "临时占用街道两侧和公共场地许可" not in [i["name"] for i in payload["items"]]
    assert payload["guide_url"] == "https://12345.example/guide/open-restaurant"
    assert payload["qr_url"] == "https://12345.example/guide/open-restaurant/qr.svg"
    assert payload["sample_notice"] == "示例数据，以官方办事指南为准"
    assert payload["source"] == "authored sample"
    assert set(payload["location"]) >= {"level", "name", "address", "hours", "phone"}
    # Every open situation once, split out of composite conditions (「如需办税；使用计算机记账的」).
    parts = [p for m in payload["materials"] if m["condition"] for p in m["condition"].split("；")]
    assert payload["pending"] == list(dict.fromkeys(parts))
    assert len(payload["pending"]) == len(set(payload["pending"]))
    assert "如委托他人办理" in payload["pending"]


def test_real_only_item_guide(session):
    name = "企业投资项目备案（技术改造）（市级/县级）"
    target = _target(session, name)
    payload = guide(session, target, {}, resolve_place(session, "龙台镇"), public_base="http://h")
    assert payload["materials"] == [] and payload["pending"] == []
    assert payload["location"]["name"] == "广安区政务服务中心"
    assert payload["items"] == [{"code": target.code, "name": name, "department": "区经信局"}]
    assert payload["guide_url"].startswith("http://www.sczwfw.gov.cn/")  # the official guide
    assert payload["qr_url"] == f"http://h/guide/{target.code}/qr.svg"
    assert (payload["source"], payload["sample_notice"], payload["bundle"]) == ("real", None, None)


def test_get_target_unknown_code(session):
    assert get_target(session, "no-such-code") is None


def test_every_id_card_case_names_something_to_bring(session):
    """A citizen who says which case theirs is never gets an empty materials list (guides.yaml)."""
    target = _target(session, "居民身份证办理（包括临时）")
    for case in ("first", "renew", "lost", "temporary"):
        plain = [m.name for m in tailor(session, target, {"id_card_case": case, "applicant_minor": "no"})]
        assert plain, case
    lost = _by_name(tailor(session, target, {"id_card_case": "lost"}))
    assert "居民户口簿（丢失补领）" in lost and "原居民身份证" not in lost


# ---------------------------------------------------------------- values against the source (广安区)

# Written out from catalog/data/guides.yaml by hand, so a field dropped on load or read from the wrong
# column (an item's fee, a bundle's time limit) fails here. 防城港市's official values are compared
# with their source file in tests/catalog/test_official_guides.py.
GUANGAN_VALUES = [
    ("居民身份证办理（包括临时）", "20个工作日（临时居民身份证3个工作日）",
     "首次申领、到期换领20元；丢失补领、损坏换领40元；临时居民身份证10元", 1),
    ("普通护照签发", "7个工作日", "120元（照片现场免费采集）", 1),
    ("不动产转移登记", "5个工作日", "住宅登记费80元/件（含一本证书，每增加一本加收10元）；税费按规定另缴", 1),
    ("住房公积金提取", "即时办结（材料需核实的3个工作日）", "免费", 1),
    ("最低生活保障", "30个工作日（含入户调查、民主评议和公示）", "免费", 1),
]
GUANGAN_BUNDLE_VALUES = [
    ("open-restaurant", "8个工作日", "免费", 1),
    ("after-death", "15个工作日（户口注销、社保卡注销当场办结）", "免费", 1),
    ("disability", "残疾评定后20个工作日", "免费", 1),
]


@pytest.mark.parametrize("name, time_limit, fee, trips", GUANGAN_VALUES)
def test_authored_item_answers_with_its_file_values(session, name, time_limit, fee, trips):
    payload = guide(session, _target(session, name), {}, resolve_place(session, "龙台镇"))
    assert (payload["time_limit"], payload["fee"], payload["trips"]) == (time_limit, fee, trips)
    # The demo has no service-point directory: no address or hours is invented, each is said missing.
    assert payload["location"]["address"] is None and payload["location"]["hours"] is None
    assert {"address", "hours"} <= set(payload["missing"]) and "fee" not in payload["missing"]


@pytest.mark.parametrize("code, time_limit, fee, trips", GUANGAN_BUNDLE_VALUES)
def test_bundle_answers_with_its_own_file_values(session, code, time_limit, fee, trips):
    payload = guide(session, get_target(session, code), {}, resolve_place(session, "龙台镇"))
    assert (payload["time_limit"], payload["fee"], payload["trips"]) == (time_limit, fee, trips)


def test_every_authored_item_and_bundle_answers_with_its_file_values(session):
    data = yaml.safe_load(DEFAULT_GUIDES.read_text(encoding="utf-8"))
    rows = [(_code(session, row["name"]), row) for row in data["items"]]
    rows += [(row["code"], row) for row in data["bundles"]]
    for code, row in rows:
        payload = guide(session, get_target(session, code), {}, None)
        for field in ("time_limit", "fee", "trips", "online"):
            assert payload[field] == row[field], (row["name"], field)
            assert field not in payload["missing"], (row["name"], field)
