"""The curators' page: what went unanswered, its figures, and the phrasings curators attach.

- ``/curator``                           the report page (agent token, as ``/agent``: header or ``?token=``);
- ``GET  /api/curator/report``           the same report as JSON (``?start=&end=`` dates, default the last 7 days);
- ``GET  /api/curator/report.csv``       its groups as CSV; ``/api/curator/figures.csv`` its figures per day;
- ``GET  /api/curator/phrasings``        the phrasings attached (and undone), with who and when;
- ``POST /api/curator/phrasings``        attach a phrasing to an item: in force for the next message;
- ``POST /api/curator/phrasings/{id}/undo``;
- ``POST /api/curator/explain``         why a message gets its reply (``actions.explain``): the NLU's
  reading, the rule that decided, the resolver's ranking; nothing is written, the text is not logged.
"""
from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Optional
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Path as PathParam, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from actions.explain import explain
from api import curator_report
from api.deps import RasaClientDep, ResourcesDep, SettingsDep
from api.rasa_client import RasaUnavailable
from api.redact import redact
from api.routes.agents import MISSING_TOKEN_MESSAGE, AgentAccess, _page_token_ok
from catalog import curation
from catalog.db import session_scope
from catalog.ranking import refresh_resolver

logger = logging.getLogger(__name__)

router = APIRouter(tags=["curator"])
templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
DEFAULT_DAYS = 7
FIRST_DATE, LAST_DATE = date(2000, 1, 1), date(2099, 12, 31)  # the dates a report may name
MAX_ID = 2**31 - 1  # row ids fit a 32-bit INTEGER column


