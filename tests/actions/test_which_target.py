"""Which target a message names: bundles named through their parts, names several items share,
exact names over near misses — action_answer against the real default catalog, no Rasa."""
import pytest

from actions.choice import pick_option
from catalog.queries import bundle_named_by

# Item codes of the default catalog (docs/INTERNAL_API.md "Item codes").
BIRTH_CERTIFICATE = "512023377001"        # 《出生医学证明》首次签发
HUKOU_REGISTRATION = "511F09014002"       # 户口登记
HUKOU_CANCELLATION = "511F09014003"       # 户口注销
CARD_APPLICATION = "512B0070200003"       # 社会保障卡申领
CARD_REPLACEMENT = "512B0070200006"       # 社会保障卡补领、换领、换发
CARD_CANCELLATION = "512B0070200007"      # 社会保障卡注销
DISABILITY_CARD = "511F82001002"          # 残疾人证新办
BUSINESS_LICENCE = "511A0074300005"       # 个体工商户设立登记


def entity(code):
    return {"entity": "item", "value": code, "extractor": "test"}


def only(messages, kind):
    payloads = [m["custom"] for m in messages if (m.get("custom") or {}).get("type") == kind]
    assert len(messages) == 1 and len(payloads) == 1, messages
    return payloads[0]


# ---------------------------------------------------------------- bundle_named_by


@pytest.mark.parametrize(
    "codes, bundle",
    [
        ([BIRTH_CERTIFICATE, HUKOU_REGISTRATION], "newborn"),                 # two members
        ([HUKOU_CANCELLATION, CARD_CANCELLATION], "after-death"),
        (["after-death", CARD_CANCELLATION], "after-death"),                  # the bundle and a member
        ([BIRTH_CERTIFICATE, HUKOU_REGISTRATION, CARD_REPLACEMENT], "newborn"),  # a stray item is ignored
        ([CARD_REPLACEMENT, DISABILITY_CARD], None),                          # members of no common bundle
        ([HUKOU_REGISTRATION], None),                                         # one member is just that item
        (["open-restaurant"], None),                                          # a bundle alone is not "through parts"
        ([HUKOU_REGISTRATION, HUKOU_CANCELLATION], None),                     # one each of two bundles: a tie
    ],
)
def test_bundle_named_by_its_parts(session, codes, bundle):
    assert bundle_named_by(session, codes) == bundle


@pytest.fixture
def session(catalog_factory):
    with catalog_factory() as session:
        yield session


# ---------------------------------------------------------------- action_answer


@pytest.mark.parametrize(
    "text, codes, bundle",
    [
        ("出生证和上户口能不能一起办", [BIRTH_CERTIFICATE, HUKOU_REGISTRATION], "新生儿出生一件事"),
        ("娃娃出生了，出生证明、社保卡都要办", ["newborn", BIRTH_CERTIFICATE, CARD_APPLICATION], "新生儿出生一件事"),
        ("注销户口、注销社保卡一起办", [HUKOU_CANCELLATION, CARD_CANCELLATION], None),  # asks its deciding fact
    ],
)
def test_several_members_named_answer_their_bundle(conversation, text, codes, bundle):
    messages = conversation().say(text, entities=[entity(code) for code in codes])
    if bundle is None:  # 身后一件事: one question about its deciding fact, never "which item"
        question = only(messages, "clarify")
        assert "item" not in {q["slot"] for q in question["questions"]}
        return
    guide = only(messages, "guide")
    assert guide["bundle"]["name"] == bundle and guide["location"]["level"] == "county"


@pytest.mark.parametrize(
    "text, named",
    [
        ("我在龙台镇，社保卡的事想问下", CARD_REPLACEMENT),  # the NLU settled on one sibling
        ("官盛镇的，社保卡要弄一下", CARD_APPLICATION),
    ],
)
def test_one_named_sibling_of_a_shared_name_still_asks_which(conversation, text, named):
    question = only(conversation().say(text, entities=[entity(named)]), "clarify")
    item_question = next(q for q in question["questions"] if q["slot"] == "item")
    offered = {option["value"] for option in item_question["options"]}
    assert {CARD_APPLICATION, CARD_REPLACEMENT, CARD_CANCELLATION} <= offered


