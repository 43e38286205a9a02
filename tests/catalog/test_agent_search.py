"""Agent search ranking (catalog.agent_search) over the table in fixtures/agent_queries.yaml."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from catalog.agent_search import agent_search

TABLE = yaml.safe_load((Path(__file__).resolve().parent / "fixtures" / "agent_queries.yaml").read_text("utf-8"))
QUERIES = TABLE["queries"]


def test_the_table_is_large_enough():
    assert len(QUERIES) >= 40


@pytest.mark.parametrize("case", QUERIES, ids=[case["q"] for case in QUERIES])
def test_agent_query(session, case):
    found = agent_search(session, case["q"], limit=10)
    names = [hit.name for hit in found.results]
    if case.get("listed") is False:
        assert not found.listed, names
        return
    assert found.listed, case["q"]
    if "first" in case:
        assert names[:1] == [case["first"]], names
    within = case.get("within", 5)
    for name in case.get("top", ()):
        assert name in names[:within], names
    for word in case.get("not_top", ()):
        assert not any(word in name for name in names[:5]), names


def test_results_carry_no_scores(session):
    found = agent_search(session, "低保", limit=5)
    assert found.results
    for hit in found.results:
        assert set(vars(hit)) == {"code", "name", "kind"}


def test_a_long_query_is_capped_at_limit(session):
    assert len(agent_search(session, "社会保障卡", limit=3).results) <= 3


def test_nothing_matching_is_not_listed(session):
    found = agent_search(session, "zzzz", limit=5)
    assert not found.listed
