"""The WeChat official-account (公众号) webhook: URL verification and message push, plain and
safe (AES) mode. HTTP and crypto glue only; the answers come from ``api/wechat/``.

Whatever arrives, WeChat gets a 200 with a reply or `success` — except a bad signature (403)
and an unconfigured channel (503) — because any other status makes WeChat retry and then
show the citizen 「该公众号提供的服务出现故障」.
"""
from __future__ import annotations

import logging
import time
from typing import Annotated, Any, Optional

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse, Response
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.replies import TransferCustomerServiceReply, create_reply
from wechatpy.utils import check_signature

from api.deps import GatewayDep
from api.settings import get_settings
from api.wechat.conversation import ChatHandler
from api.wechat.delivery import Answer
from api.wechat.runtime import WeChatRuntime, build_runtime
from api.wechat.xml_safety import MAX_BODY_BYTES, UnsafeXmlError, parse_fields, parse_message_safely

logger = logging.getLogger(__name__)

router = APIRouter(tags=["wechat"])

SUCCESS = "success"  # WeChat's "received, no reply" answer; valid in plain and safe mode
NOT_CONFIGURED = "WeChat channel is not configured: set WECHAT_TOKEN (and WECHAT_AES_KEY for safe mode)."


async def get_chat_handler(gateway: GatewayDep) -> ChatHandler:
    """The gateway shared with /api/chat (``handle_message(sender_id, text, channel)``); tests
    override this dependency."""
    return gateway.handle_message


async def get_wechat_runtime(request: Request) -> WeChatRuntime:
    """Built once per app on first use (the dedup store and in-flight answers must be shared).
    Async so it runs on the event loop: two first requests cannot build two runtimes."""
    state = request.app.state
    runtime = getattr(state, "wechat_runtime", None)
    if runtime is None:
        resources = getattr(state, "resources", None)
        runtime = build_runtime(
            getattr(state, "settings", None) or get_settings(),
            catalog_sessions=(lambda: resources.catalog_sessions) if resources is not None else None,
        )
        state.wechat_runtime = runtime
    return runtime


RuntimeDep = Annotated[WeChatRuntime, Depends(get_wechat_runtime)]
ChatHandlerDep = Annotated[ChatHandler, Depends(get_chat_handler)]


def _signature_ok(token: str, signature: str, timestamp: str, nonce: str) -> bool:
    if not (signature and timestamp and nonce):
        return False
    try:
        check_signature(token, signature, timestamp, nonce)
    except InvalidSignatureException:
        return False
    return True


def _forbidden() -> Response:
    return Response(status_code=403)


def _not_configured() -> PlainTextResponse:
    return PlainTextResponse(NOT_CONFIGURED, status_code=503)


def _success() -> PlainTextResponse:
    return PlainTextResponse(SUCCESS)


@router.get("/wechat", response_class=PlainTextResponse)
def verify_server_url(
    runtime: RuntimeDep, signature: str = "", timestamp: str = "", nonce: str = "", echostr: str = ""
) -> Response:
    """服务器地址验证: echo ``echostr`` when the signature over token/timestamp/nonce holds.
    A 公众号 in safe mode verifies the same way (its echostr is not encrypted)."""
    if not runtime.configured:
        return _not_configured()
    if not _signature_ok(runtime.token, signature, timestamp, nonce):
        logger.warning("wechat URL verification with a bad or missing signature")
        return _forbidden()
    return PlainTextResponse(echostr)


async def _read_body(request: Request, limit: int = MAX_BODY_BYTES) -> Optional[bytes]:
    """The body, or None as soon as it exceeds ``limit`` (never buffered beyond it)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _decrypt(runtime: WeChatRuntime, body: bytes, msg_signature: str, timestamp: str, nonce: str) -> str:
    """The inner XML of a safe-mode message. Raises InvalidSignatureException or UnsafeXmlError."""
    if runtime.crypto is None:
        raise UnsafeXmlError("safe-mode message but WECHAT_AES_KEY is not configured")
    encrypted = parse_fields(body).get("Encrypt")
    if not encrypted:
        raise UnsafeXmlError("safe-mode message without <Encrypt>")
    try:
        # A dict, not the XML: wechatpy would otherwise re-parse the body with xmltodict.
        return runtime.crypto.decrypt_message({"Encrypt": encrypted}, msg_signature, timestamp, nonce)
    except InvalidSignatureException:
        raise
    except Exception as exc:  # wrong key, bad padding, wrong AppID
        raise UnsafeXmlError(f"cannot decrypt: {type(exc).__name__}") from exc


def _dedup_key(message: Any) -> str:
    # Messages carry a MsgId; events do not, and WeChat's advice is FromUserName + CreateTime.
    if message.id:
        return str(message.id)
    return f"{message.source}:{message.time}:{getattr(message, 'event', message.type)}"


def _render(answer: Optional[Answer], message: Any, runtime: WeChatRuntime, safe_mode: bool, nonce: str) -> Response:
    if answer is None or not (answer.text or answer.transfer_to_agent):
        return _success()
    if answer.transfer_to_agent:
        xml = TransferCustomerServiceReply(message=message).render()
    else:
        xml = create_reply(answer.text, message).render()
    if safe_mode:
        xml = runtime.crypto.encrypt_message(xml, nonce, str(int(time.time())))
    return Response(content=xml, media_type="application/xml")


@router.post("/wechat")
async def receive_message(
    request: Request,
    runtime: RuntimeDep,
    chat_handler: ChatHandlerDep,
    signature: str = "",
    timestamp: str = "",
    nonce: str = "",
    encrypt_type: str = "",
    msg_signature: str = "",
) -> Response:
    if not runtime.configured:
        return _not_configured()
    if not _signature_ok(runtime.token, signature, timestamp, nonce):
        logger.warning("wechat push with a bad or missing signature")
        return _forbidden()
    body = await _read_body(request)
    if body is None:
        logger.warning("wechat push body over %d bytes ignored", MAX_BODY_BYTES)
        return _success()
    safe_mode = encrypt_type.lower() == "aes"
    try:
        xml = _decrypt(runtime, body, msg_signature, timestamp, nonce) if safe_mode else body
        message = parse_message_safely(xml)
    except InvalidSignatureException:
        logger.warning("wechat safe-mode push with a bad msg_signature")
        return _forbidden()
    except UnsafeXmlError as exc:
        logger.warning("wechat push refused (%d bytes): %s", len(body), exc)
        return _success()
    answer = await runtime.coordinator.reply(
        _dedup_key(message), message.source, lambda: runtime.conversation.answer(message, chat_handler)
    )
    return _render(answer, message, runtime, safe_mode, nonce)
