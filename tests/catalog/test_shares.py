"""Shared answers (catalog/shares.py): stored as given, short random ids, expiry, nothing else kept."""
from __future__ import annotations

from datetime import timedelta

import pytest

from catalog import queries
from catalog.shares import (
    KEPT_KEYS,
    is_share_id,
    load_answer,
    new_share_id,
    purge_expired,
    save_answer,
    store_answers,
    utc_now,
)

BUNDLE = "open-restaurant"
LONGTAI_TOWN = "511602108"


@pytest.fixture
def payload(session):
    target = queries.get_target(session, BUNDLE)
    place = queries.place_from_codes(session, town_code=LONGTAI_TOWN)
    return queries.guide(session, target, {"delegated": "no"}, place, public_base="https://h")


def test_an_answer_comes_back_as_it_was_given(session, payload):
    answer = save_answer(session, payload, retention_days=30)
    assert is_share_id(answer.id)
    loaded = load_answer(session, answer.id)
    assert loaded is not None
    assert loaded.payload["materials"] == payload["materials"]
    assert loaded.payload["location"] == payload["location"]
    assert loaded.expires_at - loaded.created_at == timedelta(days=30)


def test_a_batch_of_answers_is_stored_at_once_with_only_the_guide_fields(session, payload):
    now = utc_now()
    ids = [new_share_id() for _ in range(3)]
    store_answers(session, [(share_id, {**payload, "sender_id": "web-abc"}, now) for share_id in ids], 7)
    for share_id in ids:
        loaded = load_answer(session, share_id)
        assert loaded is not None and loaded.payload["materials"] == payload["materials"]
        assert "sender_id" not in loaded.payload and loaded.expires_at - loaded.created_at == timedelta(days=7)


def test_ids_are_short_and_not_repeated(session, payload):
    ids = {save_answer(session, payload, retention_days=1).id for _ in range(50)}
    assert len(ids) == 50
    assert all(len(share_id) == 12 for share_id in ids)


def test_only_the_guide_fields_are_kept(session, payload):
    # Whatever else a payload carries (a sender id, the citizen's words) is not stored.
    extra = {**payload, "sender_id": "web-abc", "text": "我的电话13812345678", "share_url": "https://h/x"}
    answer = save_answer(session, extra, retention_days=1)
    assert set(answer.payload) <= set(KEPT_KEYS)
    assert "13812345678" not in str(answer.payload) and "web-abc" not in str(answer.payload)


def test_an_expired_answer_is_gone(session, payload):
    long_ago = utc_now() - timedelta(days=40)
    answer = save_answer(session, payload, retention_days=30, now=long_ago)
    assert load_answer(session, answer.id) is None
    assert purge_expired(session) >= 1
    assert load_answer(session, answer.id, now=long_ago + timedelta(days=1)) is None  # deleted, not only hidden


@pytest.mark.parametrize("bad", ["", "short", "a" * 13, "../../etc/pass", "abc def ghij", "ÄÄÄÄÄÄÄÄÄÄÄÄ"])
def test_malformed_ids_find_nothing(session, bad):
    assert load_answer(session, bad) is None
