"""Importers: good files load, every broken file names row and field, and leaves the DB unchanged."""
import json
import logging

import pytest
from sqlalchemy import func, select

from catalog.cli import main as cli_main
from catalog.db import make_engine, make_sessionmaker
from catalog.importers import (
    CatalogImportError,
    import_guides,
    import_items,
    import_regions,
    import_service_points,
)
from catalog.models import Bundle, Fact, Item, Region, RegionAlias, ServicePoint
from catalog.naming import disambiguated_code, region_aliases, service_point_name
from catalog.queries import get_target, guide, nearest_service_point, place_from_codes, resolve_place
from catalog.seed import DATA_DIR, DEFAULT_ITEMS, DEFAULT_REGIONS

REGIONS_HEADER = "code,name,level,parent_code\n"
GOOD_REGIONS = REGIONS_HEADER + "511602,广安区,county,5116\n511602108,龙台镇,town,511602\n" \
    "511602108201,高峰村委会,village,511602108\n"


def _counts(session):
    return tuple(session.scalar(select(func.count()).select_from(model)) for model in (Region, Item, Bundle))


def _write(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


# ---------------------------------------------------------------- regions


@pytest.mark.parametrize(
    "official, level, expected",
    [
        ("高峰村委会", "village", ["高峰村"]),
        ("翠屏路社区居委会", "village", ["翠屏路社区"]),
        ("城关居委会", "village", ["城关社区"]),
        ("龙台镇", "town", ["龙台"]),
        ("浓洄街道", "town", ["浓洄"]),
        ("龙安乡", "town", ["龙安"]),
        ("东城街道办事处", "town", ["东城街道", "东城"]),
        ("广安区", "county", []),
    ],
)
def test_region_aliases(official, level, expected):
    assert region_aliases(official, level) == expected


@pytest.mark.parametrize(
    "name, level, expected",
    [("广安区", "county", "广安区政务服务中心"), ("龙台镇", "town", "龙台镇便民服务中心"),
     ("高峰村委会", "village", "高峰村便民服务站"), ("翠屏路社区居委会", "village", "翠屏路社区便民服务站")],
)
def test_service_point_names(name, level, expected):
    assert service_point_name(name, level) == expected


def test_regions_load_with_aliases_and_service_points(empty_engine, tmp_path):
    with make_sessionmaker(empty_engine)() as session:
        assert import_regions(session, _write(tmp_path, "r.csv", GOOD_REGIONS)) == 3
        county = session.get(Region, "511602")
        assert county.parent_code is None  # the city 5116 is not loaded
        village = session.get(Region, "511602108201")
        assert village.parent.name == "龙台镇"
        assert [a.alias for a in village.aliases] == ["高峰村"]
        assert village.service_point.name == "高峰村便民服务站"
        assert session.scalar(select(func.count()).select_from(ServicePoint)) == 3
        import_regions(session, _write(tmp_path, "r.csv", GOOD_REGIONS))  # re-import: no duplicates
        assert session.scalar(select(func.count()).select_from(RegionAlias)) == 2
        assert session.scalar(select(func.count()).select_from(ServicePoint)) == 3


@pytest.mark.parametrize(
    "content, expected",
    [
        (REGIONS_HEADER + "511602,广安区,county,5116\n511602108,,town,511602\n", 'r.csv: row 3, field "name": missing'),
        (REGIONS_HEADER + "511602,广安区,province,5116\n", 'r.csv: row 2, field "level": \'province\' is not one of'),
        (REGIONS_HEADER + "511600,广安市,city,51\n511602,广安区,county,511602001\n511602001,浓洄街道,town,511600\n",
         'r.csv: row 3, field "parent_code": parent 511602001 is a town, a county needs a city'),
        (REGIONS_HEADER + "511602,广安区,county,5116\n511602108,龙台镇,town,999999\n",
         'r.csv: row 3, field "parent_code": unknown parent code 999999'),
        (REGIONS_HEADER + "511602,广安区,county,5116\n511602,广安区,county,5116\n",
         'r.csv: row 3, field "code": duplicate code 511602 (first on row 2)'),
        (REGIONS_HEADER + "511602,广安区,county,5116\n511602108201,高峰村委会,village,511602\n",
         'r.csv: row 3, field "parent_code": parent 511602 is a county, a village needs a town'),
        ("code,name,level\n511602,广安区,county\n", 'r.csv: row 1, field "parent_code": column missing'),
        (REGIONS_HEADER + "511602,广安区,county\n", 'r.csv: row 2, field "parent_code": missing'),
        (REGIONS_HEADER + "511602,广安区,county,5116,extra\n", "r.csv: row 2: more values than header columns"),
        (REGIONS_HEADER + "51160X,广安区,county,5116\n", 'r.csv: row 2, field "code": \'51160X\' is not a numeric'),
    ],
)
def test_bad_region_files_name_row_and_field_and_change_nothing(session, tmp_path, content, expected):
    before = _counts(session)
    with pytest.raises(CatalogImportError) as error:
        import_regions(session, _write(tmp_path, "r.csv", content))
    assert str(error.value).startswith(expected)
    assert _counts(session) == before


def test_a_late_failure_rolls_back_rows_already_written(session, tmp_path, monkeypatch):
    """Validation passes, the write fails half-way: the savepoint leaves nothing behind."""
    from catalog.importers import regions

    calls = []
    original = regions._upsert_region

    def failing_upsert(session_, row):
        calls.append(row.code)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        original(session_, row)

    monkeypatch.setattr(regions, "_upsert_region", failing_upsert)
    content = REGIONS_HEADER + "999999,测试县,county,\n999999100,测试镇,town,999999\n"
    with pytest.raises(RuntimeError):
        import_regions(session, _write(tmp_path, "r.csv", content))
    assert session.get(Region, "999999") is None


def test_another_county_loads_and_its_towns_resolve(empty_engine):
    """金寨县 (Anhui) through the same importer: the product is not tied to 广安区."""
    with make_sessionmaker(empty_engine)() as session:
        assert import_regions(session, DATA_DIR / "jinzhai_341524.csv") == 256
        session.commit()
        place = resolve_place(session, "我住在梅山镇，想办低保")
        assert place.town.code == "341524100" and place.town.name == "梅山镇"
        assert session.get(ServicePoint, 1) is not None
        point = session.scalar(select(ServicePoint).where(ServicePoint.region_code == "341524"))
        assert point.name == "金寨县政务服务中心"


# ---------------------------------------------------------------- service points

COUNTY, LONGTAI, CHETANG = "511602", "511602108", "511602108201"  # 广安区, 龙台镇, 车堂村委会
POINTS_HEADER = "region_code,name,address,hours,phone,lat,lng\n"
# Invented test values, not the real addresses or phones of 广安区.
GOOD_POINTS = POINTS_HEADER + (
    f"{COUNTY},,测试大道1号,周一至周五 9:00-17:00,0826-0000000,30.456,106.633\n"
    f"{LONGTAI},龙台镇为民服务中心,测试街2号,\"工作日 9:00-12:00, 14:00-17:00\","
    "0826-1111111转8001 / (0826) 2222222、+86 13800000000,30.62,106.5\n"
    f"{CHETANG},,测试村3组,,,30.64,106.48\n"
)


def _points(session):
    return {p.region_code: (p.name, p.address, p.hours, p.phone, p.lat, p.lng)
            for p in session.scalars(select(ServicePoint))}


def _point(session, code):
    return session.scalar(select(ServicePoint).where(ServicePoint.region_code == code))


def _item(session, name):
    return get_target(session, session.scalar(select(Item.code).where(Item.name == name)))


def test_service_points_load_and_the_answer_shows_them_at_once(session, tmp_path):
    town_item = _item(session, "居民身份证办理（包括临时）")
    village_item = _item(session, "最低生活保障")
    in_longtai = place_from_codes(session, LONGTAI)
    before = guide(session, town_item, {}, in_longtai, public_base="http://h")["location"]
    assert before["name"] == "龙台镇便民服务中心" and before["address"] is None  # memoised: must be dropped
    path = tmp_path / "sp.csv"
    path.write_text(GOOD_POINTS, encoding="utf-8-sig")  # a BOM, as spreadsheets save it
    assert import_service_points(session, path) == 3

    location = guide(session, town_item, {}, in_longtai, public_base="http://h")["location"]
    assert location == {"level": "town", "name": "龙台镇为民服务中心", "address": "测试街2号",
                        "hours": "工作日 9:00-12:00, 14:00-17:00",
                        "phone": "0826-1111111转8001 / (0826) 2222222、+86 13800000000", "note": None}
    at_home = nearest_service_point(session, village_item, place_from_codes(session, LONGTAI, CHETANG))
    assert (at_home.name, at_home.address, at_home.hours, at_home.phone) == ("车堂村便民服务站", "测试村3组", None, None)
    county = nearest_service_point(session, _item(session, "普通护照签发"), in_longtai)
    assert (county.name, county.address, county.phone) == ("广安区政务服务中心", "测试大道1号", "0826-0000000")
    near_chetang = (30.641, 106.481)
    assert nearest_service_point(session, village_item, coordinates=near_chetang).address == "测试村3组"
    assert nearest_service_point(session, town_item, coordinates=near_chetang).address == "测试街2号"
    assert (_point(session, COUNTY).lat, _point(session, COUNTY).lng) == (30.456, 106.633)


def test_absent_columns_are_kept_and_empty_cells_clear(session, tmp_path):
    import_service_points(session, _write(tmp_path, "sp.csv", GOOD_POINTS))
    import_service_points(session, _write(tmp_path, "phones.csv", f"region_code,phone\n{LONGTAI},0826-3333333\n"))
    point = _point(session, LONGTAI)
    assert (point.name, point.address, point.hours, point.phone, point.lat, point.lng) == (
        "龙台镇为民服务中心", "测试街2号", "工作日 9:00-12:00, 14:00-17:00", "0826-3333333", 30.62, 106.5)
    assert _point(session, COUNTY).phone == "0826-0000000"  # a point not in the file is not touched

    clearing = f"region_code,name,hours,lat,lng\n{LONGTAI},,,,\n"
    import_service_points(session, _write(tmp_path, "clear.csv", clearing))
    point = _point(session, LONGTAI)
    assert point.name == "龙台镇为民服务中心"  # an empty name keeps the name
    assert (point.hours, point.lat, point.lng) == (None, None, None)
    assert (point.address, point.phone) == ("测试街2号", "0826-3333333")
    location = nearest_service_point(session, _item(session, "居民身份证办理（包括临时）"),
                                     place_from_codes(session, LONGTAI))
    assert (location.address, location.hours) == ("测试街2号", None)


def test_service_points_re_import_changes_nothing(session, tmp_path):
    path = _write(tmp_path, "sp.csv", GOOD_POINTS)
    before = _counts(session), session.scalar(select(func.count()).select_from(ServicePoint))
    assert import_service_points(session, path) == 3
    first = _points(session)
    assert import_service_points(session, path) == 3
    session.expire_all()
    assert _points(session) == first
    assert (_counts(session), session.scalar(select(func.count()).select_from(ServicePoint))) == before
    assert import_service_points(session, _write(tmp_path, "none.csv", POINTS_HEADER)) == 0
    assert _points(session) == first


GOOD_POINT_ROW = f"{COUNTY},,测试大道1号,工作日,0826-0000000,30.456,106.633\n"


@pytest.mark.parametrize(
    "content, expected",
    [
        (POINTS_HEADER + GOOD_POINT_ROW + "999999999,,测试,,,,\n",
         'sp.csv: row 3, field "region_code": unknown region code 999999999'),
        (POINTS_HEADER + GOOD_POINT_ROW + ",,测试,,,,\n", 'sp.csv: row 3, field "region_code": missing'),
        (POINTS_HEADER + GOOD_POINT_ROW + GOOD_POINT_ROW,
         f'sp.csv: row 3, field "region_code": duplicate region_code {COUNTY} (first on row 2)'),
        (POINTS_HEADER + GOOD_POINT_ROW + f"{LONGTAI},,,,,北纬30,106.5\n",
         'sp.csv: row 3, field "lat": \'北纬30\' is not a number'),
        (POINTS_HEADER + GOOD_POINT_ROW + f"{LONGTAI},,,,,nan,106.5\n",
         'sp.csv: row 3, field "lat": \'nan\' is not a number'),
        (POINTS_HEADER + GOOD_POINT_ROW + f"{LONGTAI},,,,,90.5,106.5\n",
         'sp.csv: row 3, field "lat": 90.5 is out of range -90..90'),
        (POINTS_HEADER + GOOD_POINT_ROW + f"{LONGTAI},,,,,30.6,-180.01\n",
         'sp.csv: row 3, field "lng": -180.01 is out of range -180..180'),
        (POINTS_HEADER + GOOD_POINT_ROW + f"{LONGTAI},,,,,30.6,\n",
         'sp.csv: row 3, field "lng": missing (lat and lng are both set or both empty)'),
        (POINTS_HEADER + GOOD_POINT_ROW + f"{LONGTAI},,,,,,106.5\n",
         'sp.csv: row 3, field "lat": missing (lat and lng are both set or both empty)'),
        (POINTS_HEADER + GOOD_POINT_ROW + f"{LONGTAI},{'镇' * 121},,,,,\n",
         'sp.csv: row 3, field "name": longer than 120 characters (121)'),
        (POINTS_HEADER + GOOD_POINT_ROW + f"{LONGTAI},,{'路' * 201},,,,\n",
         'sp.csv: row 3, field "address": longer than 200 characters (201)'),
        (POINTS_HEADER + GOOD_POINT_ROW + f"{LONGTAI},,,{'时' * 101},,,\n",
         'sp.csv: row 3, field "hours": longer than 100 characters (101)'),
        (POINTS_HEADER + GOOD_POINT_ROW + f"{LONGTAI},,,,{'1' * 51},,\n",
         'sp.csv: row 3, field "phone": longer than 50 characters (51)'),
        (POINTS_HEADER + GOOD_POINT_ROW + f"{LONGTAI},,,,0826-123456（办公室）,,\n",
         'sp.csv: row 3, field "phone": \'0826-123456（办公室）\' has \'（办公室）\': only digits'),
        (POINTS_HEADER + GOOD_POINT_ROW + f"{LONGTAI},,,,0826-1234567;0826-7654321,,\n",
         'sp.csv: row 3, field "phone": \'0826-1234567;0826-7654321\' has \';\''),
        (POINTS_HEADER + GOOD_POINT_ROW + f"{LONGTAI},,,,,,,extra\n",
         "sp.csv: row 3: more values than header columns"),
        ("name,address\n测试,测试路\n", 'sp.csv: row 1, field "region_code": column missing from the header'),
        ("region_code,adress\n511602,测试路\n", 'sp.csv: row 1, field "adress": unknown column (known: region_code'),
        ("region_code,address,address\n511602,甲,乙\n", 'sp.csv: row 1, field "address": column appears twice'),
        ("region_code,lat\n511602,30.4\n", 'sp.csv: row 1, field "lng": column missing from the header'),
    ],
)
def test_bad_service_point_files_name_row_and_field_and_change_nothing(session, tmp_path, content, expected):
    before = _points(session)
    with pytest.raises(CatalogImportError) as error:
        import_service_points(session, _write(tmp_path, "sp.csv", content))
    assert str(error.value).startswith(expected), str(error.value)
    assert _points(session) == before  # not even the good first row


def test_a_region_without_a_service_point_is_an_error(session, tmp_path):
    session.add(Region(code="999999", name="测试县", level="county"))
    session.flush()
    with pytest.raises(CatalogImportError) as error:
        import_service_points(session, _write(tmp_path, "sp.csv", "region_code,phone\n999999,12345\n"))
    assert str(error.value) == 'sp.csv: row 2, field "region_code": region 999999 has no service point'


def test_a_late_service_point_failure_rolls_back_rows_already_written(session, tmp_path, monkeypatch):
    """Validation passes, the write fails half-way: the savepoint leaves nothing behind."""
    before = _points(session)
    original, calls = session.get, []

    def failing_get(entity, ident, **options):
        if entity is ServicePoint:
            calls.append(ident)
            if len(calls) == 2:
                raise RuntimeError("disk full")
        return original(entity, ident, **options)

    monkeypatch.setattr(session, "get", failing_get)
    with pytest.raises(RuntimeError):
        import_service_points(session, _write(tmp_path, "sp.csv", GOOD_POINTS))
    assert len(calls) == 2
    assert _points(session) == before


def test_the_cli_imports_service_points_and_reports_a_bad_file(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    url = f"sqlite:///{tmp_path}/points.db"
    assert cli_main(["--database-url", url, "load-default"]) == 0
    good = _write(tmp_path, "points.csv", GOOD_POINTS)
    assert cli_main(["--database-url", url, "import-service-points", str(good)]) == 0
    bad = _write(tmp_path, "bad.csv", "region_code,address,phone\n"
                 f"{COUNTY},另一个地址,0826-9999999\n{LONGTAI},测试街9号,电话待定\n")
    assert cli_main(["--database-url", url, "import-service-points", str(bad)]) == 2
    assert 'bad.csv: row 3, field "phone": \'电话待定\' has \'电话待定\'' in caplog.text
    assert "nothing was imported" in caplog.text
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        location = nearest_service_point(session, _item(session, "普通护照签发"), None)
        assert (location.name, location.address, location.phone) == ("广安区政务服务中心", "测试大道1号", "0826-0000000")
        assert _point(session, LONGTAI).name == "龙台镇为民服务中心"
        addressed = select(func.count()).select_from(ServicePoint).where(ServicePoint.address.is_not(None))
        assert session.scalar(addressed) == 3
    engine.dispose()


# ---------------------------------------------------------------- items


def test_item_codes_follow_the_contract(session):
    items = json.loads(DEFAULT_ITEMS.read_text(encoding="utf-8"))
    by_url = {item.guide_url: item.code for item in session.scalars(select(Item).where(Item.source == "real"))}
    assert len(by_url) == len(items) == 1135
    # unique segment: the segment itself; shared segment ("G"): segment + sha1 prefix of the full itemCode
    id_card = next(i for i in items if i["name"] == "居民身份证办理（包括临时）")
    assert by_url[id_card["guide_url"]] == id_card["guide_url"].split("itemCode=")[1].split("-")[0]
    shared = next(i for i in items if "itemCode=G-" in i["guide_url"])
    full = shared["guide_url"].split("itemCode=")[1].split("&")[0]
    assert by_url[shared["guide_url"]] == disambiguated_code("G", full)
    assert by_url[shared["guide_url"]].startswith("G-") and len(by_url[shared["guide_url"]]) == 8


def test_item_names_are_stored_verbatim(session):
    names = set(session.scalars(select(Item.name)))
    assert "居民身份证办理（包括临时）" in names  # full-width brackets kept: tests and answers use them
    assert "社会保障卡补领、换领、换发" in names


def test_items_csv_with_aliases(empty_engine, tmp_path):
    content = "name,department,main_item,guide_url,code,level,aliases\n" \
              "测试事项,区测试局,,,t-1,village,测一测|试一试\n"
    with make_sessionmaker(empty_engine)() as session:
        assert import_items(session, _write(tmp_path, "items.csv", content)) == 1
        item = session.get(Item, "t-1")
        assert (item.level, item.department) == ("village", "区测试局")
        assert sorted(a.alias for a in item.aliases) == ["测一测", "试一试"]



def test_a_re_import_drops_the_memoised_targets(empty_engine, tmp_path):
    """get_target is memoised per engine; an importer's write must not leave a stale answer."""
    from catalog.queries import get_target

    header = "name,department,main_item,guide_url,code,level,aliases\n"
    with make_sessionmaker(empty_engine)() as session:
        assert get_target(session, "t-2") is None
        import_items(session, _write(tmp_path, "a.csv", header + "测试事项,区测试局,,,t-2,village,\n"))
        first = get_target(session, "t-2")
        assert (first.name, first.level) == ("测试事项", "village")
        assert get_target(session, "t-2") is first
        import_items(session, _write(tmp_path, "b.csv", header + "测试事项,区测试局,,,t-2,county,\n"))
        assert get_target(session, "t-2").level == "county"


URL = "http://x/?itemCode=ABC-1"


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("i.json", [{"department": "区公安分局", "guide_url": URL}], 'i.json: row 1, field "name": missing'),
        ("i.json", [{"name": "甲", "department": "局", "guide_url": URL},
                    {"name": "乙", "guide_url": "http://x/?itemCode=DEF-2"}], 'i.json: row 2, field "department": missing'),
        ("i.json", [{"name": "甲", "department": "局", "guide_url": URL, "level": "province"}],
         'i.json: row 1, field "level": \'province\' is not one of'),
        ("i.json", [{"name": "甲", "department": "局", "code": "c1"}, {"name": "乙", "department": "局", "code": "c1"}],
         'i.json: row 2, field "code": duplicate code c1 (first on row 1)'),
        ("i.json", [{"name": "甲", "department": "局", "guide_url": "http://x/?a=1"}],
         'i.json: row 1, field "guide_url": no itemCode='),
        ("i.json", [{"name": 17, "department": "局", "code": "c"}], 'i.json: row 1, field "name": must be text'),
        ("i.json", '[{"name": "甲", "department": ', "i.json: malformed JSON at line 1"),
        ("i.json", {"name": "甲"}, "i.json: top level must be a list"),
        ("i.csv", "name,department,code\n甲,局,c1\n乙,,c2\n", 'i.csv: row 3, field "department": missing'),
        ("i.csv", "name,code\n甲,c1\n", 'i.csv: row 1, field "department": column missing'),
        ("i.csv", 'name,department,code\n"甲,局,c1\n', 'i.csv: row 2, field "department": missing'),
    ],
)
def test_bad_item_files_name_row_and_field_and_change_nothing(session, tmp_path, name, content, expected):
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    before = _counts(session)
    with pytest.raises(CatalogImportError) as error:
        import_items(session, _write(tmp_path, name, text))
    assert str(error.value).startswith(expected)
    assert _counts(session) == before


