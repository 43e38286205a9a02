"""一事一码: the full guide of an item or bundle as a mobile page, as JSON, and as a QR code.

Tailoring travels in the query string, so a QR code or a shared link keeps it:
``?town=<code>&village=<code>`` for the place, ``?<fact>=<value>`` (e.g. ``delegated=yes``)
for situation facts the catalog knows.
"""
from __future__ import annotations

import io
import logging
import re
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlencode

import segno
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from api import guide_view
from api.deps import ResourcesDep, SessionDep, SettingsDep
from api.schemas import ErrorDetail
from catalog import listings
from catalog.contract import HOTLINE, LEVEL_LABELS, TRIPS_LABEL

logger = logging.getLogger(__name__)

router = APIRouter(tags=["guides"])
templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
REGION_CODE_PATTERN = re.compile(r"^[0-9]{6,12}$")
FACT_VALUE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
PLACE_PARAMS = ("town", "village")

LEVEL_EXPLANATIONS = {
    "village": "村（社区）便民服务站即可办理，不必跑到乡镇或区里。",
    "town": "在乡镇（街道）便民服务中心办理；村（社区）便民服务站不受理本事项。",
    # A village-level item answered at the town centre (no village said): both take it.
    "town_or_village": "在乡镇（街道）便民服务中心办理；您所在村（社区）的便民服务站也可办理。",
    "county": "在区政务服务中心办理：全区统一窗口，与您住在哪个乡镇无关。",
    "city": "在市政务服务中心办理：全市统一窗口，与您住在哪个区县、乡镇无关。",
}
NO_PLACE_EXPLANATION = "区政务服务中心可以办理；本事项在乡镇（街道）或村（社区）也能办，选择您所在的乡镇可就近办理。"


def where_to_go(location: Optional[dict[str, Any]], target_level: Optional[str]) -> list[str]:
    """The page's one statement of where to go: the level's explanation and the location's note,
    never two sentences that contradict each other (「村站不受理」 then 「村站也可办理」)."""
    if not location:
        return []
    level, note = location.get("level"), location.get("note")
    if level == "county" and target_level not in (None, "county", "city"):
        return [NO_PLACE_EXPLANATION] + ([note] if note else [])
    if level == "town" and target_level == "village":
        return [LEVEL_EXPLANATIONS["town_or_village"]]  # the note says the same of the village station
    return [text for text in (LEVEL_EXPLANATIONS.get(level or ""), note) if text]


class Tailoring:
    """Place codes and facts read from the query string; only what the catalog knows is kept."""

    def __init__(self, town: Optional[str], village: Optional[str], facts: dict[str, str]) -> None:
        self.town = town
        self.village = village
        self.facts = facts

    def query_string(self) -> str:
        pairs = [(key, value) for key, value in (("town", self.town), ("village", self.village)) if value]
        pairs += sorted(self.facts.items())
        return urlencode(pairs)


def read_tailoring(request: Request, session: Session) -> Tailoring:
    params = request.query_params
    town, village = (_region_code(params.get(name)) for name in PLACE_PARAMS)
    known = _known_fact_keys(session)
    facts = {
        key: value
        for key, value in params.items()
        if key in known and FACT_VALUE_PATTERN.fullmatch(value)
    }
    return Tailoring(town, village, facts)


def _region_code(value: Optional[str]) -> Optional[str]:
    if not value:
        return None
    if not REGION_CODE_PATTERN.fullmatch(value):
        raise HTTPException(status_code=422, detail="town / village 须为 6–12 位数字的行政区划代码")
    return value


def _known_fact_keys(session: Session) -> set[str]:
    return listings.fact_keys(session)


def load_target(session: Session, code: str) -> Any:
    from catalog.targets import get_target

    target = get_target(session, code) if CODE_PATTERN.fullmatch(code) else None
    if target is None:
        raise HTTPException(status_code=404, detail=not_found_message(code))
    return target


def not_found_message(code: str) -> str:
    shown = code if CODE_PATTERN.fullmatch(code) else "（格式无效）"
    return f"未找到编码为 {shown} 的事项或一件事。请核对链接，或拨打{HOTLINE}咨询。"


