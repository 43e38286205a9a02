"""Application settings: one `Settings` object, read from the environment (prefix WYC_) and `.env`."""
from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.rasa_client import DEFAULT_MAX_CONNECTIONS
from catalog.db import database_url_for_region
from catalog.seed import DEFAULT_COUNTY_CODE as DEFAULT_REGION, REGIONS

PLACEHOLDERS = {"", "change-me", "changeme", "placeholder", "secret", "token", "test"}
# Every secret setting; in production each one that is set must not be a placeholder.
SECRET_FIELDS = ("agent_token", "wechat_token", "wechat_app_secret", "wechat_aes_key", "action_token", "rasa_token")
# Shared secrets between our own processes (Rasa ↔ app) are generated, so they can be long.
MIN_GENERATED_SECRET_CHARS = 16
KIB = 1024


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WYC_", env_file=".env", extra="ignore")

    environment: Literal["development", "production", "test"] = "development"
    # The demo region (WYC_REGION): 511602 广安区 or 450600 防城港市 (catalog/seed.py REGIONS). Each
    # region's embedded catalog is its own SQLite file unless WYC_DATABASE_URL says otherwise.
    region: str = DEFAULT_REGION
    database_url: str = "sqlite:///var/catalog.db"
    # Where exchanges (the chat log) are recorded; defaults to the catalog database.
    log_database_url: str | None = None
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout_seconds: float = 10.0
    # Connections each app process keeps open to Rasa (0: no limit); see api/rasa_client.py.
    rasa_max_connections: int = Field(default=DEFAULT_MAX_CONNECTIONS, ge=0)
    public_base_url: str = "http://127.0.0.1:8000"
    max_message_chars: int = 500
    # The app's and the actions' own log lines on stderr beside uvicorn's (which rule read a turn, a
    # sender over the rate limit, the curators' changes); where logging is configured already (a
    # deployment's --log-config, pytest) it is left alone. A citizen's words are logged only at DEBUG.
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    agent_token: str | None = None
    cors_origins: list[str] = Field(default_factory=list)
    rate_limit_per_minute: int = 30
    # Web chat messages per minute from one client address, whatever sender ids it uses (a script
    # rotating ids must not flood Rasa). High: a government office or a school shares one address.
    rate_limit_per_client_per_minute: int = 240
    redis_url: str | None = None
    exchange_retention_days: int = 180
    # How long a tailored answer's own link and QR (/guide/t/<id>) stay valid; the county sets it.
    share_retention_days: int = Field(default=30, ge=1, le=3650)
    # Load catalog/data into an empty catalog database at startup (first run needs no command).
    load_default_catalog: bool = True
    # At startup, build the catalog's search index and matchers and freeze the start-up heap
    # (api/main.py, runtime/heap.py). Off in unit tests, which start hundreds of apps.
    warm_start: bool = True

    # --- the service desk: live takeover by agents (api/takeover.py) ---
    # When agents answer chats, in the county's time zone: "HH:MM-HH:MM" on ISO weekdays ("1-5", "1-7").
    takeover_hours: str = "08:30-17:30"
    takeover_days: str = "1-5"
    takeover_timezone: str = "Asia/Shanghai"
    # An agent is online while its console's heartbeat (every 10 s) is younger than this; a
    # conversation whose agent went offline goes back to the queue.
    takeover_heartbeat_seconds: float = Field(default=30.0, gt=0)
    # A queued conversation no agent claims within this goes back to the bot (with 12345 and callback).
    takeover_claim_timeout_seconds: float = Field(default=300.0, gt=0)
    # The widget's event stream reads a message when it is stored (a notice from the worker that
    # stored it, through Redis when set: api/desk_notify.py); it also looks every this many seconds,
    # so a lost notice delays a message, never loses it. And how long one response lasts before the
    # browser reconnects with Last-Event-ID (below proxies' read timeouts).
    takeover_poll_seconds: float = Field(default=5.0, gt=0)
    takeover_stream_seconds: float = Field(default=25.0, ge=0)
    takeover_max_agent_chars: int = Field(default=1000, ge=1)

    # WeChat official account (公众号). Unset AES key = plain mode.
    wechat_token: str | None = Field(default=None, validation_alias="WECHAT_TOKEN")
    wechat_app_id: str | None = Field(default=None, validation_alias="WECHAT_APP_ID")
    wechat_app_secret: str | None = Field(default=None, validation_alias="WECHAT_APP_SECRET")
    wechat_aes_key: str | None = Field(default=None, validation_alias="WECHAT_AES_KEY")
    wechat_has_human_agents: bool = False
    # Where the 客服消息 API is called (default api.weixin.qq.com): a proxy in a closed network.
    wechat_api_base_url: str | None = None
    # WeChat drops a passive reply after 5 s; past this, reply `success` and send via 客服消息.
    wechat_reply_timeout_seconds: float = 4.0

    # --- protections against hostile input (docs/OPERATIONS.md "Security") ---
    # The secret Rasa sends with every action call (header X-Action-Token, assistant/endpoints*.yml).
    # Required in production; scripts/run.sh generates one per start in development. Unset in
    # development or tests: /webhook takes calls without it (a warning at start says so).
    action_token: str | None = None
    # Rasa's HTTP API token (`rasa run --auth-token`); the app passes it to GET /status.
    rasa_token: str | None = None
    # Action calls run in a pool of worker threads, off the event loop; a call not answered within
    # the deadline (queueing included) gets the handoff reply. Below rasa_timeout_seconds, so the
    # citizen reads the handoff rather than "unavailable".
    action_workers: int = Field(default=4, ge=1, le=64)
    action_deadline_seconds: float = Field(default=5.0, gt=0)
    # Request bodies, checked before any parsing: every route but the action webhook ...
    max_body_bytes: int = Field(default=64 * KIB, ge=1 * KIB)
    # ... and Rasa's action calls, which carry the tracker (also the cap after inflating deflate).
    webhook_max_body_bytes: int = Field(default=1024 * KIB, ge=64 * KIB)

    @model_validator(mode="after")
    def _region_and_its_catalog(self) -> "Settings":
        if self.region not in REGIONS:
            raise ValueError(f"region {self.region} is not a shipped region (one of {', '.join(sorted(REGIONS))})")
        if "database_url" not in self.model_fields_set:
            self.database_url = database_url_for_region(self.region)
        return self

    @model_validator(mode="after")
    def _no_placeholder_secrets_in_production(self) -> "Settings":
        if self.environment == "production":
            for name in SECRET_FIELDS:
                value = getattr(self, name)
                if value is not None and value.strip().lower() in PLACEHOLDERS:
                    raise ValueError(f"{name} is a placeholder; set a real secret for production")
            if any(word in url for url in self._server_urls() for word in ("change-me", "changeme", "placeholder")):
                raise ValueError("a database or redis URL still holds a placeholder password")
            if not self.agent_token:
                raise ValueError("agent_token must be set in production")
            for name in ("action_token", "rasa_token"):
                value = getattr(self, name)
                if not value or len(value.strip()) < MIN_GENERATED_SECRET_CHARS:
                    raise ValueError(
                        f"{name} must be set in production (at least {MIN_GENERATED_SECRET_CHARS} characters, "
                        "e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')"
                    )
        return self

    def _server_urls(self) -> list[str]:
        return [url for url in (self.database_url, self.log_database_url, self.redis_url) if url]

    @property
    def effective_log_database_url(self) -> str:
        return self.log_database_url or self.database_url


@lru_cache
def get_settings() -> Settings:
    return Settings()
