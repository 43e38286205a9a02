"""Every channel renders from the contract (catalog/contract.py): one guide payload, built once by
the catalog, is drawn by the bot's text (actions/render.py), WeChat (api/wechat/formatting.py) and
the guide page (api/routes/guides.py), and the shared words appear in each exactly as the contract
words them. The widget and agent console carry the contract's generated copy
(tests/catalog/test_contract.py); their wording functions are run here under node, where it is
installed (the browser tests draw the cards)."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from actions.render import guide_text
from api.gateway import to_bot_message
from api.routes.guides import page_context, templates
from api.wechat.formatting import format_guide, format_response
from catalog import contract
from catalog.db import make_sessionmaker
from catalog.guide import guide_payload
from catalog.places import place_from_codes
from catalog.targets import get_target

STATIC = Path(__file__).resolve().parents[2] / "api" / "static"
LONGTAI = "511602108"
LINK_ONLY = "511Z07001006"  # a real item without a loaded guide


@pytest.fixture(scope="module")
def payloads(catalog_url) -> dict[str, contract.GuidePayload]:
    with make_sessionmaker(catalog_url)() as session:
        place = place_from_codes(session, town_code=LONGTAI)
        built = {code: guide_payload(session, get_target(session, code), {}, place, public_base="https://h")
                 for code in ("open-restaurant", LINK_ONLY)}
    # An official guide that leaves fields empty, as the catalog gives one (防城港市's are in
    # tests/api/test_official_guide_channels.py).
    built["official"] = built[LINK_ONLY].model_copy(update={
        "official": True, "trips": 0, "missing": ["materials", "time_limit", "hours", "phone"],
        "ask_phone": "0770-2838059"})
    return built


def channels(payload: contract.GuidePayload) -> dict[str, str]:
    wire = payload.wire()
    level = wire["location"]["level"]
    html = templates.get_template("guide.html").render(**page_context(wire, level), kind="item", qr_src="/qr.svg")
    return {"bot": guide_text(wire), "wechat": format_guide(wire),
            "page": re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))}


def test_a_sample_guide_says_its_trips_and_notice_the_same_way_everywhere(payloads):
    payload = payloads["open-restaurant"]
    trips = contract.trips_text(payload.trips, payload.official)
    assert trips == contract.TRIPS_AT_MOST.format(trips=payload.trips)
    for channel, text in channels(payload).items():
        assert trips in text and contract.TRIPS_LABEL in text, channel
        assert payload.sample_notice == contract.SAMPLE_NOTICE and contract.SAMPLE_NOTICE in text, channel


def test_a_link_only_guide_offers_the_same_human_route_everywhere(payloads):
    for channel, text in channels(payloads[LINK_ONLY]).items():
        assert contract.HANDOFF_SENTENCE in text, channel
        assert contract.LINK_ONLY_SENTENCE in text or channel == "bot", channel  # the bot words its own link line


def test_an_official_guide_says_what_it_leaves_empty_and_its_trips_the_same_way_everywhere(payloads):
    payload = payloads["official"]
    said = {channel: text for channel, text in channels(payload).items()}
    for channel, text in said.items():
        assert contract.missing_sentence("hours", payload.ask_phone) in text, channel
        assert contract.missing_sentence("materials", payload.ask_phone) in text, channel
        assert contract.TRIPS_AS_GIVEN.format(trips=0) in text, channel
        assert contract.TRIPS_ZERO not in text, channel


def test_the_page_names_the_level_with_the_contracts_label(payloads):
    page = channels(payloads["open-restaurant"])["page"]
    assert contract.LEVEL_LABELS[payloads["open-restaurant"].location.level] in page


def test_a_handoff_payload_from_the_action_reaches_wechat_with_the_hotline():
    message = to_bot_message({"text": "抱歉，这个问题我暂时回答不了。", "custom": contract.handoff_payload("not_found")})
    assert isinstance(message.custom, contract.HandoffPayload) and message.custom.phone == contract.HOTLINE
    formatted = format_response({"messages": [message.model_dump()]})
    assert formatted.handoff and contract.HOTLINE_NAME in formatted.text


# The scripts' own wording functions, run on the contract block they carry.
SCRIPT_CASES = [("trips", [0, False]), ("trips", [2, False]), ("trips", [3, True]), ("trips", [None, False]),
                ("missing", [{"ask_phone": None}, "hours"]), ("missing", [{"ask_phone": "0770-2838059"}, "fee"])]


def _expected(kind: str, args: list) -> object:
    if kind == "trips":
        return contract.trips_text(*args)
    return contract.missing_sentence(args[1], args[0]["ask_phone"])


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize("script", ["widget.js", "agent.js"])
def test_the_scripts_word_trips_and_missing_fields_as_the_contract_does(script):
    source = (STATIC / script).read_text(encoding="utf-8")

    def function(name: str) -> str:
        start = source.index(f"function {name}(")
        return source[start : source.index("\n  }\n", start) + 4]

    block = source[source.index(contract.JS_BEGIN) : source.index(contract.JS_END)]
    program = "\n".join([block, "var MISSING_LABELS = CONTRACT.missingLabels;", function("tripsText"),
                          function("missingAsk"), function("missingText"),
                          f"var cases = {json.dumps(SCRIPT_CASES)};",
                          "console.log(JSON.stringify(cases.map(function (c) {",
                          "  return c[0] === 'trips' ? tripsText.apply(null, c[1]) : missingText.apply(null, c[1]); })));"])
    said = json.loads(subprocess.run(["node", "-e", program], capture_output=True, text=True, check=True,
                                     timeout=30).stdout)
    assert said == [_expected(kind, args) for kind, args in SCRIPT_CASES]
