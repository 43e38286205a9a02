"""The catalog's entry point for the actions: every query ``actions/`` calls, under one name.

Each query takes a Session first and never commits. They live by topic; import from there when
writing catalog code or a route, and from here in the actions (``queries.<fn>``):

- ``catalog.targets``    items and 一件事 by code
- ``catalog.places``     towns and villages in free text or slot codes
- ``catalog.facts``      situation facts in free text; the conditions materials depend on
- ``catalog.bundles``    the 一件事 several named items make
- ``catalog.tailoring``  tailored materials, the facts a target uses, the questions still open
- ``catalog.location``   the service point that handles a target where the citizen is
- ``catalog.guide``      the ``guide`` payload (catalog/contract.py)
- ``catalog.ranking``    the whole message's search ranking and the general resolver
- ``catalog.search``     the name search and its readings of what a name says is done
"""
from __future__ import annotations

from catalog.bundles import bundle_named_by
from catalog.facts import fact_labels, fact_words_in, parse_facts, without_fact_words
from catalog.guide import guide
from catalog.location import nearest_service_point
from catalog.places import function_word_slip, names_region, place_from_codes, resolve_place
from catalog.ranking import resolve, resolver_index, resolver_inputs, search
from catalog.resolver import Resolution
from catalog.search import asked_otherwise, name_extends, variant_asked
from catalog.tailoring import PLACE_QUESTION, fact_keys, facts_by_action, missing_facts
from catalog.targets import get_target
from catalog.types import Candidate

__all__ = [
    "get_target", "resolve_place", "place_from_codes", "function_word_slip", "names_region", "parse_facts", "fact_labels", "fact_words_in", "without_fact_words",
    "bundle_named_by", "fact_keys", "facts_by_action", "missing_facts", "PLACE_QUESTION", "nearest_service_point", "guide",
    "search", "resolve", "resolver_index", "resolver_inputs", "Resolution", "Candidate",
    "asked_otherwise", "name_extends", "variant_asked",
]
