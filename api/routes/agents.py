"""Agent console and web front-end routes.

- ``/``            the demo host page of the embeddable chat widget (``/static/widget.js``), named and
                   worded for the region the service runs (``templates/demo.html``, WYC_REGION);
- ``/static/...``  the widget and agent-console files (plain HTML/CSS/JS, no build step);
- ``/agent``       the hotline agent console page;
- ``/api/items``, ``/api/items/{code}/facts``, ``/api/regions``  the lookups the console uses.

When ``settings.agent_token`` is set, the console page and every agent API require it:
header ``X-Agent-Token`` (the console's JS sends it) or, for the page only, ``?token=``.
"""
from __future__ import annotations

import hmac
import logging
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, Optional

from fastapi import APIRouter, Depends, HTTPException, Path as PathParam, Query, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from api.deps import SessionDep, SettingsDep
from api.routes.guides import templates
from catalog import listings
from catalog.contract import HOTLINE

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
TOKEN_HEADER = "X-Agent-Token"
MISSING_TOKEN_MESSAGE = (
    "需要坐席令牌（agent token）：请在请求头 X-Agent-Token 中提供，或在坐席页面地址后加 ?token=…"
)
# Region and item codes are short ASCII identifiers; anything else is a caller error, not a lookup.
REGION_CODE_PATTERN = r"^[0-9]{6,12}$"
ITEM_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
NOT_LISTED_HINT = f"不在事项清单中：请按 {HOTLINE} 工单流程登记来电人诉求，转交承办单位办理。"

router = APIRouter()
router.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")


# --- access control -----------------------------------------------------------------------


def _configured_token(request: Request) -> Optional[str]:
    # create_app() keeps its Settings on app.state, so tests can build apps with their own token.
    settings = request.app.state.settings
    return settings.agent_token or None


def _token_matches(expected: str, given: Optional[str]) -> bool:
    if not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def require_agent_token(request: Request) -> None:
    """Agent APIs: the token travels in a header only, so it stays out of access logs."""
    expected = _configured_token(request)
    if expected is None:
        return
    if not _token_matches(expected, request.headers.get(TOKEN_HEADER)):
        raise HTTPException(status_code=401, detail=MISSING_TOKEN_MESSAGE)


AgentAccess = Annotated[None, Depends(require_agent_token)]


def _page_token_ok(request: Request) -> bool:
    expected = _configured_token(request)
    if expected is None:
        return True
    given = request.headers.get(TOKEN_HEADER) or request.query_params.get("token")
    return _token_matches(expected, given)


# --- pages --------------------------------------------------------------------------------


# The demo host page's words for each shipped region (catalog/seed.py REGIONS): its common services
# and where its guides come from. The region's name comes from its loaded catalog.
DEMO_TILES = {
    "511602": (("社会保障卡", "申领、补领、换领、注销"), ("最低生活保障", "村（社区）便民服务站即可受理"),
               ("我要开小餐馆", "营业执照、食品经营、涉税事项一次办"), ("新生儿出生一件事", "出生证明、落户、医保、社保卡")),
    "450600": (("生育保险", "生育医疗费用报销、生育津贴"), ("住房公积金", "购房、租房、还贷、退休提取"),
               ("不动产登记", "转移、抵押、补证、换证"), ("驾驶证和机动车", "补换领、审验、过户、上牌")),
}
DEMO_DATA_NOTES = {
    "511602": "材料为示例数据，以官方办事指南为准",
    "450600": "办事指南来自广西政务服务网公开数据，以官方办事指南为准",
}
DEMO_DATA_NOTE = "以官方办事指南为准"
# The widget's greeting examples and 「都不是」 menu for a region (widget.js data-examples, data-needs);
# a region not named here keeps the widget's own (广安区's).
DEMO_WIDGET = {
    "450600": {"examples": "生育津贴怎么领|驾驶证补换领要带什么|社保卡补办",
               "needs": "生育津贴、产检费用报销、公积金提取、驾驶证补换领、不动产权证补发、社保卡补办"},
}
# The widget's own greeting examples (widget.js EXAMPLES) name 广安区's 龙台镇; a county loaded without
# words of its own here gets them with its first town (no town where the town is never asked).
WIDGET_REGION = "511602"
WIDGET_EXAMPLES = ("社保卡丢了怎么补", "我想开个小饭馆要准备啥", "怎么申请低保")
IN_TOWN = "我在{town}，{question}"