@pytest.mark.parametrize(
    "text, named, item",
    [
        ("我在龙台镇，办社保卡要带啥", CARD_APPLICATION, "社会保障卡申领"),  # its alias, word for word
        ("我在龙台镇，社保卡坏了去换", CARD_REPLACEMENT, "社会保障卡补领、换领、换发"),
        ("我在龙台镇，营业执照怎么办", BUSINESS_LICENCE, "个体工商户设立登记"),
    ],
)
def test_a_named_item_the_words_support_is_answered(conversation, text, named, item):
    guide = only(conversation().say(text, entities=[entity(named)]), "guide")
    assert [i["name"] for i in guide["items"]] == [item]


def spanned(code, text, words):
    start = text.index(words)
    return {**entity(code), "start": start, "end": start + len(words)}


@pytest.mark.parametrize(
    "text, words, named, item",
    [
        # The NLU read only 「社保卡」, which several items share, and chose 申领; the whole
        # message is 社会保障卡补领 word for word (「弄丢了…补」 is 补领), a name containing 社保卡.
        ("我在龙台镇，我社保卡弄丢了咋个补", "社保卡", CARD_APPLICATION, "社会保障卡补领、换领、换发"),
        ("我在龙台镇，社保卡丢了", "社保卡", CARD_CANCELLATION, "社会保障卡补领、换领、换发"),
        # 社会保障卡注销 word for word once the filler 「咋个」 is gone.
        ("我老汉前天走了，他的社保卡咋个注销，我们是恒升镇的", "社保卡", CARD_APPLICATION, "社会保障卡注销"),
        # Its own name, said in full, is never overruled.
        ("我在龙台镇，办社保卡要带啥", "办社保卡", CARD_APPLICATION, "社会保障卡申领"),
        # 「残疾证」 is an alias of 残疾人证新办; 残疾人证挂失补办 says it and 「补」 too, and the
        # catalog ranks it clearly first although no alias of it is said word for word.
        ("残疾证丢了咋个补，我是协兴镇的", "残疾证", DISABILITY_CARD, "残疾人证挂失补办"),
        ("残疾证补办，龙台镇", "残疾证", DISABILITY_CARD, "残疾人证挂失补办"),
        ("龙台镇的，残疾证多久能拿到", "残疾证", DISABILITY_CARD, "残疾人证新办"),
    ],
)
def test_a_message_that_is_a_more_specific_siblings_name_answers_it(conversation, text, words, named, item):
    guide = only(conversation().say(text, entities=[spanned(named, text, words)]), "guide")
    assert [i["name"] for i in guide["items"]] == [item]


@pytest.mark.parametrize(
    "text, spans",
    [
        # 「社保卡」 names 申领, 补领 and 注销 alike; the NLU chose 申领. With 户口注销, 注销 makes 身后一件事.
        ("我妈的户口要注销，还有她的社保卡", [(HUKOU_CANCELLATION, "户口要注销"), (CARD_APPLICATION, "社保卡")]),
        ("我妈去世了，户口要注销，还有她的社保卡，龙台镇的",
         [(HUKOU_CANCELLATION, "户口要注销"), (CARD_APPLICATION, "的社保卡")]),
        ("老人的社保卡要注销，户口也是", [(CARD_CANCELLATION, "社保卡要注销"), (HUKOU_REGISTRATION, "户口")]),
        # 「户口」 and 「社保卡」 read either way make 新生儿出生 or 身后一件事; the message (走了, 销)
        # ranks the two 注销 items first.
        ("我老汉走了，他的社保卡和户口都要销，我们是白市镇的",
         [(CARD_APPLICATION, "社保卡"), ("511A0147300000", "户口")]),
    ],
)
def test_a_shared_name_read_as_the_sibling_that_completes_a_bundle(conversation, text, spans):
    talk = conversation()
    question = only(talk.say(text, entities=[spanned(code, text, words) for code, words in spans]), "clarify")
    # 身后一件事 asks its one deciding fact (was the deceased insured?), never which item
    assert [q["slot"] for q in question["questions"]] == ["deceased_insured"]
    guide = only(talk.say("参加了", intent="inform"), "guide")
    assert guide["bundle"]["name"] == "身后一件事"


