"""POST /api/chat — the web widget's (and any HTTP client's) door to the gateway."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.deps import AnswerSharesDep, GatewayDep
from api.schemas import ChatRequest, ChatResponse, ErrorDetail

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
async def chat(request: ChatRequest, gateway: GatewayDep, shares: AnswerSharesDep,
               http: Request) -> ChatResponse | JSONResponse:
    """一次提问，一次完整答复（一次性告知）；每份指南带自己的短链接和二维码（share_url, qr_url）。"""
    # Behind nginx, uvicorn takes the address from X-Forwarded-For (it trusts 127.0.0.1 by default).
    client = http.client.host if http.client else None
    response = await gateway.handle_message(request.sender_id, request.message, channel=CHANNEL, client=client)
    if shares.has_guides(response):  # what the citizen scans at the hall is this answer's own list
        await run_in_threadpool(shares.attach, response)
    if response.status == "assistant_unavailable":
        return JSONResponse(status_code=503, content=response.model_dump(mode="json"))
    return response
