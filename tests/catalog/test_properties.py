"""Property-based tests (hypothesis) for the two functions every citizen message goes through:
the text normaliser and the free-text fact parser."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st
from sqlalchemy import select

from catalog.db import make_sessionmaker
from catalog.models import Fact
from catalog.queries import parse_facts
from catalog.text import normalise

# Citizen-like text: CJK (simplified and traditional), full-width forms, ASCII, whitespace,
# controls and zero-width characters, plus anything else Unicode has.
citizen_alphabet = st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.characters(min_codepoint=0xFF00, max_codepoint=0xFFEF),
    st.characters(min_codepoint=0x3000, max_codepoint=0x303F),
    st.characters(min_codepoint=0x00, max_codepoint=0x7F),
    st.sampled_from("\u200b\u200d\ufeff\u00a0\u2028\t\r\n\x1b\x00"),
    st.characters(),
)
citizen_text = st.text(citizen_alphabet, max_size=80)
FULL_WIDTH_ASCII = range(0xFF01, 0xFF5F)


@settings(max_examples=300, deadline=None)
@given(citizen_text)
@example("社會保障卡　補領\u200b ")
@example("ＡＢＣ１２３！")
def test_normalise_is_idempotent_and_clean(text):
    once = normalise(text)
    assert normalise(once) == once
    assert once == once.strip() and "  " not in once
    for ch in once:
        assert ch == " " or not unicodedata.category(ch).startswith("C"), repr(ch)
        assert ord(ch) not in FULL_WIDTH_ASCII, repr(ch)
        assert ch not in "\t\r\n\u3000"


@given(st.one_of(st.none(), st.just(""), st.text(max_size=0)))
def test_normalise_of_nothing_is_empty(text):
    assert normalise(text) == ""


@pytest.fixture(scope="module")
def fact_vocabulary(default_engine):
    """Known fact keys → option values, and every trigger word, from the default catalog."""
    with make_sessionmaker(default_engine)() as session:
        facts = session.scalars(select(Fact)).all()
        values = {fact.key: {option.value for option in fact.options} for fact in facts}
        words = sorted({word for fact in facts for option in fact.options for word in option.words or []})
    assert values and words, "the default catalog has no facts: the property below would be vacuous"
    return values, words


@pytest.fixture(scope="module")
def fact_session(default_engine):
    with make_sessionmaker(default_engine)() as session:
        yield session


def test_parse_facts_never_raises_and_returns_only_known_values(fact_vocabulary, fact_session):
    values, words = fact_vocabulary
    # Free text mixed with the catalog's own trigger words, so matches really happen.
    text_with_fact_words = st.lists(st.one_of(citizen_text, st.sampled_from(words)), max_size=6).map("".join)

    seen_a_fact = []

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(text_with_fact_words)
    def check(text):
        parsed = parse_facts(fact_session, text)
        assert isinstance(parsed, dict)
        for key, value in parsed.items():
            assert key in values, key
            assert value in values[key], (key, value)
        if parsed:
            seen_a_fact.append(parsed)

    check()
    assert seen_a_fact, "no generated text contained a fact word: the property was never exercised"


def test_each_trigger_word_alone_sets_its_own_fact(fact_session, fact_vocabulary):
    """Anchor for the property above: the vocabulary really drives the parser."""
    _values, _words = fact_vocabulary
    facts = fact_session.scalars(select(Fact)).all()
    for fact in facts:
        for option in fact.options:
            for word in option.words or []:
                parsed = parse_facts(fact_session, word)
                assert fact.key in parsed, (word, parsed)