@pytest.mark.parametrize(
    "text, spans",
    [
        # 「身份证」 names 居民身份证办理 best; no reading of it and 社保卡 makes a 一件事.
        ("龙台镇，身份证和社保卡都丢了", [("513A0011200068", "身份证"), (CARD_REPLACEMENT, "社保卡")]),
        # 「户口」 and 「社保卡」 read as 登记 and 申领 make 新生儿出生, as 注销 and 注销 身后一件事:
        # two 一件事 are no answer.
        ("户口和社保卡的事，龙台镇", [(HUKOU_REGISTRATION, "户口"), (CARD_REPLACEMENT, "社保卡")]),
    ],
)
def test_no_single_bundle_through_siblings_keeps_the_items(conversation, text, spans):
    messages = conversation().say(text, entities=[spanned(code, text, words) for code, words in spans])
    assert not any((m.get("custom") or {}).get("bundle") for m in messages), messages


def test_a_weak_best_hit_never_overrules_the_nlus_item(conversation, monkeypatch):
    # A best hit under the bar, even one that extends the NLU's words and leads its item, is no
    # reason to answer something else.
    from actions import answer
    from catalog.types import Candidate

    weak = [Candidate("511F82001006", "残疾人证挂失补办", "item", 58.0),
            Candidate(DISABILITY_CARD, "残疾人证新办", "item", 50.0)]
    monkeypatch.setattr(answer.queries, "search", lambda session, text, limit=5: weak)
    text = "龙台镇的，残疾证那个事"
    guide = only(conversation().say(text, entities=[spanned(DISABILITY_CARD, text, "残疾证")]), "guide")
    assert [i["name"] for i in guide["items"]] == ["残疾人证新办"]


def test_a_message_that_names_the_bundle_of_the_nlus_item_answers_the_bundle(conversation):
    # The NLU read only 「出生证」; the whole message says 「生了二胎」 (新生儿出生) and 出生证 and 户口.
    text = "屋头生了二胎，出生证户口这些咋个办，我们是龙台镇的"
    guide = only(conversation().say(text, entities=[spanned(BIRTH_CERTIFICATE, text, "出生证")]), "guide")
    assert guide["bundle"]["name"] == "新生儿出生一件事"


def test_without_the_nlus_words_its_item_yields_to_a_clear_resolver_answer(conversation):
    # No span (an extractor that does not report one): nothing says the exact hit refines it, and
    # 社会保障卡申领's name says nothing is done, so 「丢了」 does not rule it out; but the general
    # resolver reads 社保卡 and 丢了 (补领) and answers 补领, far ahead of 申领.
    guide = only(conversation().say("我在龙台镇，社保卡丢了", entities=[entity(CARD_APPLICATION)]), "guide")
    assert [i["name"] for i in guide["items"]] == ["社会保障卡补领、换领、换发"]


def test_without_the_nlus_words_an_item_doing_another_thing_than_asked_still_yields(conversation):
    guide = only(conversation().say("我在龙台镇，社保卡丢了", entities=[entity(CARD_CANCELLATION)]), "guide")
    assert [i["name"] for i in guide["items"]] == ["社会保障卡补领、换领、换发"]


@pytest.mark.parametrize(
    "text, bundle",
    [
        ("娃儿出生了要办啥子", "新生儿出生一件事"),   # exact 新生儿出生 beats the near 新生儿出生证
        ("想开个火锅店，门头不搞，税晚点再办", "我要开小餐馆"),
    ],
)
def test_free_wording_without_entities_is_answered(conversation, text, bundle):
    guide = only(conversation().say(text), "guide")
    assert guide["bundle"]["name"] == bundle