def demo_site(session: Session, region: str) -> dict[str, Any]:
    """What the demo page says of the region the service runs (WYC_REGION): its name, whether its items
    are handled below the city so the citizen's town matters, its common services and its data."""
    # A catalog loaded without the configured region's row is named by its own top region.
    found = listings.home_region(session, region)
    region = found.code if found is not None else region
    below_city = listings.handles_below_city(session, region)
    widget = dict(DEMO_WIDGET.get(region, {}), **({} if below_city else {"place": "false"}))
    if region not in DEMO_WIDGET and region != WIDGET_REGION:
        towns = listings.towns(session, within=region)
        if towns:
            first = IN_TOWN.format(town=towns[0].name, question=WIDGET_EXAMPLES[0]) if below_city \
                else WIDGET_EXAMPLES[0]
            widget["examples"] = "|".join((first, *WIDGET_EXAMPLES[1:]))
    return {"region": found.name if found is not None else region, "asks_place": below_city,
            "tiles": DEMO_TILES.get(region, ()), "data_note": DEMO_DATA_NOTES.get(region, DEMO_DATA_NOTE),
            "widget": sorted(widget.items())}


@router.get("/", include_in_schema=False)
def widget_demo_page(request: Request, session: SessionDep) -> HTMLResponse:
    site = demo_site(session, request.app.state.settings.region)
    return templates.TemplateResponse(request, "demo.html", {"site": site})


@router.get("/agent", include_in_schema=False, response_model=None)
def agent_console_page(request: Request) -> FileResponse | HTMLResponse:
    if not _page_token_ok(request):
        return HTMLResponse(
            "<!doctype html><meta charset=utf-8><title>需要坐席令牌</title>"
            f"<p>{MISSING_TOKEN_MESSAGE}</p>",
            status_code=401,
        )
    return FileResponse(STATIC_DIR / "agent.html", media_type="text/html; charset=utf-8")


# --- agent APIs ---------------------------------------------------------------------------


@router.get("/api/items", tags=["agents"])
def search_items(
    session: SessionDep,
    _access: AgentAccess,
    q: Annotated[str, Query(min_length=1, max_length=100, description="事项名称或口语说法")],
    limit: Annotated[int, Query(ge=1, le=20)] = 10,
) -> dict[str, Any]:
    """Search-as-you-type for agents (catalog.agent_search): best first, no scores; ``listed`` false
    when nothing on the list fits, with the 12345 工单 route in ``hint``."""
    from catalog.agent_search import agent_search  # loads jieba tables; import on first use

    query = q.strip()
    if not query:
        raise HTTPException(status_code=422, detail="q 不能为空")
    found = agent_search(session, query, limit=limit)
    return {
        "query": query,
        "results": [asdict(hit) for hit in found.results],
        "listed": found.listed,
        "hint": None if found.listed else NOT_LISTED_HINT,
    }


@router.get("/api/regions", tags=["agents"])
def list_regions(
    session: SessionDep,
    _access: AgentAccess,
    parent: Annotated[Optional[str], Query(pattern=REGION_CODE_PATTERN)] = None,
) -> dict[str, Any]:
    """Without ``parent``: every town/street; with it: that region's villages/communities."""
    regions = listings.towns(session) if parent is None else listings.child_regions(session, parent)
    if regions is None:
        raise HTTPException(status_code=404, detail=f"未知的行政区划代码：{parent}")
    return {"parent": parent, "regions": [asdict(region) for region in regions]}


