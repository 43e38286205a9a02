"""POST /api/chat — the web widget's (and any HTTP client's) door to the gateway; POST /api/chat/restart ends a
conversation on the server too (the widget's 「重新开始」)."""
from __future__ import annotations

import logging

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse

from api.deps import GatewayDep, RasaClientDep
from api.gateway import validate_sender_id
from api.rasa_client import RasaUnavailable
from api.redact import redact
from api.schemas import ChatRequest, ChatResponse, ErrorDetail, RestartRequest, RestartResponse

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api", tags=["chat"])

CHANNEL = "web"


@router.post(
    "/chat",
    response_model=ChatResponse,
    responses={
        413: {"model": ErrorDetail, "description": "消息过长"},
        422: {"description": "请求格式错误、消息为空或 sender_id 无效"},
        503: {"model": ChatResponse, "description": "智能助手不可用：返回 handoff（拨打12345），对话已记录"},
    },
)
async def chat(request: ChatRequest, gateway: GatewayDep, http: Request) -> ChatResponse | JSONResponse:
    """一次提问，一次完整答复（一次性告知）；每份指南带自己的短链接和二维码（share_url, qr_url）。"""
    # Behind nginx, uvicorn takes the address from X-Forwarded-For (it trusts 127.0.0.1 by default).
    client = http.client.host if http.client else None
    response = await gateway.handle_message(request.sender_id, request.message, channel=CHANNEL, client=client)
    if response.status == "assistant_unavailable":
        return JSONResponse(status_code=503, content=response.model_dump(mode="json"))
    return response


@router.post(
    "/chat/restart",
    response_model=RestartResponse,
    responses={422: {"description": "sender_id 无效"}, 503: {"model": ErrorDetail, "description": "智能助手不可用"}},
)
async def restart(request: RestartRequest, rasa: RasaClientDep) -> RestartResponse:
    """「重新开始」：服务端也结束这次对话，之前说过的乡镇、情形和未答的问题都不再沿用。"""
    validate_sender_id(request.sender_id, CHANNEL)
    try:
        await rasa.restart(request.sender_id)
    except RasaUnavailable as exc:
        logger.warning("restart of sender %s failed: %s", redact(request.sender_id), exc)
        raise HTTPException(status_code=503, detail="暂时无法结束对话，请稍后再试或关闭页面。") from exc
    logger.info("sender %s restarted the conversation", redact(request.sender_id))
    return RestartResponse(sender_id=request.sender_id, restarted=True)