# ---------------------------------------------------------------- guides


GUIDE_BASE = """
facts:
  - key: delegated
    kind: detail
    question: 本人还是代办？
    options:
      - {value: "no", label: 本人, words: [本人办]}
      - {value: "yes", label: 代办, words: [代办], condition_text: 如委托他人办理}
"""


@pytest.mark.parametrize(
    "body, expected",
    [
        ("items:\n  - {name: 不存在的事项}\n", 'g.yaml: row 1 of items, field "name": unknown item \'不存在的事项\''),
        ("items:\n  - {name: 失业登记, materials: [{name: 表, when: {delegatd: 'yes'}}]}\n",
         'g.yaml: row 1 of items, field "materials[1].when": unknown fact \'delegatd\''),
        ("items:\n  - {name: 失业登记, materials: [{name: 表, when: {delegated: maybe}}]}\n",
         'g.yaml: row 1 of items, field "materials[1].when": \'maybe\' is not an option'),
        ("items:\n  - {name: 失业登记, materials: [{copies: 1}]}\n",
         'g.yaml: row 1 of items, field "materials[1].name": missing'),
        ("items:\n  - {name: 新事项, authored: true, code: auth-x}\n",
         'g.yaml: row 1 of items, field "department": missing'),
        ("items:\n  - {name: 失业登记, level: province}\n", 'g.yaml: row 1 of items, field "level"'),
        ("items:\n  - {name: 失业登记, trips: once}\n", 'g.yaml: row 1 of items, field "trips": must be a whole number'),
        ("bundles:\n  - {code: b1, name: 一件事, members: [{item: 失业登记}, {item: 没有这个}]}\n",
         'g.yaml: row 1 of bundles, field "members[2].item": unknown item \'没有这个\''),
        ("bundles:\n  - {code: b1, name: 一件事}\n", 'g.yaml: row 1 of bundles, field "members": missing'),
        ("facts:\n  - {key: k, kind: sometimes, question: q, options: [{value: a, label: A}]}\n",
         'g.yaml: row 1 of facts, field "kind"'),
        ("items: [\n", "g.yaml: malformed YAML"),
        ("items:\n  - {name: 求职创业补贴申领}\n", "g.yaml: row 1 of items, field \"name\": '求职创业补贴申领' names 2 items"),
    ],
)
def test_bad_guide_files_name_row_and_field_and_change_nothing(session, tmp_path, body, expected):
    content = body if body.startswith(("facts", "items: [")) else GUIDE_BASE + body
    before = _counts(session)
    with pytest.raises(CatalogImportError) as error:
        import_guides(session, _write(tmp_path, "g.yaml", content))
    assert str(error.value).startswith(expected)
    assert _counts(session) == before