class AttachBody(BaseModel):
    phrase: str = Field(..., min_length=1, max_length=200, description="市民的说法（服务端规范化并脱敏）")
    item_code: str = Field(..., pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
    curator: str = Field(..., min_length=1, max_length=32, description="操作人")


class ExplainBody(BaseModel):
    text: str = Field(..., min_length=1, max_length=500, description="市民的一句话（新对话的第一句）")


class UndoBody(BaseModel):
    curator: str = Field(..., min_length=1, max_length=32)


def _period(settings: Any, start: Optional[date], end: Optional[date]) -> curator_report.Period:
    zone = ZoneInfo(settings.takeover_timezone)
    if start is None and end is None:
        return curator_report.Period.last_days(DEFAULT_DAYS, zone)
    if any(day is not None and not FIRST_DATE <= day <= LAST_DATE for day in (start, end)):
        # 「end=0001-01-01」 would reach past the calendar's first day (an OverflowError, a 500).
        raise HTTPException(status_code=422, detail=f"日期须在{FIRST_DATE.isoformat()}至{LAST_DATE.isoformat()}之间。")
    end = end or (start + timedelta(days=DEFAULT_DAYS - 1))  # type: ignore[operator]
    start = start or (end - timedelta(days=DEFAULT_DAYS - 1))
    if end < start:
        raise HTTPException(status_code=422, detail="结束日期早于开始日期。")
    if (end - start).days + 1 > curator_report.MAX_PERIOD_DAYS:
        raise HTTPException(status_code=422, detail=f"统计区间最长{curator_report.MAX_PERIOD_DAYS}天。")
    return curator_report.Period(start, end, zone)


StartDate = Annotated[Optional[date], Query(description="开始日期（含），如 2026-12-01")]
EndDate = Annotated[Optional[date], Query(description="结束日期（含）")]


async def _report(resources: Any, settings: Any, start: Optional[date], end: Optional[date]) -> dict[str, Any]:
    period = _period(settings, start, end)
    await run_in_threadpool(resources.exchange_log.flush)  # the turns still queued for the log count too
    return await run_in_threadpool(curator_report.build_report, resources.desk.engine, period)


@router.get("/curator", include_in_schema=False, response_model=None)
async def curator_page(request: Request, resources: ResourcesDep, settings: SettingsDep,
                       start: StartDate = None, end: EndDate = None) -> HTMLResponse:
    if not _page_token_ok(request):
        return HTMLResponse("<!doctype html><meta charset=utf-8><title>需要坐席令牌</title>"
                            f"<p>{MISSING_TOKEN_MESSAGE}</p>", status_code=401)
    report = await _report(resources, settings, start, end)
    phrasings = await run_in_threadpool(_listing, resources)
    return templates.TemplateResponse(request, "curator.html", {
        "report": report, "charts": curator_report.charts(report["figures"]), "phrasings": phrasings,
        "trend": curator_report.trend_svg,
    })


@router.get("/api/curator/report")
async def report_json(resources: ResourcesDep, settings: SettingsDep, _access: AgentAccess,
                      start: StartDate = None, end: EndDate = None) -> dict[str, Any]:
    """转人工与不满意评价，按市民提问聚类（相近说法合并），附每日指标。"""
    return await _report(resources, settings, start, end)


def _csv(text: str, name: str) -> Response:
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/api/curator/report.csv", response_class=Response)
async def report_csv(resources: ResourcesDep, settings: SettingsDep, _access: AgentAccess,
                     start: StartDate = None, end: EndDate = None) -> Response:
    report = await _report(resources, settings, start, end)
    return _csv(curator_report.groups_csv(report), f"unanswered_{report['start']}_{report['end']}.csv")


@router.get("/api/curator/figures.csv", response_class=Response)
async def figures_csv(resources: ResourcesDep, settings: SettingsDep, _access: AgentAccess,
                      start: StartDate = None, end: EndDate = None) -> Response:
    report = await _report(resources, settings, start, end)
    return _csv(curator_report.figures_csv(report), f"figures_{report['start']}_{report['end']}.csv")


def _listing(resources: Any) -> list[dict[str, Any]]:
    with resources.catalog_sessions() as session:
        return [asdict(view) for view in curation.listing(session)]


@router.get("/api/curator/phrasings")
async def phrasings(resources: ResourcesDep, _access: AgentAccess) -> dict[str, Any]:
    return {"phrasings": await run_in_threadpool(_listing, resources)}


def _write(resources: Any, change: Any) -> dict[str, Any]:
    try:
        with session_scope(resources.catalog_sessions) as session:
            row = change(session)
            view = {"id": row.id, "phrase": row.phrase, "item_code": row.item_code,
                    "item_name": curation.target_name(session, row.item_code)}
    except curation.CurationError as error:
        raise HTTPException(status_code=error.status, detail=error.message) from error
    with resources.catalog_sessions() as session:
        # Committed: the resolver is built again here, off the chat's path (a build takes seconds;
        # the messages read meanwhile use the old index), and the next message is read with it.
        refresh_resolver(session)
    return view


@router.post("/api/curator/phrasings", status_code=201, responses={404: {}, 409: {}, 422: {}})
async def attach(body: AttachBody, resources: ResourcesDep, _access: AgentAccess) -> dict[str, Any]:
    """把市民的说法关联到事项：立即生效（无需重新训练或重启），记录操作人与时间，可撤销。"""
    phrase = redact(body.phrase)
    view = await run_in_threadpool(
        _write, resources, lambda session: curation.attach(session, phrase, body.item_code, body.curator))
    logger.info("curator %s attached a phrasing to %s", body.curator, body.item_code)
    return view


@router.post("/api/curator/phrasings/{number}/undo", responses={404: {}, 409: {}})
async def undo(number: Annotated[int, PathParam(ge=1, le=MAX_ID)], body: UndoBody, resources: ResourcesDep, _access: AgentAccess) -> dict[str, Any]:
    view = await run_in_threadpool(_write, resources, lambda session: curation.undo(session, number, body.curator))
    logger.info("curator %s undid phrasing %d", body.curator, number)
    return view


def _explained(resources: Any, parse: dict[str, Any]) -> dict[str, Any]:
    with resources.catalog_sessions() as session:
        return explain(session, parse)


@router.post("/api/curator/explain", responses={422: {}, 503: {}})
async def explain_message(body: ExplainBody, resources: ResourcesDep, rasa: RasaClientDep,
                          _access: AgentAccess) -> dict[str, Any]:
    """说法诊断：这句话作为新对话的第一句，会被怎样理解（意图、识别出的事项、起作用的规则、全清单排序）。只读，不记录原文。"""
    text = body.text.strip()
    if not text:
        raise HTTPException(status_code=422, detail="请输入市民的一句话。")
    try:
        parse = await rasa.parse(text)
    except RasaUnavailable as exc:
        logger.warning("explain: the NLU could not be reached: %s", exc)
        raise HTTPException(status_code=503, detail="意图识别服务暂不可用，请稍后再试。") from exc
    return await run_in_threadpool(_explained, resources, parse)