def build_guide(session: Session, target: Any, tailoring: Tailoring, public_base: str) -> dict[str, Any]:
    from catalog.guide import guide
    from catalog.places import place_from_codes

    place = place_from_codes(session, town_code=tailoring.town, village_code=tailoring.village)
    return guide(session, target, tailoring.facts, place, public_base=public_base)


def page_view(payload: dict[str, Any]) -> dict[str, Any]:
    """The guide page's view of the payload (api/guide_view.py, shared with WeChat)."""
    return {
        "gv": guide_view,
        "materials": [guide_view.material_view(m) for m in payload.get("materials") or []],
        "missing": guide_view.missing_fields(payload),
        "link_only": guide_view.is_link_only(payload) and not payload.get("bundle"),
        "departments": guide_view.departments(payload),
        "terms": [("办理时限", "time_limit", payload.get("time_limit")), ("收费", "fee", payload.get("fee")),
                  (TRIPS_LABEL, "trips", guide_view.trips_text(payload)), ("网上办理", "online", payload.get("online"))],
    }


def page_url(public_base: str, code: str, tailoring: Tailoring) -> str:
    query = tailoring.query_string()
    return f"{public_base}/guide/{code}" + (f"?{query}" if query else "")


def qr_target_url(target: Any, public_base: str, tailoring: Tailoring) -> str:
    """The official guide where one exists, else this tailored page."""
    return getattr(target, "guide_url", None) or page_url(public_base, target.code, tailoring)


def _public_base(settings: Any) -> str:
    return settings.public_base_url.rstrip("/")


# --- routes ---------------------------------------------------------------------------------