@pytest.mark.parametrize(
    "text, offered",
    [
        ("户口方面的事情问下", {"户口登记", "户口注销", "户口迁移审批"}),
        ("居民养老保险咋弄", {"城乡居民基本养老保险参保登记", "城乡居民基本养老保险待遇申领"}),
        ("残疾人的补贴", {"困难残疾人生活补贴", "重度残疾人护理补贴"}),
    ],
)
def test_a_shared_name_without_entities_offers_the_items(conversation, text, offered):
    question = only(conversation().say(text), "clarify")
    item_question = next(q for q in question["questions"] if q["slot"] == "item")
    assert offered <= {option["label"] for option in item_question["options"]}


def test_the_reply_picks_a_candidate_by_its_distinctive_words(conversation):
    chat = conversation()
    chat.say("残疾人的补贴")
    guide = only(chat.say("要护理那个，我们是白马乡的", intent="inform"), "guide")
    assert [i["name"] for i in guide["items"]] == ["重度残疾人护理补贴"]
    assert "白马乡" in guide["location"]["name"]


# ---------------------------------------------------------------- choice by distinctive words

SUBSIDIES = [{"value": "a", "label": "困难残疾人生活补贴"}, {"value": "b", "label": "重度残疾人护理补贴"},
             {"value": "c", "label": "残疾人一件事"}]


@pytest.mark.parametrize(
    "reply, chosen",
    [("护理的", "b"), ("生活困难那种", "a"), ("重度的，要护理", "b"), ("补贴", None), ("残疾人", None)],
)
def test_pick_option_by_words_only_one_label_has(reply, chosen):
    option = pick_option(reply, SUBSIDIES)
    assert (option["value"] if option else None) == chosen


@pytest.mark.parametrize(
    "text, named, item",
    [
        # noisy wording ties unrelated items at middling scores: the NLU's item stands
        ("父母的房子送给子女，赠与过户咋弄", "auth-property-transfer", "不动产转移登记"),
        # 「营业执照」 inside 「注销营业执照」 does not also name 个体工商户设立登记
        ("个体户不开了，注销营业执照要带啥", "511A0074300009", "个体工商户注销登记"),
    ],
)
def test_a_named_item_is_kept_against_a_noisy_tie(conversation, text, named, item):
    guide = only(conversation().say(text, entities=[entity(named)]), "guide")
    assert [i["name"] for i in guide["items"]] == [item]


RETIREMENT, AFTER_DEATH = "retirement", "after-death"


def test_an_item_read_from_words_that_describe_the_deceased_is_left_out(conversation):
    # 「退休」 names 退休一件事, but inside 「厂里退休的」 it says the father was insured (a fact).
    text = "我爸上个月走了，他是厂里退休的，后事要办哪些手续"
    guide = only(conversation().say(text, entities=[spanned(RETIREMENT, text, "退休"),
                                                     spanned(AFTER_DEATH, text, "后事")]), "guide")
    assert guide["bundle"]["name"] == "身后一件事"
    assert "遗属待遇申领" in [i["name"] for i in guide["items"]]  # deceased_insured=yes was read


def test_items_named_apart_are_both_needs_with_their_facts_asked_once(conversation):
    # 「退休」 is its own need here, not a description: both stay, and both are answered. Their
    # deciding facts (the deceased's insurance, where the 公积金 goes) are asked in one question.
    text = "我快退休了，我爸又刚走，后事和退休手续都要办"
    chat = conversation()
    entities = [spanned(RETIREMENT, text, "退休"), spanned(AFTER_DEATH, text, "后事")]
    question = only(chat.say(text, entities=entities), "clarify")
    assert "item" not in [q["slot"] for q in question["questions"]]
    assert "deceased_insured" in [q["slot"] for q in question["questions"]]
    messages = chat.say("他是厂里退休的，龙台镇", intent="inform",
                        entities=[{"entity": "town", "value": "511602108"}])
    guides = [m["custom"] for m in messages if (m.get("custom") or {}).get("type") == "guide"]
    assert sorted(g["bundle"]["name"] for g in guides) == ["身后一件事", "退休一件事"]
    assert messages[0]["text"].startswith("好的")


