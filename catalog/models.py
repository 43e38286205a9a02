"""SQLAlchemy 2.0 models of the catalog: regions, service points, items, facts, bundles, and the
tailored answers shared by link (一事一码 of one answer)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Lowest to highest; a city-level item (防城港市本级) is handled only at the city hall.
LEVELS = ("village", "town", "county", "city")
FACT_KINDS = ("deciding", "detail")
SOURCES = ("real", "authored sample")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class CatalogMeta(Base):
    """Small key/value facts about the loaded data (e.g. fingerprint of the default load)."""

    __tablename__ = "catalog_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Region(Base):
    __tablename__ = "regions"
    __table_args__ = (CheckConstraint(_one_of("level", LEVELS), name="level"),)

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(10), index=True)
    parent_code: Mapped[Optional[str]] = mapped_column(ForeignKey("regions.code"), index=True)

    parent: Mapped[Optional["Region"]] = relationship(remote_side=[code], back_populates="children")
    children: Mapped[list["Region"]] = relationship(back_populates="parent")
    aliases: Mapped[list["RegionAlias"]] = relationship(back_populates="region", cascade="all, delete-orphan")
    service_point: Mapped[Optional["ServicePoint"]] = relationship(back_populates="region", cascade="all, delete-orphan")


class RegionAlias(Base):
    __tablename__ = "region_aliases"
    __table_args__ = (UniqueConstraint("region_code", "alias"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(100), index=True)

    region: Mapped[Region] = relationship(back_populates="aliases")


class ServicePoint(Base):
    """One per county (政务服务中心), town (便民服务中心) and village (便民服务站)."""

    __tablename__ = "service_points"
    __table_args__ = (CheckConstraint(_one_of("level", LEVELS), name="level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code", ondelete="CASCADE"), unique=True)
    level: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[Optional[str]] = mapped_column(String(200))
    hours: Mapped[Optional[str]] = mapped_column(String(100))
    phone: Mapped[Optional[str]] = mapped_column(String(50))
    lat: Mapped[Optional[float]] = mapped_column(Float)
    lng: Mapped[Optional[float]] = mapped_column(Float)

    region: Mapped[Region] = relationship(back_populates="service_point")


class Item(Base):
    __tablename__ = "items"
    __table_args__ = (
        CheckConstraint(_one_of("level", LEVELS), name="level"),
        CheckConstraint(_one_of("source", SOURCES), name="source"),
    )

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    department: Mapped[str] = mapped_column(String(100))
    main_item: Mapped[Optional[str]] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(10), default="county")
    time_limit: Mapped[Optional[str]] = mapped_column(String(100))
    fee: Mapped[Optional[str]] = mapped_column(String(200))
    trips: Mapped[Optional[int]] = mapped_column(Integer)
    online: Mapped[Optional[str]] = mapped_column(String(200))
    process: Mapped[Optional[str]] = mapped_column(Text)
    guide_url: Mapped[Optional[str]] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(20), default="real")
    # True once guides.yaml authored materials/facts for it (sample data, shown with a notice).
    has_guide: Mapped[bool] = mapped_column(default=False)
    # The region (tenant) whose list the item belongs to; None for lists loaded without one.
    region_code: Mapped[Optional[str]] = mapped_column(String(12), index=True)
    # True once a published official guide (import-official-guides) gave its materials and facts.
    official_guide: Mapped[bool] = mapped_column(default=False, server_default="0")
    # The handling window as the official guide gives it (per department, e.g. 2楼市医保局4、5、6号窗口).
    address: Mapped[Optional[str]] = mapped_column(String(500))
    hours: Mapped[Optional[str]] = mapped_column(String(200))
    phone: Mapped[Optional[str]] = mapped_column(String(100))
    consult: Mapped[Optional[str]] = mapped_column(Text)  # the guide's 咨询方式 verbatim
    promise_days: Mapped[Optional[int]] = mapped_column(Integer)
    legal_days: Mapped[Optional[int]] = mapped_column(Integer)
    accept_condition: Mapped[Optional[str]] = mapped_column(Text)

    aliases: Mapped[list["ItemAlias"]] = relationship(back_populates="item", cascade="all, delete-orphan")
    materials: Mapped[list["Material"]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="Material.position"
    )
    fact_links: Mapped[list["ItemFact"]] = relationship(cascade="all, delete-orphan", order_by="ItemFact.position")


class ItemAlias(Base):
    __tablename__ = "item_aliases"
    __table_args__ = (UniqueConstraint("item_code", "alias"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_code: Mapped[str] = mapped_column(ForeignKey("items.code", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(200))
    # Which file said it ("items" list or "guides"): a reload replaces that file's aliases only,
    # so an alias removed from guides.yaml leaves the catalog instead of lingering.
    origin: Mapped[str] = mapped_column(String(16), default="items", server_default="items")

    item: Mapped[Item] = relationship(back_populates="aliases")


class Fact(Base):
    """A situation fact (情形): deciding facts may be asked once; detail facts never are."""

    __tablename__ = "facts"
    __table_args__ = (CheckConstraint(_one_of("kind", FACT_KINDS), name="kind"),)

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    question: Mapped[str] = mapped_column(String(300))

    options: Mapped[list["FactOption"]] = relationship(
        back_populates="fact", cascade="all, delete-orphan", order_by="FactOption.position"
    )


class FactOption(Base):
    __tablename__ = "fact_options"
    __table_args__ = (UniqueConstraint("fact_key", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fact_key: Mapped[str] = mapped_column(ForeignKey("facts.key", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    value: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(100))
    words: Mapped[list[str]] = mapped_column(JSON, default=list)  # free-text phrases that set this value
    condition_text: Mapped[Optional[str]] = mapped_column(String(200))

    fact: Mapped[Fact] = relationship(back_populates="options")


class Material(Base):
    __tablename__ = "materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_code: Mapped[str] = mapped_column(ForeignKey("items.code", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    copies: Mapped[Optional[int]] = mapped_column(Integer)
    form: Mapped[Optional[str]] = mapped_column(String(50))
    note: Mapped[Optional[str]] = mapped_column(String(500))
    condition: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)  # {fact_key: value}, all must hold
    # From official guides: a condition read from the guide's text that no situation fact expresses
    # (「如申报住院费用」); shown with the material, never asked and never used to drop it.
    condition_text: Mapped[Optional[str]] = mapped_column(String(200))
    required: Mapped[Optional[bool]] = mapped_column()  # None: the source does not say
    originals: Mapped[Optional[int]] = mapped_column(Integer)  # 原件 count; ``copies`` is 复印件
    medium: Mapped[Optional[str]] = mapped_column(String(20))  # 纸质 / 电子 / 纸质或电子 / 纸质和电子
    details: Mapped[Optional[str]] = mapped_column(Text)  # the guide's full notes, for the guide page

    item: Mapped[Item] = relationship(back_populates="materials")


class ItemFact(Base):
    __tablename__ = "item_facts"

    item_code: Mapped[str] = mapped_column(ForeignKey("items.code", ondelete="CASCADE"), primary_key=True)
    fact_key: Mapped[str] = mapped_column(ForeignKey("facts.key", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)

    fact: Mapped[Fact] = relationship()


class Bundle(Base):
    """一件事: several items handled through one window in one trip."""

    __tablename__ = "bundles"
    __table_args__ = (CheckConstraint(f"level IS NULL OR {_one_of('level', LEVELS)}", name="level"),)

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[Optional[str]] = mapped_column(String(10))  # None = highest level of its members
    time_limit: Mapped[Optional[str]] = mapped_column(String(100))
    fee: Mapped[Optional[str]] = mapped_column(String(200))
    trips: Mapped[Optional[int]] = mapped_column(Integer)
    online: Mapped[Optional[str]] = mapped_column(String(200))
    process: Mapped[Optional[str]] = mapped_column(Text)

    aliases: Mapped[list["BundleAlias"]] = relationship(back_populates="bundle", cascade="all, delete-orphan")
    members: Mapped[list["BundleMember"]] = relationship(
        back_populates="bundle", cascade="all, delete-orphan", order_by="BundleMember.position"
    )
    materials: Mapped[list["BundleMaterial"]] = relationship(
        back_populates="bundle", cascade="all, delete-orphan", order_by="BundleMaterial.position"
    )
    omits: Mapped[list["BundleOmit"]] = relationship(cascade="all, delete-orphan")
    fact_links: Mapped[list["BundleFact"]] = relationship(cascade="all, delete-orphan", order_by="BundleFact.position")


class BundleAlias(Base):
    __tablename__ = "bundle_aliases"
    __table_args__ = (UniqueConstraint("bundle_code", "alias"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bundle_code: Mapped[str] = mapped_column(ForeignKey("bundles.code", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(200))

    bundle: Mapped[Bundle] = relationship(back_populates="aliases")


class BundleMember(Base):
    __tablename__ = "bundle_members"
    __table_args__ = (UniqueConstraint("bundle_code", "item_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bundle_code: Mapped[str] = mapped_column(ForeignKey("bundles.code", ondelete="CASCADE"), index=True)
    item_code: Mapped[str] = mapped_column(ForeignKey("items.code", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    condition: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)

    bundle: Mapped[Bundle] = relationship(back_populates="members")
    item: Mapped[Item] = relationship()


class BundleMaterial(Base):
    __tablename__ = "bundle_materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    bundle_code: Mapped[str] = mapped_column(ForeignKey("bundles.code", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    copies: Mapped[Optional[int]] = mapped_column(Integer)
    form: Mapped[Optional[str]] = mapped_column(String(50))
    note: Mapped[Optional[str]] = mapped_column(String(500))
    condition: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)

    bundle: Mapped[Bundle] = relationship(back_populates="materials")


class BundleOmit(Base):
    """A member material name the bundle's own materials replace (e.g. the per-item application form)."""

    __tablename__ = "bundle_omits"

    bundle_code: Mapped[str] = mapped_column(ForeignKey("bundles.code", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(300), primary_key=True)


class BundleFact(Base):
    __tablename__ = "bundle_facts"

    bundle_code: Mapped[str] = mapped_column(ForeignKey("bundles.code", ondelete="CASCADE"), primary_key=True)
    fact_key: Mapped[str] = mapped_column(ForeignKey("facts.key", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)

    fact: Mapped[Fact] = relationship()


class SharedAnswer(Base):
    """One answer as the citizen was given it (the guide payload: item or bundle, place, materials
    with the conditions applied), behind a short random id, until the county's retention ends.
    It holds catalog facts only: never the citizen's words, sender id, ID or phone numbers."""

    __tablename__ = "shared_answers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)  # UTC
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)  # UTC


class CuratorPhrasing(Base):
    """A citizen's phrasing a curator attached to an item from the report of what went unanswered
    (api/routes/curator.py). It joins the phrasing bank the resolver reads (catalog/curation.py), so
    it takes effect without retraining. It names its item by code and keeps no foreign key: a
    re-import of the official list that drops or renames the item leaves the phrasing in place (it
    applies again when the item is back). Undoing keeps the row, with who undid it and when."""

    __tablename__ = "curator_phrasings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phrase: Mapped[str] = mapped_column(String(200), index=True)  # normalised, redacted
    item_code: Mapped[str] = mapped_column(String(64), index=True)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime)  # UTC
    removed_by: Mapped[Optional[str]] = mapped_column(String(32))
    removed_at: Mapped[Optional[datetime]] = mapped_column(DateTime)  # UTC; set: undone
