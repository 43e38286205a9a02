"""Official guides (防城港市): the importer's row errors, dry run and conditions, and the answer's
values compared with the source file."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from catalog import queries
from catalog.cli import main as cli_main
from catalog.db import make_engine, make_sessionmaker
from catalog.importers import import_regions
from catalog.models import Item, Material
from catalog.official_guides import import_official_guides, parse_note, read_condition
from catalog.schema import upgrade_to_head
from catalog.seed import DATA_DIR, load_default_catalog

SOURCE = DATA_DIR / "fangchenggang_services.jsonl"
REGIONS = DATA_DIR / "fangchenggang_450600.csv"
SOURCE_ROWS = [json.loads(line) for line in SOURCE.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def fcg_engine(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('fcg')}/catalog.db")
    load_default_catalog(engine, "450600")
    yield engine
    engine.dispose()


@pytest.fixture
def fcg(fcg_engine):
    with make_sessionmaker(fcg_engine)() as session:
        yield session
        session.rollback()


def _guide(session, name, facts=None, place=None):
    code = session.scalar(select(Item.code).where(Item.name == name))
    assert code is not None, name
    target = queries.get_target(session, code)
    return target, queries.guide(session, target, facts or {}, place, public_base="https://12345.example")


# ---------------------------------------------------------------- values against the source

# Written out from the source file by hand, so a wrong mapping (days swapped, fee inverted, the
# hall's address instead of the window's) fails here.
VALUES = [
    ("生育医疗费用支付", "承诺15天办结，法定时限20天", "不收费", 0,
     "防城港市港口区江山大道88号市政务服务中心2楼市医保局4、5、6号窗口",
     "工作日:上午9:00-12:00，下午13:30-16:30，(法定节假日除外)", "防城港市政务服务中心"),
    ("生育津贴支付", "承诺10天办结", "不收费", 0,
     "防城港市港口区江山大道88号市政务服务中心2楼市医保局4、5、6号窗口",
     "工作日:上午9:00-12:00，下午13:30-16:30，(法定节假日除外)", "防城港市政务服务中心"),
    ("船舶所有权登记", "承诺7天办结", "不收费", 1,
     "防城港市港口区北部湾大道200号防城港海事局1楼政务中心1号、2号、3号、4号窗口",
     "工作日：上午08：30—12：00，下午14：00—17：30，（法定节假日除外）", "防城港海事局"),
    ("集体建设用地使用权及房屋所有权首次登记", "承诺5天办结，法定时限30天", "收费（收费标准见官方办事指南）", 0,
     "防城港市港口区江山大道88号市政务服务中心一楼市不动产登记中心窗口", None, "防城港市政务服务中心"),
    ("个人身后“一件事”", "承诺39天办结，法定时限127天", "不收费", 7, None, None, None),
]


@pytest.mark.parametrize("name, time_limit, fee, trips, address, hours, place", VALUES)
def test_answer_values_are_the_source_values(fcg, name, time_limit, fee, trips, address, hours, place):
    target, guide = _guide(fcg, name)
    assert (guide["time_limit"], guide["fee"], guide["trips"]) == (time_limit, fee, trips)
    if address:
        assert guide["location"]["address"] == address
    if hours:
        assert guide["location"]["hours"] == hours
    if place:
        assert guide["location"]["name"] == place
    assert guide["sample_notice"] is None and guide["official"] is True and guide["source"] == "real"
    assert queries.missing_facts(fcg, target, {}, None) == []  # city level: the town is never asked


def test_every_item_answers_with_its_source_row(fcg):
    by_id = {row["source_item_id"]: row for row in SOURCE_ROWS}
    assert fcg.scalar(select(func.count()).select_from(Item).where(Item.region_code == "450600")) == len(by_id)
    for code, row in by_id.items():
        target = queries.get_target(fcg, code)
        guide = queries.guide(fcg, target, {}, None)
        assert target.name == row["item_name"] and target.level == "city"
        assert guide["trips"] == row["on_site_times"]
        assert guide["fee"] == ("收费（收费标准见官方办事指南）" if row["is_charge"] else "不收费")
        assert guide["guide_url"] == row["source_url"]
        if row["promise_days"] is None:
            assert guide["time_limit"] is None and "time_limit" in guide["missing"]
        else:
            assert str(row["promise_days"]) in guide["time_limit"]
        assert guide["location"]["address"] == (row["handle_address"] or "防城港市港口区江山大道88号")
        if row["handle_time"]:
            assert guide["location"]["hours"] == row["handle_time"]
        # nothing said about the situation: every material is listed, conditional ones with their condition
        assert [m["name"] for m in guide["materials"]] == [m["name"].strip() for m in row["materials"]]
        assert ("materials" in guide["missing"]) == (not row["materials"])


def test_materials_keep_required_counts_and_medium(fcg):
    row = next(row for row in SOURCE_ROWS if row["item_name"] == "生育医疗费用支付")
    _, guide = _guide(fcg, "生育医疗费用支付")
    got = [(m["name"], m["required"], m["originals"], m["copies"], m["medium"]) for m in guide["materials"]]
    assert got == [(m["name"], m["required"], m["original_num"], m["copy_num"], m["form"]) for m in row["materials"]]


def test_delegation_material_follows_the_citizens_answer(fcg):
    name = "企业人员医保欠费信息核查"
    _, open_guide = _guide(fcg, name)
    letter = [m for m in open_guide["materials"] if "委托书" in m["name"]]
    assert letter and letter[0]["condition"] == "如委托他人办理"
    _, myself = _guide(fcg, name, facts={"delegated": "no"})
    assert not [m for m in myself["materials"] if "委托书" in m["name"]]
    _, delegated = _guide(fcg, name, facts={"delegated": "yes"})
    assert [m["condition"] for m in delegated["materials"] if "委托书" in m["name"]] == [None]


def test_a_missing_field_is_named_with_where_to_ask(fcg):
    code = fcg.scalar(select(Item.code).where(Item.region_code == "450600", Item.promise_days.is_(None)).limit(1))
    target = queries.get_target(fcg, code)
    guide = queries.guide(fcg, target, {}, None)
    assert "time_limit" in guide["missing"] and guide["ask_phone"]


# ---------------------------------------------------------------- conditions


@pytest.mark.parametrize("name, note, expected", [
    ("授权委托书", "填报须知：无", ("fact", {"delegated": "yes"})),
    ("受委托人身份证、委托书", "", ("fact", {"delegated": "yes"})),
    # a bracketed remark about a letter does not make the ID card conditional
    ("法定代表人身份证（非法人代表的还要出具法人代表签字并盖章的委托书）", "", None),
    ("书面委托合同", "", None),
    # 「委托他人办理的，还需提供代办人身份证」 adds a material, the ID card is still needed
    ("医保电子凭证或有效身份证件或社保卡", "填报须知：委托他人办理的，还需提供代办人身份证", None),
    ("房屋租赁合同", "填报须知：租住公共租赁住房的，须提供", ("text", "如租住公共租赁住房")),
    # several cases: forms of a material everyone brings, not a condition
    ("病历资料", "填报须知：申报住院费用的，提供出院记录；申报门诊费用的，提供门诊病历。", None),
    ("申请表", "填报须知：如实填写各项内容，不得虚构", None),
])
def test_conditions_are_read_only_in_reliable_shapes(name, note, expected):
    condition = read_condition(name, parse_note(note))
    if expected is None:
        assert condition is None
    elif expected[0] == "fact":
        assert condition.fact == expected[1] and condition.text is None
    else:
        assert condition.text == expected[1] and condition.fact is None


# ---------------------------------------------------------------- row errors and dry run

GOOD = {"item_name": "测试事项", "department": "市医保局", "region": "广西防城港市（市本级部门）", "level": "市",
        "handle_address": "江山大道88号", "handle_time": "工作日", "promise_days": 3, "legal_days": 5,
        "on_site_times": 1, "is_charge": False, "item_type": "承诺件", "handle_form": "窗口办理",
        "accept_condition": "", "consult_way": "咨询电话：0770-1234567",
        "materials": [{"name": "身份证", "required": True, "form": "纸质", "original_num": 1, "copy_num": 1,
                       "note": "类型：原件\n填报须知：核验原件"}],
        "processes": ["受理", "办结"], "source_url": "https://zwfw.example/item?id=1", "source_item_id": "good-1"}


def _bad(tmp_path):
    lines = [
        GOOD,
        {**GOOD, "source_item_id": "b2", "item_name": ""},
        {**GOOD, "source_item_id": "b3", "materials": [GOOD["materials"][0],
                                                       {**GOOD["materials"][0], "required": "是"}]},
        {**GOOD, "source_item_id": "b4", "materials": [{**GOOD["materials"][0], "copy_num": -1}]},
        {**GOOD, "source_item_id": "b5", "materials": [{**GOOD["materials"][0], "form": "纸"}]},
        "{not json",
        {**GOOD, "item_name": "重复"},
        {**GOOD, "source_item_id": "b8", "region": "广西南宁市"},
        {**GOOD, "source_item_id": "b9", "promise_days": "15"},
    ]
    path = tmp_path / "guides.jsonl"
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)
                              for line in lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def region_only(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/r.db")
    upgrade_to_head(engine)
    with make_sessionmaker(engine)() as session:
        import_regions(session, REGIONS)
        session.commit()
    yield engine
    engine.dispose()


def test_rejected_rows_name_line_item_and_field(region_only, tmp_path):
    with make_sessionmaker(region_only)() as session:
        report = import_official_guides(session, _bad(tmp_path), "450600")
        session.commit()
        reasons = [str(rejected) for rejected in report.rejected]
        assert [r.line for r in report.rejected] == [2, 3, 4, 5, 6, 7, 8, 9]
        assert reasons[0].startswith('line 2, field "item_name": String should have at least 1 character')
        assert reasons[1].startswith('line 3 (测试事项), field "materials[2].required": Input should be a valid boolean')
        assert reasons[2].startswith('line 4 (测试事项), field "materials[1].copy_num": Input should be greater than')
        assert reasons[3].startswith('line 5 (测试事项), field "materials[1].form": Input should be')
        assert reasons[4].startswith("line 6: malformed JSON")
        assert reasons[5] == 'line 7 (重复), field "source_item_id": duplicate good-1 (first on line 1)'
        assert reasons[6] == "line 8 (测试事项), field \"region\": '广西南宁市' is not in region 450600 (防城港市)"
        assert reasons[7].startswith('line 9 (测试事项), field "promise_days": Input should be a valid integer')
        assert report.items == 1 and session.scalar(select(func.count()).select_from(Item)) == 1
        item = session.get(Item, "good-1")
        assert (item.time_limit, item.fee, item.trips, item.phone) == ("承诺3天办结，法定时限5天", "不收费", 1, "0770-1234567")
        assert item.online == "不能网上办理（办理方式：窗口办理）" and item.process == "受理 → 办结"


def test_dry_run_reports_the_same_and_writes_nothing(region_only, tmp_path):
    with make_sessionmaker(region_only)() as session:
        dry = import_official_guides(session, _bad(tmp_path), "450600", dry_run=True)
        session.commit()
        assert session.scalar(select(func.count()).select_from(Item)) == 0
        assert session.scalar(select(func.count()).select_from(Material)) == 0
    with make_sessionmaker(region_only)() as session:
        real = import_official_guides(session, _bad(tmp_path), "450600")
    assert (dry.items, dry.materials, len(dry.rejected)) == (real.items, real.materials, len(real.rejected)) == (1, 1, 8)
    assert "dry run: nothing written" in dry.text() and "rows rejected: 8" in dry.text()


def test_cli_prints_the_report_and_exits_1_on_rejected_rows(region_only, tmp_path, capsys):
    url = str(region_only.url)
    assert cli_main(["--database-url", url, "import-official-guides", str(_bad(tmp_path)), "--region", "450600"]) == 1
    out = capsys.readouterr().out
    assert "items imported: 1 (1 new, 0 updated)" in out and 'line 2, field "item_name"' in out


def test_an_unloaded_region_is_an_error(region_only, tmp_path):
    with make_sessionmaker(region_only)() as session:
        report = import_official_guides(session, _bad(tmp_path), "511602")
    assert report.items == 0 and "region 511602 is not loaded" in str(report.rejected[0])


def test_the_shipped_file_imports_without_rejections(region_only):
    with make_sessionmaker(region_only)() as session:
        report = import_official_guides(session, SOURCE, "450600", dry_run=True)
    assert report.rejected == [] and report.items == 781 and report.materials == 2876
    assert report.delegation_conditions + report.text_conditions == 26


def test_regions_have_a_city_level_with_the_hall(region_only):
    from catalog.models import Region, ServicePoint

    with make_sessionmaker(region_only)() as session:
        city = session.get(Region, "450600")
        assert city.level == "city" and {c.name for c in city.children} == {"港口区", "防城区", "上思县", "东兴市"}
        assert session.get(Region, "450602").parent_code == "450600"
        point = session.scalar(select(ServicePoint).where(ServicePoint.region_code == "450600"))
        assert point.name == "防城港市政务服务中心" and point.level == "city"


def test_two_regions_side_by_side_keep_their_items_apart(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/both.db")
    try:
        load_default_catalog(engine, "511602")
        load_default_catalog(engine, "450600")
        assert not load_default_catalog(engine, "450600")  # loaded: a no-op
        with make_sessionmaker(engine)() as session:
            counts = dict(session.execute(select(Item.region_code, func.count()).group_by(Item.region_code)).all())
            assert counts["450600"] == len(SOURCE_ROWS) and counts["511602"] >= 1135
            # an authored 广安区 item keeps its notice; a 防城港市 item is official and handled at its window
            sample = session.scalar(select(Item.code).where(Item.name == "社会保障卡补领、换领、换发"))
            guide = queries.guide(session, queries.get_target(session, sample), {}, None)
            assert guide["sample_notice"] and not guide["official"]
            link_only = session.scalar(select(Item.code).where(Item.name == "普通护照签发"))
            county = queries.guide(session, queries.get_target(session, link_only), {}, None)["location"]
            assert county["name"] == "广安区政务服务中心"  # not the other region's hall, loaded last
            _, fcg_guide = _guide(session, "生育医疗费用支付")
            assert fcg_guide["location"]["level"] == "city" and "医保局" in fcg_guide["location"]["address"]
    finally:
        engine.dispose()