@pytest.mark.parametrize(
    "text, named",
    [
        # 护照 was dropped: the whole message's ranking preferred 身份证 and the other item went
        ("我要办身份证和护照，我在龙台镇", {"身份证": "居民身份证办理（包括临时）", "护照": "普通护照签发"}),
        # the one question asked which of the two, though the citizen wants both
        ("低保和临时救助都想申请，我在花桥镇", {"低保": "最低生活保障", "临时救助": "临时救助"}),
    ],
)
def test_items_named_apart_are_each_answered(conversation, code_of, text, named):
    entities = [spanned(code_of(name), text, words) for words, name in named.items()]
    entities.append({"entity": "town", "value": "511602108" if "龙台镇" in text else "511602107"})
    messages = conversation().say(text, entities=entities)
    guides = [m["custom"] for m in messages if (m.get("custom") or {}).get("type") == "guide"]
    assert [g["items"][0]["name"] for g in guides] == list(named.values())
    assert not [m for m in messages if (m.get("custom") or {}).get("type") in ("clarify", "handoff")]


def test_items_named_apart_without_a_place_ask_it_once_for_both(conversation, code_of):
    text = "低保和临时救助怎么申请"
    chat = conversation()
    entities = [spanned(code_of("最低生活保障"), text, "低保"), spanned(code_of("临时救助"), text, "临时救助")]
    question = only(chat.say(text, entities=entities), "clarify")
    assert [q["slot"] for q in question["questions"]] == ["place"]
    messages = chat.say("花桥镇", intent="inform", entities=[{"entity": "town", "value": "511602107"}])
    guides = [m["custom"] for m in messages if (m.get("custom") or {}).get("type") == "guide"]
    assert [g["items"][0]["name"] for g in guides] == ["最低生活保障", "临时救助"]
    assert all("花桥镇" in g["location"]["name"] for g in guides)


@pytest.mark.parametrize(
    "text, mentions",
    [
        # No span reported, and the text names neither word for word (「后事要办」 would name 身后一件事):
        # nothing shows the words are a description.
        ("我爸上个月走了，他是厂里退休的，后事有哪些手续", [(RETIREMENT, None), (AFTER_DEATH, None)]),
    ],
)
def test_items_named_outside_fact_words_all_stay(conversation, text, mentions):
    entities = [spanned(code, text, words) if words else entity(code) for code, words in mentions]
    question = only(conversation().say(text, entities=entities), "clarify")
    item_question = next(q for q in question["questions"] if q["slot"] == "item")
    assert {option["value"] for option in item_question["options"]} == {RETIREMENT, AFTER_DEATH}


def test_a_reply_that_settles_the_place_but_not_the_item_answers_every_candidate(conversation):
    chat = conversation()
    question = only(chat.say("户口方面的事情问下"), "clarify")
    slots = [q["slot"] for q in question["questions"]]
    assert slots == ["item", "place"]
    offered = [option["label"] for option in question["questions"][0]["options"]]

    messages = chat.say("我在悦来镇", intent="inform")
    guides = [m["custom"] for m in messages if (m.get("custom") or {}).get("type") == "guide"]
    assert f"这{len(offered)}项" in messages[0]["text"]
    assert [g["items"][0]["name"] for g in guides] == offered
    assert not [m for m in messages if (m.get("custom") or {}).get("type") in ("clarify", "handoff")]
    town_level = [g for g in guides if g["location"]["level"] != "county"]
    assert town_level and all(g["location"]["name"].startswith("悦来镇") for g in town_level)
    assert chat.slots["pending_question"] is False and chat.slots.get("target_code") is None
    assert chat.slots["lookup_status"] == "guide"


