"""The FastAPI dependencies over the app's resources (api/resources.py).

Routes use the named aliases (``SessionDep``, ``SettingsDep``, ...); tests swap any of them
with ``app.dependency_overrides``.
"""
from __future__ import annotations

from typing import Annotated, Iterator

from fastapi import Depends, Request
from rasa_sdk.executor import ActionExecutor
from sqlalchemy.orm import Session

from api.exchange_log import ExchangeLog
from api.gateway import ChatGateway
from api.rasa_client import RasaClient
from api.resources import AppResources
from api.settings import Settings

# FastAPI runs a plain `def` dependency in a worker thread: a thread hop per dependency per
# request (five for one chat turn; py-spy: 7% of the app's CPU). The ones below only hand out
# objects built at start-up, so they are `async def` and run on the event loop. `get_session`
# stays `def`: its routes are sync and use the session in their own worker thread.


async def get_resources(request: Request) -> AppResources:
    return request.app.state.resources


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(resources: Annotated[AppResources, Depends(get_resources)]) -> Iterator[Session]:
    """One catalog session per request; queries never commit, so nothing is written here."""
    session = resources.catalog_sessions()
    try:
        yield session
    finally:
        session.close()


async def get_rasa_client(resources: Annotated[AppResources, Depends(get_resources)]) -> RasaClient:
    return resources.rasa


async def get_exchange_log(resources: Annotated[AppResources, Depends(get_resources)]) -> ExchangeLog:
    return resources.exchange_log


async def get_action_executor(resources: Annotated[AppResources, Depends(get_resources)]) -> ActionExecutor:
    return resources.executor


ResourcesDep = Annotated[AppResources, Depends(get_resources)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
RasaClientDep = Annotated[RasaClient, Depends(get_rasa_client)]
ExchangeLogDep = Annotated[ExchangeLog, Depends(get_exchange_log)]
ActionExecutorDep = Annotated[ActionExecutor, Depends(get_action_executor)]


async def get_gateway(
    settings: SettingsDep, rasa: RasaClientDep, exchange_log: ExchangeLogDep, resources: ResourcesDep
) -> ChatGateway:
    return ChatGateway(settings, rasa, exchange_log, resources.rate_limiter, resources.client_rate_limiter,
                       desk=resources.desk_hooks(), shares=resources.shares)


GatewayDep = Annotated[ChatGateway, Depends(get_gateway)]

