"""The long-lived parts of the WeChat channel, built once per app from settings."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable, Optional

from api.wechat.conversation import WeChatConversation
from api.wechat.customer_service import TextSender, customer_service_from_settings
from api.wechat.delivery import ReplyCoordinator
from api.wechat.location import CatalogLocationFinder, LocationFinder
from api.wechat.store import ConversationMemory, KeyValueStore, MessageClaims, make_store

logger = logging.getLogger(__name__)

_FROM_SETTINGS: Any = object()  # sentinel: build the part from settings


@dataclass
class WeChatRuntime:
    token: Optional[str]
    crypto: Any  # wechatpy.crypto.WeChatCrypto in safe mode, else None
    conversation: WeChatConversation
    coordinator: ReplyCoordinator

    @property
    def configured(self) -> bool:
        return bool(self.token)


def make_crypto(settings) -> Any:
    """WeChatCrypto for safe (AES) mode, or None when no EncodingAESKey is configured."""
    if not (settings.wechat_token and settings.wechat_aes_key):
        return None
    from wechatpy.crypto import WeChatCrypto

    try:
        return WeChatCrypto(settings.wechat_token, settings.wechat_aes_key, settings.wechat_app_id or "")
    except (AssertionError, ValueError):  # wechatpy asserts a 43-character key decoding to 32 bytes
        logger.error("WECHAT_AES_KEY is not a valid 43-character EncodingAESKey; safe mode disabled")
        return None


def _own_sessions(database_url: str) -> Callable[[], Any]:
    built: list[Any] = []

    def sessions() -> Any:
        if not built:
            from catalog.db import make_sessionmaker

            built.append(make_sessionmaker(database_url))
        return built[0]

    return sessions


def build_runtime(
    settings,
    *,
    sender: Optional[TextSender] = _FROM_SETTINGS,
    location_finder: Optional[LocationFinder] = _FROM_SETTINGS,
    store: Optional[KeyValueStore] = None,
    reply_timeout: Optional[float] = None,
    catalog_sessions: Optional[Callable[[], Any]] = None,
) -> WeChatRuntime:
    """``catalog_sessions`` returns the app's catalog sessionmaker (shared engine); without it the
    runtime builds its own from ``settings.database_url`` on first use."""
    store = store or make_store(settings.redis_url)
    if sender is _FROM_SETTINGS:
        sender = customer_service_from_settings(settings)
    if location_finder is _FROM_SETTINGS:
        location_finder = CatalogLocationFinder(catalog_sessions or _own_sessions(settings.database_url))
    if reply_timeout is None:
        # Settings may grow a `wechat_reply_timeout_seconds`; 4 s leaves 1 s of WeChat's 5 for the network.
        reply_timeout = settings.wechat_reply_timeout_seconds
    return WeChatRuntime(
        token=settings.wechat_token,
        crypto=make_crypto(settings),
        conversation=WeChatConversation(
            ConversationMemory(store), location_finder, has_human_agents=settings.wechat_has_human_agents
        ),
        coordinator=ReplyCoordinator(MessageClaims(store), sender, reply_timeout=reply_timeout),
    )
