"""Which target a message names: bundles named through their parts, names several items share,
exact names over near misses — action_answer against the real default catalog, no Rasa."""
import pytest

from catalog.queries import bundle_named_by

from actions.choice import pick_option

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
