"""The catalog's plain listings the app's pages, console and health check use (catalog/listings.py)."""
from sqlalchemy import select

from catalog import listings
from catalog.models import Item, Region, ServicePoint

GUANGAN, LONGTAI = "511602", "511602108"  # 广安区, 龙台镇


def test_item_count_counts_items_not_bundles(session):
    assert listings.item_count(session) == len(session.scalars(select(Item.code)).all())
    assert listings.item_count(session) >= 1135


def test_towns_of_the_catalog_and_of_one_region(session):
    towns = listings.towns(session)
    assert [t.code for t in towns] == sorted(t.code for t in towns)
    assert {t.level for t in towns} == {"town"}
    assert ("511602108", "龙台镇") in {(t.code, t.name) for t in towns}
    assert listings.towns(session, within=GUANGAN) == towns  # one county loaded: its towns are all
    assert listings.towns(session, within=LONGTAI) == []  # a town has villages, not towns


def test_child_regions_and_an_unknown_parent(session):
    villages = listings.child_regions(session, LONGTAI)
    assert villages and {v.level for v in villages} == {"village"}
    assert [v.code for v in villages] == sorted(v.code for v in villages)
    assert all(session.get(Region, v.code).parent_code == LONGTAI for v in villages)
    assert listings.child_regions(session, "999999") is None


def test_home_region_falls_back_to_the_top_region(session):
    assert listings.home_region(session, GUANGAN).name == "广安区"
    assert listings.home_region(session, "450600") == listings.home_region(session, GUANGAN)  # not loaded here


def test_handles_below_city(session):
    assert listings.handles_below_city(session, GUANGAN)  # 最低生活保障 is a village item
    for item in session.scalars(select(Item).where(Item.level.in_(("village", "town")))):
        item.level = "county"
    session.flush()
    assert not listings.handles_below_city(session, GUANGAN)


def test_facts_by_key_keep_the_asked_order_and_leave_out_unknown_keys(session):
    keys = sorted(listings.fact_keys(session))
    assert "delegated" in keys
    found = listings.facts_by_key(session, [keys[1], "no_such_fact", keys[0]])
    assert [fact.key for fact in found] == [keys[1], keys[0]]
    delegated = listings.facts_by_key(session, ["delegated"])[0]
    assert delegated.question and [option.value for option in delegated.options] == ["no", "yes"]


def test_service_points_located(session):
    assert not listings.service_points_located(session)  # the shipped 广安区 points have no coordinates
    point = session.scalar(select(ServicePoint).where(ServicePoint.region_code == LONGTAI))
    point.lat, point.lng = 30.62, 106.5
    session.flush()
    assert listings.service_points_located(session)