@router.get("/guide/{code}", response_class=HTMLResponse, responses={404: {"description": "未知编码（HTML 页面）"}})
def guide_page(code: str, request: Request, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    """手机友好的完整办事指南页（一次性告知）。"""
    try:
        target = load_target(session, code)
    except HTTPException as exc:
        return templates.TemplateResponse(
            request, "guide.html", {"error": exc.detail, "code": code}, status_code=exc.status_code
        )
    tailoring = read_tailoring(request, session)
    public_base = _public_base(settings)
    payload = build_guide(session, target, tailoring, public_base)
    context = {
        **page_context(payload, target.level),
        "kind": target.kind,
        "qr_src": f"/guide/{target.code}/qr.svg" + (f"?{tailoring.query_string()}" if tailoring.query_string() else ""),
        "towns": _towns(session) if _needs_place(target, tailoring) else [],
        "facts": tailoring.facts,
    }
    return templates.TemplateResponse(request, "guide.html", context)


def page_context(payload: dict[str, Any], target_level: Optional[str]) -> dict[str, Any]:
    return {
        "guide": payload,
        "code": payload.get("code"),
        "target_level": target_level,
        "where": where_to_go(payload.get("location"), target_level),
        "level_labels": LEVEL_LABELS,
        "towns": [],
        "facts": {},
        **page_view(payload),
    }


# --- one answer as it was given (catalog/shares.py) ----------------------------------------------


def shared_not_found(retention_days: int) -> str:
    return (f"这个链接无效或已过期：对话中的定制清单保存 {retention_days} 天。"
            f"请重新提问，或拨打{HOTLINE}咨询。")


def _load_shared(session: Session, share_id: str, settings: Any, shares: Any = None) -> Any:
    """``shares``: the app's AnswerShares; an id it may still be writing is waited for once."""
    from catalog.shares import is_share_id, load_answer

    answer = load_answer(session, share_id)
    if answer is None and shares is not None and is_share_id(share_id):
        shares.flush()
        session.rollback()  # a new read transaction sees what the writer committed since
        answer = load_answer(session, share_id)
    if answer is None:
        raise HTTPException(status_code=404, detail=shared_not_found(settings.share_retention_days))
    return answer


@router.get("/guide/t/{share_id}", response_class=HTMLResponse,
            responses={404: {"description": "链接无效或已过期（HTML 页面）"}})
def shared_answer_page(share_id: str, request: Request, session: SessionDep, settings: SettingsDep,
                       resources: ResourcesDep) -> HTMLResponse:
    """对话中给出的那一份定制清单（事项或一件事、乡镇、按所说情况取舍的材料），附官方办事指南链接。"""
    try:
        answer = _load_shared(session, share_id, settings, resources.shares)
    except HTTPException as exc:
        return templates.TemplateResponse(
            request, "guide.html", {"error": exc.detail, "code": None}, status_code=exc.status_code
        )
    payload = answer.payload
    target = _target_or_none(session, payload.get("code"))
    context = {
        **page_context(payload, target.level if target else None),
        "kind": "bundle" if payload.get("bundle") else "item",
        "qr_src": f"/guide/t/{answer.id}/qr.svg",
        "shared": {"expires": answer.expires_at.strftime("%Y-%m-%d"),
                   "general_url": f"/guide/{payload['code']}" if target else None},
    }
    return templates.TemplateResponse(request, "guide.html", context)


@router.get("/guide/t/{share_id}/qr.svg", response_class=Response,
            responses={200: {"content": {"image/svg+xml": {}}}, 404: {"model": ErrorDetail}})
def shared_answer_qr_svg(share_id: str, session: SessionDep, settings: SettingsDep,
                         resources: ResourcesDep) -> Response:
    answer = _load_shared(session, share_id, settings, resources.shares)
    return Response(render_qr(_shared_url(settings, answer.id), "svg"), media_type="image/svg+xml",
                    headers=_qr_headers())


@router.get("/guide/t/{share_id}/qr.png", response_class=Response,
            responses={200: {"content": {"image/png": {}}}, 404: {"model": ErrorDetail}})
def shared_answer_qr_png(share_id: str, session: SessionDep, settings: SettingsDep,
                         resources: ResourcesDep) -> Response:
    answer = _load_shared(session, share_id, settings, resources.shares)
    return Response(render_qr(_shared_url(settings, answer.id), "png"), media_type="image/png", headers=_qr_headers())


def _shared_url(settings: Any, share_id: str) -> str:
    from api.shares import share_path

    return f"{_public_base(settings)}{share_path(share_id)}"


def _target_or_none(session: Session, code: Any) -> Any:
    from catalog.targets import get_target

    return get_target(session, code) if isinstance(code, str) and CODE_PATTERN.fullmatch(code) else None


@router.get("/api/guide/{code}", responses={404: {"model": ErrorDetail}, 422: {"model": ErrorDetail}})
def guide_json(code: str, request: Request, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """catalog.guide() 的 JSON（坐席台使用），可带 town / village / 情形参数。"""
    target = load_target(session, code)
    return build_guide(session, target, read_tailoring(request, session), _public_base(settings))


@router.get("/guide/{code}/qr.svg", response_class=Response, responses={200: {"content": {"image/svg+xml": {}}}})
def guide_qr_svg(code: str, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    url = qr_target_url(load_target(session, code), _public_base(settings), read_tailoring(request, session))
    return Response(render_qr(url, "svg"), media_type="image/svg+xml", headers=_qr_headers())


@router.get("/guide/{code}/qr.png", response_class=Response, responses={200: {"content": {"image/png": {}}}})
def guide_qr_png(code: str, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    url = qr_target_url(load_target(session, code), _public_base(settings), read_tailoring(request, session))
    return Response(render_qr(url, "png"), media_type="image/png", headers=_qr_headers())


@router.get("/api/towns")
def list_towns(session: SessionDep) -> dict[str, Any]:
    """全部乡镇（街道）：追问「您在哪个乡镇（街道）」时挂件给出的选项（公开的行政区划，不含个人信息）。"""
    return {"towns": _towns(session)}


def render_qr(url: str, kind: str) -> bytes:
    # Error level M survives a crumpled printout; scale 6 prints at about 3 cm.
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind=kind, scale=6, border=4)
    return buffer.getvalue()


def _qr_headers() -> dict[str, str]:
    return {"Cache-Control": "public, max-age=3600"}


def _needs_place(target: Any, tailoring: Tailoring) -> bool:
    """Offer a town picker when the place would change the answer and none was given."""
    return getattr(target, "level", "county") not in ("county", "city") and not (tailoring.town or tailoring.village)


def _towns(session: Session) -> list[dict[str, str]]:
    return [{"code": town.code, "name": town.name} for town in listings.towns(session)]