def test_guides_yaml_booleans_become_fact_strings(session, tmp_path):
    body = GUIDE_BASE + "items:\n  - {name: 失业登记, materials: [{name: 委托书, when: {delegated: yes}}]}\n"
    import_guides(session, _write(tmp_path, "g.yaml", body))  # unquoted yes is YAML's True
    item = session.scalar(select(Item).where(Item.name == "失业登记"))
    assert item.materials[0].condition == {"delegated": "yes"}


def test_reloading_guides_replaces_their_aliases_and_keeps_the_item_lists(session, tmp_path):
    """An alias taken out of guides.yaml leaves the catalog on reload; the items file's stay."""
    item = session.scalar(select(Item).where(Item.name == "失业登记"))
    from_items = {a.alias for a in item.aliases if a.origin == "items"}
    first = GUIDE_BASE + "items:\n  - {name: 失业登记, aliases: [丢了工作登记, 下岗登记], materials: [{name: 身份证}]}\n"
    import_guides(session, _write(tmp_path, "g1.yaml", first))
    second = GUIDE_BASE + "items:\n  - {name: 失业登记, aliases: [下岗登记, 没工作了登记], materials: [{name: 身份证}]}\n"
    import_guides(session, _write(tmp_path, "g2.yaml", second))
    session.expire_all()
    aliases = {a.alias: a.origin for a in session.scalar(select(Item).where(Item.name == "失业登记")).aliases}
    assert "丢了工作登记" not in aliases
    assert aliases["下岗登记"] == aliases["没工作了登记"] == "guides"
    assert from_items <= set(aliases)