@pytest.mark.parametrize("reply, intent", [("都要", "affirm"), ("两个都要办", "inform"), ("全部", "inform")])
def test_a_reply_that_takes_every_candidate_answers_each(conversation, reply, intent):
    # 「社保转移」 names the 医保 and the 养老保险 transfer alike; a worker who changed county often
    # needs both, and 「都要」 was handed off to 12345 as a reply that settled nothing.
    chat = conversation()
    question = only(chat.say("社保转移怎么办"), "clarify")
    offered = [option["label"] for option in question["questions"][0]["options"]]
    assert len(offered) == 2

    messages = chat.say(reply, intent=intent)
    guides = [m["custom"] for m in messages if (m.get("custom") or {}).get("type") == "guide"]
    assert messages[0]["text"].startswith("好的") and "这2项" in messages[0]["text"]
    assert [g["items"][0]["name"] for g in guides] == offered
    assert chat.slots["pending_question"] is False and chat.slots["lookup_status"] == "guide"


def test_a_reply_that_takes_no_candidate_still_hands_off(conversation):
    chat = conversation()
    only(chat.say("社保转移怎么办"), "clarify")
    assert chat.say("都不是", intent="deny") == []
    assert chat.slots["lookup_status"] == "not_found"


def test_a_reply_that_settles_nothing_still_hands_off(conversation):
    chat = conversation()
    only(chat.say("户口方面的事情问下"), "clarify")
    assert chat.say("我也说不清楚", intent="inform") == []
    assert chat.slots["lookup_status"] == "not_found"  # the rules then hand off to 12345


def test_a_weak_best_hit_with_near_misses_under_the_bar_is_not_an_answer(conversation):
    # 机动车驾驶证公证（指引） scores just over the bar, three 拖拉机驾驶证 items just under it: the
    # county catalog has no driving licence renewal, so no guide and no choice, but 12345.
    # The reply before the handoff says whose licence it is (catalog/data/words/off_list.yaml).
    chat = conversation()
    [message] = chat.say("我想换个驾驶证")
    assert "公安交警" in message["text"] and not message.get("custom")
    assert chat.slots["lookup_status"] == "referred"  # the 12345 line follows


@pytest.mark.parametrize(
    "text, words, named",
    [
        # The county's only 出生医学证明 item is the first issue: someone who lost the certificate
        # would bring the wrong materials. Its alias is said word for word; the rules hand off, to
        # 12345 or, where the bank reads the need the list lacks (补发 is the birth hospital's), there.
        ("我在官盛镇，娃娃的出生证明丢了要咋个补", "出生证明", BIRTH_CERTIFICATE),
        ("出生证明遗失了怎么补办", "出生证明", BIRTH_CERTIFICATE),
    ],
)
def test_an_item_whose_name_does_another_thing_than_asked_is_no_answer(conversation, text, words, named):
    chat = conversation()
    messages = chat.say(text, entities=[spanned(named, text, words)])
    assert not any(m.get("custom") for m in messages)  # no guide, no question
    assert chat.slots["lookup_status"] in ("not_found", "referred")


def test_a_lost_licence_never_gets_the_set_up_guide(conversation):
    # The NLU reads 「营业执照」 as 个体工商户设立登记 (setting one up), which does not do what is asked:
    # the answer is the list's item for lost licences (证照遗失补领、换发申请) when the resolver is
    # sure of it, else the human route; never the set-up materials.
    text = "我的营业执照丢了，龙台镇"
    chat = conversation()
    messages = chat.say(text, entities=[spanned(BUSINESS_LICENCE, text, "营业执照")])
    guides = [m["custom"]["name"] for m in messages if (m.get("custom") or {}).get("type") == "guide"]
    assert guides in ([], ["证照遗失补领、换发申请"])
    assert chat.slots["lookup_status"] == ("guide" if guides else "not_found")


