"""What a citizen's situation changes: the tailored materials, the facts a target uses, and the
questions that still decide the answer (the one question's catalog part)."""
from __future__ import annotations

from typing import Hashable, Mapping, Optional

from sqlalchemy.orm import Session

from catalog.bundles import applicable_members
from catalog.cache import memoised
from catalog.contract import ClarifyOption, ClarifyQuestion, Material
from catalog.facts import FactBook, fact_book, merge_conditions, open_parts
from catalog.models import Bundle, Item
from catalog.ranking import resolver_index
from catalog.resolver import GENERIC_STEMS
from catalog.text import normalise
from catalog.types import LEVEL_RANK, Place, Target

PLACE_QUESTION = "您在哪个乡镇（街道）办理？"
# The place question for one target names it, so a misreading can be corrected in the same reply.
PLACE_QUESTION_FOR = "办理「{name}」，您在哪个乡镇（街道）？"
CONDITION_SEPARATOR = "；"


def _material_out(book: FactBook, material, unknown: list[tuple[str, str]]) -> Material:
    texts = [book.condition_text(k, v) for k, v in unknown]
    # An official guide's condition that no fact expresses is shown, never asked or used to drop.
    texts += [material.condition_text] if getattr(material, "condition_text", None) else []
    condition = CONDITION_SEPARATOR.join(dict.fromkeys(texts)) or None
    return Material(name=material.name, copies=material.copies, form=material.form, note=material.note,
                    condition=condition, required=getattr(material, "required", None),
                    originals=getattr(material, "originals", None), medium=getattr(material, "medium", None),
                    details=getattr(material, "details", None))


def _merge_into(result: dict[str, Material], material: Material) -> None:
    key = normalise(material.name)  # 「（备案）」 and 「(备案)」 are the same material
    present = result.get(key)
    if present is None:
        result[key] = material
    elif present.condition is not None and material.condition is None:
        result[key] = material  # unconditional wins; keeps the first position


def facts_key(target: Target, facts: Mapping[str, str]) -> Hashable:
    return target.code, tuple(sorted(facts.items()))


def tailor(session: Session, target: Target, facts: Mapping[str, str]) -> list[Material]:
    """Materials for this citizen's situation: contradicted ones dropped, unknown ones conditional."""
    return list(memoised(session, "tailored", facts_key(target, facts), lambda: tuple(_tailor(session, target, facts))))


def _tailor(session: Session, target: Target, facts: Mapping[str, str]) -> list[Material]:
    book = fact_book(session)
    result: dict[str, Material] = {}
    if target.kind == "item":
        item = session.get(Item, target.code)
        for material in item.materials if item else []:
            parts = open_parts(merge_conditions(material.condition), facts)
            if parts is not None:
                _merge_into(result, _material_out(book, material, parts))
        return list(result.values())
    bundle = session.get(Bundle, target.code)
    if bundle is None:
        return []
    for own in bundle.materials:
        parts = open_parts(merge_conditions(own.condition), facts)
        if parts is not None:
            _merge_into(result, _material_out(book, own, parts))
    omitted = {normalise(omit.name) for omit in bundle.omits}
    for member in applicable_members(bundle, facts):
        for material in member.item.materials:
            if normalise(material.name) in omitted:
                continue
            parts = open_parts(merge_conditions(member.condition, material.condition), facts)
            if parts is not None:
                _merge_into(result, _material_out(book, material, parts))
    return list(result.values())


# ---------------------------------------------------------------- the facts that decide


def fact_keys(session: Session, target: Target, facts: Mapping[str, str]) -> list[str]:
    """The situation facts ``target`` uses (deciding and detail), in asking order."""
    return list(memoised(session, "fact_keys", facts_key(target, facts), lambda: tuple(_fact_keys(session, target, facts))))


def _fact_keys(session: Session, target: Target, facts: Mapping[str, str]) -> list[str]:
    if target.kind == "item":
        item = session.get(Item, target.code)
        return [link.fact_key for link in item.fact_links] if item else []
    bundle = session.get(Bundle, target.code)
    if bundle is None:
        return []
    keys = [link.fact_key for link in bundle.fact_links]
    omitted = {normalise(omit.name) for omit in bundle.omits}
    for member in applicable_members(bundle, facts):
        # A member's fact decides nothing here when every material it selects is replaced by the
        # bundle's own (退休一件事 omits the per-reason 公积金 proofs: the reason is not asked).
        still_used = {key for material in member.item.materials if normalise(material.name) not in omitted
                      for key in (material.condition or {})}
        keys.extend(link.fact_key for link in member.item.fact_links if link.fact_key in still_used)
    return list(dict.fromkeys(keys))


def facts_by_action(session: Session, target: Target, facts: Mapping[str, str], text: str) -> dict[str, str]:
    """Facts of ``target`` the message states by the thing it asks done, where no fact word says them:
    「我身份证搞丢了，咋个补办嘛」 asks 补领 (citizens' words, catalog/data/words/colloquial.yaml), and of
    id_card_case's options only 「丢失补领」 says it. A fact already known, a bare 办理 or 申请, or an
    action several options say states nothing."""
    index = resolver_index(session)
    wanted = index.wanted(normalise(text)) - GENERIC_STEMS
    if not wanted:
        return {}
    book = fact_book(session)
    stated = {}
    for key in fact_keys(session, target, facts):
        fact = book.facts.get(key)
        if fact is None or key in facts:
            continue
        saying = [value for value, label, _ in fact.options if index.wanted(normalise(label)) & wanted]
        if len(saying) == 1:
            stated[key] = saying[0]
    return stated


def missing_facts(session: Session, target: Target, facts: Mapping[str, str],
                  place: Optional[Place]) -> list[ClarifyQuestion]:
    """What still decides the answer: unknown deciding facts in order, then the place
    unless the target is county- or city-level. Detail facts are never asked."""
    book = fact_book(session)
    questions = []
    for key in fact_keys(session, target, facts):
        fact = book.facts.get(key)
        if fact is not None and fact.kind == "deciding" and key not in facts:
            options = [ClarifyOption(value=value, label=label) for value, label, _ in fact.options]
            questions.append(ClarifyQuestion(slot=key, text=fact.question, options=options))
    if LEVEL_RANK[target.level] < LEVEL_RANK["county"] and (place is None or place.is_empty):
        questions.append(ClarifyQuestion(slot="place", text=PLACE_QUESTION_FOR.format(name=target.name), options=[]))
    return questions


