"""scripts/soak.py: every answered turn is counted, also one answered just after a report."""
import asyncio

import httpx

from tests.scripts.conftest import load_script


def _soak():
    return load_script("soak")


def test_a_turn_answered_after_a_report_counts_in_the_next_interval():
    soak = _soak()

    async def main():
        release = asyncio.Event()

        async def handler(request):
            await release.wait()
            return httpx.Response(200, json={"messages": [{"text": "好的"}]})

        state = {"interval": soak.Interval()}
        async with httpx.AsyncClient(base_url="http://svc", transport=httpx.MockTransport(handler)) as client:
            turn = asyncio.create_task(soak.one_turn(client, "soak-1", "社保卡", state))
            await asyncio.sleep(0.01)
            printed, state["interval"] = state["interval"], soak.Interval()  # what the reporter does
            release.set()
            await turn
        return printed, state["interval"]

    printed, current = asyncio.run(main())
    assert printed.latencies == [] and len(current.latencies) == 1 and not current.errors


def test_an_empty_answer_is_an_error():
    soak = _soak()

    async def main():
        state = {"interval": soak.Interval()}
        transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"messages": []}))
        async with httpx.AsyncClient(base_url="http://svc", transport=transport) as client:
            await soak.one_turn(client, "soak-1", "社保卡", state)
        return state["interval"]

    assert asyncio.run(main()).errors == {"empty answer": 1}
