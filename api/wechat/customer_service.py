"""Deliver an answer after the 5-second window through WeChat's customer-service message API
(客服消息, allowed within 48 hours of the citizen's last message)."""
from __future__ import annotations

import logging
from typing import Optional, Protocol

logger = logging.getLogger(__name__)


class TextSender(Protocol):
    def send_text(self, openid: str, text: str) -> None: ...


class CustomerServiceClient:
    """Wraps wechatpy's ``WeChatClient(...).message.send_text``.

    The access token is cached in Redis when a URL is given, so that several workers share one
    token instead of each fetching its own (every fetch shortens the others' validity).
    """

    def __init__(self, app_id: str, app_secret: str, redis_url: Optional[str] = None, timeout: float = 5.0):
        from wechatpy import WeChatClient

        session = None
        if redis_url:
            import redis
            from wechatpy.session.redisstorage import RedisStorage

            session = RedisStorage(redis.Redis.from_url(redis_url), prefix="wyc:wechatpy")
        self._client = WeChatClient(app_id, app_secret, session=session, timeout=timeout)

    def send_text(self, openid: str, text: str) -> None:
        """Blocking HTTP call; callers run it in a worker thread. Raises wechatpy's
        WeChatClientException on API errors (e.g. 45015: the 48-hour window has passed)."""
        self._client.message.send_text(openid, text)


def customer_service_from_settings(settings) -> Optional[CustomerServiceClient]:
    if not (settings.wechat_app_id and settings.wechat_app_secret):
        logger.warning("WECHAT_APP_ID/WECHAT_APP_SECRET unset: late answers cannot be delivered")
        return None
    return CustomerServiceClient(settings.wechat_app_id, settings.wechat_app_secret, settings.redis_url)