def test_reloading_guides_drops_the_memoised_materials_and_fact_keys(session, tmp_path):
    """tailor and fact_keys are memoised per (target, facts); a guides reload must show at once."""
    from catalog.queries import fact_keys, get_target
    from catalog.tailoring import tailor

    code = session.scalar(select(Item.code).where(Item.name == "失业登记"))
    first = GUIDE_BASE + "items:\n  - {name: 失业登记, materials: [{name: 身份证}]}\n"
    import_guides(session, _write(tmp_path, "g1.yaml", first))
    target = get_target(session, code)
    assert [m.name for m in tailor(session, target, {})] == ["身份证"]
    tailor(session, target, {}).clear()  # a caller's change to the list does not reach the memo
    assert [m.name for m in tailor(session, target, {})] == ["身份证"] and fact_keys(session, target, {}) == []
    second = GUIDE_BASE + "items:\n  - {name: 失业登记, facts: [delegated], materials: [{name: 身份证}, " \
                          "{name: 委托书, when: {delegated: \"yes\"}}]}\n"
    import_guides(session, _write(tmp_path, "g2.yaml", second))
    session.expire_all()
    target = get_target(session, code)
    assert [m.name for m in tailor(session, target, {"delegated": "yes"})] == ["身份证", "委托书"]
    assert fact_keys(session, target, {}) == ["delegated"]



