"""Hostile input against the real processes (Rasa with the trained model + the app): the action
endpoint and Rasa's API need their secrets, Rasa keeps no ID or phone number, and a flood of
worst-case messages leaves the app answering everyone, /health/live included."""
from __future__ import annotations

import asyncio
import concurrent.futures
import statistics
import sys
import time

import httpx
import pytest

pytestmark = pytest.mark.e2e

FLOOD_SECONDS = 30
FLOOD_SENDERS = 20
TURNS_PER_SENDER_ID = 5  # a new conversation every few turns: the per-sender rate limit is not the subject
NORMAL = ["我在龙台镇，社保卡丢了怎么补", "开个小饭馆要准备啥", "怎么申请低保", "我在协兴镇，失业了去哪登记"]
WORST = [  # 500 characters each: repeats of item, place, filler and action words, mixed scripts
    "低保" * 250,
    "龙台镇协兴镇" * 83 + "低保",
    "我想问一下那个就是" * 55 + "社保卡",
    "补办申请注销变更" * 62 + "身份证",
    ("社保卡abc低保xyz龙台镇" * 40)[:500],
]


def test_the_action_endpoint_is_rasas_alone(stack):
    call = {"next_action": "action_answer", "tracker": {"sender_id": "x", "slots": {}, "events": [], "latest_message": {}}}
    anonymous = httpx.post(f"{stack.app_url}/webhook", json=call, timeout=10)
    assert anonymous.status_code == 401
    # The turns Rasa makes carry the token: a question that needs action_answer is answered.
    answer = stack.chat("e2e-hostile-token", "我在龙台镇，社保卡丢了怎么补")
    assert any((m.get("custom") or {}).get("type") == "guide" for m in answer["messages"]), answer
    assert httpx.get(f"{stack.app_url}/health", timeout=10).status_code == 200


def test_rasas_http_api_needs_its_token(stack):
    assert httpx.get(f"{stack.rasa_url}/status", timeout=10).status_code == 401
    assert httpx.get(f"{stack.rasa_url}/conversations/e2e-x/tracker", timeout=10).status_code == 401
    assert httpx.get(f"{stack.rasa_url}/status", params={"token": stack.rasa_token}, timeout=10).status_code == 200


def test_rasa_keeps_no_phone_or_id_number_and_still_understands(stack):
    sender = "e2e-hostile-redact"
    answer = stack.chat(sender, "我电话13812345678，证件号51160219900101123X，我在龙台镇，社保卡丢了怎么补")
    guides = [m["custom"] for m in answer["messages"] if (m.get("custom") or {}).get("type") == "guide"]
    names = [item["name"] for guide in guides for item in guide["items"]]
    assert any("社会保障卡" in name for name in names), answer
    tracker = httpx.get(f"{stack.rasa_url}/conversations/{sender}/tracker",
                        params={"token": stack.rasa_token}, timeout=10)
    stored = tracker.content.decode("unicode_escape")  # Rasa's JSON escapes non-ASCII characters
    assert "13812345678" not in stored and "51160219900101123X" not in stored
    (text,) = [event["text"] for event in tracker.json()["events"] if event.get("event") == "user"]
    assert text == "我电话[号码],证件号[号码],我在龙台镇,社保卡丢了怎么补"  # normalised: NFKC commas


def test_a_flood_of_worst_case_messages_leaves_the_app_answering(stack):
    """20 senders for 30 s, normal and 500-character worst-case messages mixed: no 5xx, and
    /health/live answers 200 every time it is asked meanwhile. Latencies are printed, not asserted."""

    async def flood() -> dict:
        statuses: dict[int, int] = {}
        errors: list[str] = []
        live: list[tuple[int, float]] = []
        deadline = time.monotonic() + FLOOD_SECONDS
        limits = httpx.Limits(max_connections=FLOOD_SENDERS + 2)
        async with httpx.AsyncClient(base_url=stack.app_url, timeout=60, limits=limits) as client:

            async def sender(worker: int) -> None:
                turn = 0
                while time.monotonic() < deadline:
                    text = (WORST + NORMAL)[(worker + turn) % (len(WORST) + len(NORMAL))]
                    sender_id = f"e2e-flood-{worker}-{turn // TURNS_PER_SENDER_ID}"
                    try:
                        response = await client.post("/api/chat", json={"sender_id": sender_id, "message": text})
                        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                    except httpx.HTTPError as exc:
                        errors.append(type(exc).__name__)
                    turn += 1

            async def probe() -> None:
                async with httpx.AsyncClient(base_url=stack.app_url, timeout=30) as own:
                    while time.monotonic() < deadline:
                        started = time.perf_counter()
                        try:
                            status = (await own.get("/health/live")).status_code
                        except httpx.HTTPError as exc:
                            status = -1
                            errors.append(f"live: {type(exc).__name__}")
                        live.append((status, (time.perf_counter() - started) * 1000))
                        await asyncio.sleep(0.5)

            await asyncio.gather(probe(), *(sender(i) for i in range(FLOOD_SENDERS)))
        return {"statuses": statuses, "errors": errors, "live": live}

    # In its own thread: the browser tests' Playwright (sync API) may have left an event loop
    # running in this one when the whole e2e suite runs in one process.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as runner:
        result = runner.submit(asyncio.run, flood()).result()
    latencies = sorted(ms for _, ms in result["live"])
    sys.stderr.write(
        f"\nflood: {FLOOD_SENDERS} senders x {FLOOD_SECONDS} s; chat statuses {result['statuses']}; "
        f"errors {result['errors'][:5]}; /health/live {len(latencies)} probes, "
        f"median {statistics.median(latencies):.1f} ms, max {latencies[-1]:.1f} ms\n"
    )
    assert sum(result["statuses"].values()) >= FLOOD_SENDERS, result["statuses"]
    assert not [code for code in result["statuses"] if code >= 500], result["statuses"]
    assert result["errors"] == []
    assert len(latencies) >= FLOOD_SECONDS and all(status == 200 for status, _ in result["live"])
    # Afterwards the service is whole again.
    assert httpx.get(f"{stack.app_url}/health", timeout=10).status_code == 200
    answer = stack.chat("e2e-flood-after", "怎么申请低保")
    assert answer["messages"]
