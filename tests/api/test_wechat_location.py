"""The catalog-backed location finder behind WeChat location messages (a tiny real catalog)."""
from __future__ import annotations

from api.wechat.location import CatalogLocationFinder
from catalog.db import make_engine, make_sessionmaker, session_scope
from catalog.models import Base, Item, Region, ServicePoint


def _catalog(tmp_path, with_coordinates: bool):
    engine = make_engine(f"sqlite:///{tmp_path / 'catalog.db'}")
    Base.metadata.create_all(engine)
    sessions = make_sessionmaker(engine)
    near, far = ((30.47, 106.64), (30.60, 106.90)) if with_coordinates else ((None, None), (None, None))
    with session_scope(sessions) as session:
        session.add_all([
            Region(code="511602", name="广安区", level="county"),
            Region(code="511602001", name="浓洄街道", level="town", parent_code="511602"),
            Region(code="511602002", name="北辰街道", level="town", parent_code="511602"),
        ])
        session.flush()
        session.add_all([
            ServicePoint(region_code="511602", level="county", name="广安区政务服务中心"),
            ServicePoint(region_code="511602001", level="town", name="浓洄街道便民服务中心", lat=near[0], lng=near[1]),
            ServicePoint(region_code="511602002", level="town", name="北辰街道便民服务中心", lat=far[0], lng=far[1]),
            Item(code="id-card", name="居民身份证办理（包括临时）", department="区公安分局", level="town"),
        ])
    return engine, sessions


def test_finder_picks_the_closest_point_that_handles_the_item(tmp_path):
    engine, sessions = _catalog(tmp_path, with_coordinates=True)
    finder = CatalogLocationFinder(lambda: sessions)
    assert finder.has_coordinates()
    assert finder.nearest("id-card", 30.46, 106.63)["name"] == "浓洄街道便民服务中心"
    assert finder.nearest("id-card", 30.61, 106.91)["name"] == "北辰街道便民服务中心"
    assert finder.nearest("no-such-item", 30.46, 106.63) is None
    engine.dispose()


def test_finder_reports_a_catalog_without_coordinates(tmp_path):
    engine, sessions = _catalog(tmp_path, with_coordinates=False)
    assert not CatalogLocationFinder(lambda: sessions).has_coordinates()
    engine.dispose()