PRUNE_FIRST = GUIDE_BASE + """
  - key: test_pruned_fact
    kind: detail
    question: 会被删掉的情形？
    options:
      - {value: a, label: 甲, words: [甲情形]}
items:
  - {name: 失业登记, aliases: [丢了工作登记], time_limit: 即办, facts: [test_pruned_fact],
     materials: [{name: 身份证}, {name: 甲材料, when: {test_pruned_fact: a}}]}
  - {name: 新写的事项, authored: true, code: auth-prune-test, department: 区测试局, aliases: [新写事项],
     materials: [{name: 申请表}]}
  - {name: 另一个新事项, authored: true, code: auth-prune-member, department: 区测试局, materials: [{name: 表}]}
bundles:
  - {code: prune-bundle, name: 删掉的一件事, aliases: [删掉一件事], members: [{item: 失业登记}, {item: 新写的事项}]}
  - {code: kept-bundle, name: 留下的一件事, members: [{item: 失业登记}, {item: 另一个新事项}]}
"""
PRUNE_SECOND = GUIDE_BASE + """
bundles:
  - {code: kept-bundle, name: 留下的一件事, members: [{item: 另一个新事项}, {item: 居民身份证办理（包括临时）}]}
"""


def test_a_pruning_reload_takes_out_what_the_file_no_longer_has(session, tmp_path):
    from catalog.models import ItemAlias

    import_guides(session, _write(tmp_path, "g1.yaml", PRUNE_FIRST))
    before = _counts(session)
    import_guides(session, _write(tmp_path, "g2.yaml", PRUNE_SECOND))  # without prune: nothing goes
    assert _counts(session)[1:] == before[1:]
    assert session.get(Bundle, "prune-bundle") is not None

    import_guides(session, _write(tmp_path, "g3.yaml", PRUNE_SECOND), prune=True)
    session.expire_all()
    assert session.get(Bundle, "prune-bundle") is None and session.get(Bundle, "kept-bundle") is not None
    assert session.get(Item, "auth-prune-test") is None  # authored, no longer in the file
    assert session.get(Item, "auth-prune-member") is not None  # still a member of a kept bundle
    assert session.get(Fact, "test_pruned_fact") is None
    real = session.scalar(select(Item).where(Item.name == "失业登记"))
    assert real is not None and real.source == "real"  # the real item stays, without its guide
    assert (real.has_guide, real.materials, real.fact_links, real.time_limit) == (False, [], [], None)
    assert session.scalar(select(ItemAlias).where(ItemAlias.alias == "丢了工作登记")) is None