@pytest.mark.parametrize(
    "text, words, named, item",
    [
        # 「营业执照」 is an alias of 个体工商户设立登记; a change of address is its 变更登记
        ("营业执照地址变了要改，我在龙台镇", "营业执照", BUSINESS_LICENCE, "个体工商户变更登记（备案）"),
        ("我在龙台镇，残疾证丢了", "残疾证", DISABILITY_CARD, "残疾人证挂失补办"),
    ],
)
def test_an_item_doing_another_thing_gives_way_to_its_variant_that_does_it(conversation, text, words, named,
                                                                            item):
    guide = only(conversation().say(text, entities=[spanned(named, text, words)]), "guide")
    assert [i["name"] for i in guide["items"]] == [item]


def test_an_item_whose_name_does_what_is_asked_is_still_answered(conversation):
    text = "我在官盛镇，娃娃刚生，出生证明咋个办"  # no other action asked: the first issue it is
    guide = only(conversation().say(text, entities=[spanned(BIRTH_CERTIFICATE, text, "出生证明")]), "guide")
    assert [i["code"] for i in guide["items"]] == [BIRTH_CERTIFICATE]


def test_a_place_reply_that_loosely_fits_other_items_answers_the_open_choice(conversation):
    chat = conversation()
    text = "我爸上个月走了，他是厂里退休的，后事有哪些手续"
    question = only(chat.say(text, entities=[entity(RETIREMENT), entity(AFTER_DEATH)]), "clarify")
    assert {o["value"] for o in question["questions"][0]["options"]} == {RETIREMENT, AFTER_DEATH}
    # 「户口」 fits 户口登记/注销/迁移 equally; here it only says where the 户口 is.
    messages = chat.say("户口在悦来镇", intent="inform", entities=[{"entity": "town", "value": "511602104"}])
    guides = [m["custom"] for m in messages if (m.get("custom") or {}).get("type") == "guide"]
    assert sorted(g["bundle"]["name"] for g in guides) == ["身后一件事", "退休一件事"]
    assert not [m for m in messages if (m.get("custom") or {}).get("type") == "clarify"]


# ---------------------------------------------------------------- a new item after an answer

LONGTAI = "511602014"


def test_a_statement_naming_another_item_after_an_answer_is_about_that_item(conversation):
    chat = conversation()
    text = "我在协兴镇，想问下残疾证方面的事情"
    first = only(chat.say(text, entities=[spanned(DISABILITY_CARD, text, "残疾证")]), "guide")
    assert first["items"][0]["name"] == "残疾人证新办"
    # Read as inform, with a place: still a new need, not the 残疾人证 again for 龙台镇.
    text = "我的社报卡丢了，龙台镇的"
    guide = only(chat.say(text, intent="inform", entities=[spanned(CARD_REPLACEMENT, text, "社报卡丢了"),
                                                          {"entity": "town", "value": LONGTAI}]), "guide")
    assert [i["name"] for i in guide["items"]] == ["社会保障卡补领、换领、换发"]


def test_a_fact_after_an_answer_that_only_describes_stays_with_the_item_in_play(conversation):
    chat = conversation()
    text = "我爸走了，身后事要办啥"
    only(chat.say(text, entities=[spanned(AFTER_DEATH, text, "身后事")]), "clarify")
    only(chat.say("没有退休金，只有农村养老保险", intent="inform"), "guide")
    # 「退休」 inside 「厂里退休的」 is a fact about the deceased, not the 退休一件事.
    text = "说错了，他是厂里退休的"
    guide = only(chat.say(text, intent="inform", entities=[spanned(RETIREMENT, text, "退休")]), "guide")
    assert guide["bundle"]["name"] == "身后一件事"
    assert "遗属待遇申领" in [i["name"] for i in guide["items"]]


def test_an_option_number_with_the_town_answers_the_one_question(conversation):
    chat = conversation()
    question = only(chat.say("户口方面的事情问下"), "clarify")
    offered = [option["label"] for option in question["questions"][0]["options"]]
    messages = chat.say("2，龙台镇", intent="inform", entities=[{"entity": "town", "value": LONGTAI}])
    guide = only(messages, "guide")  # the second option only, not every candidate
    assert [i["name"] for i in guide["items"]] == [offered[1]]
    assert guide["location"]["level"] == "town"