@router.get("/api/items/{code}/facts", tags=["agents"])
def target_facts(
    session: SessionDep,
    _access: AgentAccess,
    code: Annotated[str, PathParam(pattern=ITEM_CODE_PATTERN)],
) -> dict[str, Any]:
    """The situation facts (情形) an item or bundle uses, in asking order, with their options.

    The guide payload (docs/DESIGN.md §6) lists materials, not the facts behind them; the console
    needs the facts to offer one toggle per fact.
    """
    from catalog import queries  # as in search_items: loaded on first use

    target = queries.get_target(session, code)
    if target is None:
        raise HTTPException(status_code=404, detail=f"未找到事项：{code}")
    # The facts the bot itself would weigh (queries.fact_keys): a bundle's own, then its members',
    # leaving out a member's fact whose materials the bundle replaces (its toggle would change nothing).
    keys = queries.fact_keys(session, target, {})
    return _facts_response(code, target.name, target.kind, listings.facts_by_key(session, keys))


def _facts_response(code: str, name: str, kind: str, facts: list[listings.FactEntry]) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "kind": kind,
        "facts": [
            {
                "key": fact.key,
                "kind": fact.kind,
                "question": fact.question,
                "options": [
                    {"value": option.value, "label": option.label, "condition_text": option.condition_text}
                    for option in fact.options
                ],
            }
            for fact in facts
        ],
    }


# --- a live call: the caller's words, and the SMS with the answer's own link -------------------


class CallerWords(BaseModel):
    text: str = Field(..., min_length=1, max_length=500, description="来电人的原话（坐席输入或粘贴）")


@router.post("/api/agent/understand", tags=["agents"])
def understand_caller(words: CallerWords, session: SessionDep, _access: AgentAccess) -> dict[str, Any]:
    """来电人的原话，用与对话相同的理解（catalog.queries.resolve）：确定的事项（或候选）、乡镇、情形。
    原话不记录、不写日志（可能含号码）。"""
    from catalog import queries
    from catalog.agent_search import agent_search

    text = words.text.strip()
    if not text:
        raise HTTPException(status_code=422, detail="text 不能为空")
    resolution = queries.resolve(session, text)
    found = agent_search(session, text, limit=5)
    target = None
    if resolution.decision == "answer":
        top = next((hit for hit in found.results if hit.code == resolution.codes[0]), None)
        target = asdict(top) if top else {"code": resolution.codes[0], "name": resolution.ranked[0].name,
                                          "kind": resolution.ranked[0].kind}
    place = queries.resolve_place(session, text)
    return {
        "decision": resolution.decision,
        "target": target,
        "candidates": [asdict(hit) for hit in found.results],
        "town": asdict(place.town) if place.town else None,
        "village": asdict(place.village) if place.village else None,
        "facts": queries.parse_facts(session, text),
        "listed": found.listed,
        "hint": None if found.listed else NOT_LISTED_HINT,
    }


class AgentShareRequest(BaseModel):
    code: str = Field(..., pattern=ITEM_CODE_PATTERN)
    town: Optional[str] = Field(None, pattern=REGION_CODE_PATTERN)
    village: Optional[str] = Field(None, pattern=REGION_CODE_PATTERN)
    facts: dict[str, Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")]] = Field(default_factory=dict)


@router.post("/api/agent/share", tags=["agents"])
def share_for_caller(body: AgentShareRequest, session: SessionDep, settings: SettingsDep,
                     _access: AgentAccess) -> dict[str, Any]:
    """按来电人情况定制的这份答复的短链接、二维码，和不超过 140 字的短信（含短链接）。不含个人信息。"""
    from api import guide_view
    from api.routes.guides import Tailoring, _known_fact_keys, build_guide, load_target
    from api.shares import share_path
    from catalog.shares import save_answer

    target = load_target(session, body.code)
    known = _known_fact_keys(session)
    tailoring = Tailoring(body.town, body.village, {k: v for k, v in body.facts.items() if k in known})
    base = settings.public_base_url.rstrip("/")
    payload = build_guide(session, target, tailoring, base)
    try:
        answer = save_answer(session, payload, settings.share_retention_days)
        session.commit()
    except SQLAlchemyError as exc:  # e.g. a catalog database not migrated to the shared_answers table
        session.rollback()
        logger.warning("shared answer not stored for the console (%s)", type(exc).__name__)
        raise HTTPException(status_code=503, detail="短链接暂不可用，请稍后再试或读出答复。") from exc
    share_url = base + share_path(answer.id)
    return {"share_url": share_url, "qr_url": share_url + "/qr.svg", "sms": guide_view.sms_text(payload, share_url)}