def test_the_cli_prunes_only_when_asked(tmp_path):
    url = f"sqlite:///{tmp_path}/prune.db"
    assert cli_main(["--database-url", url, "load-default"]) == 0
    guides = _write(tmp_path, "g.yaml", PRUNE_FIRST)
    assert cli_main(["--database-url", url, "import-guides", str(guides)]) == 0
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        bundles = session.scalar(select(func.count()).select_from(Bundle))
    assert bundles == 6 + 2  # the default bundles stay
    assert cli_main(["--database-url", url, "import-guides", "--prune", str(guides)]) == 0
    with make_sessionmaker(engine)() as session:
        assert sorted(session.scalars(select(Bundle.code))) == ["kept-bundle", "prune-bundle"]
    engine.dispose()


# ---------------------------------------------------------------- CLI and default load


def test_cli_load_default_is_idempotent_and_imports_report_errors(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    url = f"sqlite:///{tmp_path}/cli.db"
    assert cli_main(["--database-url", url, "load-default"]) == 0
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        first = _counts(session)
    assert first[0] == 358 and first[1] >= 1135
    assert cli_main(["--database-url", url, "load-default"]) == 0
    assert "already loaded" in caplog.text
    bad = _write(tmp_path, "bad.csv", REGIONS_HEADER + "1,甲,town,404\n")
    assert cli_main(["--database-url", url, "import-regions", str(bad)]) == 2
    assert 'bad.csv: row 2, field "parent_code": unknown parent code 404' in caplog.text
    assert cli_main(["--database-url", url, "import-regions", str(DEFAULT_REGIONS)]) == 0
    with make_sessionmaker(engine)() as session:
        assert _counts(session) == first
    engine.dispose()
