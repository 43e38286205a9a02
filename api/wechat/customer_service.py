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

    def __init__(self, app_id: str, app_secret: str, redis_url: Optional[str] = None, timeout: float = 5.0,
                 api_base_url: Optional[str] = None):
        from wechatpy import WeChatClient

        session = None
        if redis_url:
            import redis
            from wechatpy.session.redisstorage import RedisStorage

            session = RedisStorage(redis.Redis.from_url(redis_url), prefix="wyc:wechatpy")
        if api_base_url:
            self._client = _through(api_base_url)(app_id, app_secret, session=session, timeout=timeout)
        else:
            self._client = WeChatClient(app_id, app_secret, session=session, timeout=timeout)

    def send_text(self, openid: str, text: str) -> None:
        """Blocking HTTP call; callers run it in a worker thread. Raises wechatpy's
        WeChatClientException on API errors (e.g. 45015: the 48-hour window has passed)."""
        self._client.message.send_text(openid, text)


def _through(api_base_url: str):
    """wechatpy's client with every call, the access token's too, sent to ``api_base_url`` (a proxy
    of a closed network; the tests' local fake) instead of api.weixin.qq.com."""
    from wechatpy import WeChatClient

    class ProxiedClient(WeChatClient):
        API_BASE_URL = api_base_url.rstrip("/") + "/"

        def fetch_access_token(self):
            return self._fetch_access_token(
                url=self.API_BASE_URL + "token",
                params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
            )

    return ProxiedClient


def customer_service_from_settings(settings) -> Optional[CustomerServiceClient]:
    if not (settings.wechat_app_id and settings.wechat_app_secret):
        logger.warning("WECHAT_APP_ID/WECHAT_APP_SECRET unset: late answers cannot be delivered")
        return None
    return CustomerServiceClient(settings.wechat_app_id, settings.wechat_app_secret, settings.redis_url,
                                 api_base_url=getattr(settings, "wechat_api_base_url", None))
