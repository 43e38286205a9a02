"""resolve_place / place_from_codes / parse_facts on citizens' sentences."""
import pytest
from sqlalchemy import select

from catalog.models import Item
from catalog.queries import (
    facts_by_action,
    function_word_slip,
    get_target,
    names_region,
    parse_facts,
    place_from_codes,
    resolve_place,
    without_fact_words,
)

LONGTAI, CHETANG, LONGTAISI = "511602108", "511602108201", "511602108001"


@pytest.mark.parametrize(
    "text, town, village",
    [
        ("我在龙台镇", LONGTAI, None),
        ("本人办，门头要装修，在龙台镇", LONGTAI, None),
        ("龙台的", LONGTAI, None),  # bare town name
        ("我是车堂村的", LONGTAI, CHETANG),  # a village implies its town
        ("龙台镇车堂村委会", LONGTAI, CHETANG),  # official committee name
        ("住龙台寺社区", LONGTAI, LONGTAISI),  # longest match: 龙台寺社区, not the town alias 龙台
        ("我在浓洄街道", "511602001", None),
        ("我在浓洄街道五福社区", "511602001", None),  # 五福社区 is in 枣山街道, not 浓洄: keep the town, drop the village
        ("我想办社保卡", None, None),
        ("", None, None),
    ],
)
def test_resolve_place(session, text, town, village):
    place = resolve_place(session, text)
    assert (place.town.code if place.town else None) == town
    assert (place.village.code if place.village else None) == village
    assert place.is_empty == (town is None and village is None)


def test_resolved_place_names_are_official(session):
    place = resolve_place(session, "我是车堂村的")
    assert (place.town.name, place.town.level) == ("龙台镇", "town")
    assert (place.village.name, place.village.level) == ("车堂村委会", "village")


@pytest.mark.parametrize(
    "town_code, village_code, town, village",
    [
        (LONGTAI, None, LONGTAI, None),
        (None, CHETANG, LONGTAI, CHETANG),
        ("511602001", CHETANG, LONGTAI, CHETANG),  # the village decides its own town
        ("nonsense", None, None, None),
        (CHETANG, None, None, None),  # a village code is not a town
        (None, None, None, None),
    ],
)
def test_place_from_codes(session, town_code, village_code, town, village):
    place = place_from_codes(session, town_code, village_code)
    assert (place.town.code if place.town else None) == town
    assert (place.village.code if place.village else None) == village


XINNONGCUN = "511602105215"  # 新农村委会, a village of 兴平镇


@pytest.mark.parametrize(
    "code, said, slip",
    [
        (XINNONGCUN, "在农村", True),   # 「我妈在农村交的医保」: 在 + 农村, no village named
        (XINNONGCUN, "是农村", True),
        (XINNONGCUN, "心农村", False),  # a slip inside the name still names it
        (XINNONGCUN, "新农村", False),
        (XINNONGCUN, "在农", False),     # too short to tell
        (LONGTAI, "在龙台", False),      # the rest is not the rest of the name
        ("nonsense", "在农村", False),
    ],
)
def test_a_function_word_before_the_rest_of_a_name_is_no_slip_of_it(session, code, said, slip):
    assert function_word_slip(session, code, said) is slip


@pytest.mark.parametrize(
    "text, expected",
    [
        ("本人办，门头要装修，在龙台镇", {"delegated": "no", "shopfront_renovation": "yes"}),
        ("门头不装修，找人代办", {"delegated": "yes", "shopfront_renovation": "no"}),
        ("我自己去办，要办税", {"delegated": "no", "handle_tax": "yes"}),
        ("暂时不办税", {"handle_tax": "no"}),
        ("买房提取公积金", {"withdrawal_reason": "purchase"}),
        ("公积金怎么取出来买房", {"withdrawal_reason": "purchase"}),
        ("公积金能不能提出来租房", {"withdrawal_reason": "rent"}),  # 「能不能」 asks, it does not negate
        ("可不可以找人代办", {"delegated": "yes"}),
        ("我想迁户口到老公那里，他是协兴镇的", {"move_reason": "spouse"}),
        ("我不想委托别人", {}),
        ("我想开个小饭馆", {}),
        ("我自己跑，门头不动", {"delegated": "no", "shopfront_renovation": "no"}),
        ("我去不了，让儿子去办", {"delegated": "yes"}),
        ("她住在协兴镇，我帮她去办", {"delegated": "yes"}),
        ("我是她儿子，我去办", {"delegated": "yes"}),  # a relative going for the applicant
        ("我能帮她补办吗", {"delegated": "yes"}),
        ("我妈的老年证搞丢了，我帮她补一个", {"delegated": "yes"}),  # asked of the running service
        ("帮我爸把社保卡挂失了", {"delegated": "yes"}),
        ("我帮不了她，她自己去办", {"delegated": "no"}),  # she goes herself
        # both deciding facts of 我要开小餐馆 in the first message, as a citizen put them
        ("我想在协兴镇开个小面馆，门头要重新装，税也想一起办", {"shopfront_renovation": "yes", "handle_tax": "yes"}),
        ("门头不用翻新，税先不办", {"shopfront_renovation": "no", "handle_tax": "no"}),
    ],
)
def test_parse_facts_on_the_default_catalog(session, text, expected):
    assert parse_facts(session, text) == expected


# The two deciding facts of 我要开小餐馆 as people actually put them: the subject first
# (「税…」「门头…」) and a colloquial verb (弄/搞/整) rather than 办税/装修.
@pytest.mark.parametrize(
    "text, expected",
    [
        ("税也要办", {"handle_tax": "yes"}),
        ("顺便把税办了", {"handle_tax": "yes"}),
        ("税暂时不办", {"handle_tax": "no"}),
        ("税晚点再办，先把证拿到", {"handle_tax": "no"}),
        ("门头要重新做", {"shopfront_renovation": "yes"}),
        ("门头不搞了", {"shopfront_renovation": "no"}),
        ("门头就用原来的，税现在就办", {"shopfront_renovation": "no", "handle_tax": "yes"}),
        ("门头要整，税过段时间再办", {"shopfront_renovation": "yes", "handle_tax": "no"}),
    ],
)
def test_parse_facts_reads_subject_first_colloquial_wording(session, text, expected):
    assert parse_facts(session, text) == expected


@pytest.mark.parametrize("text", ["我买的二手房要过户，要带些啥", "买了二手房，过户咋个办", "二手房过户要带什么"])
def test_a_bought_second_hand_flat_is_a_sale(session, text):
    assert parse_facts(session, text).get("transfer_reason") == "sale"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("门头不装修", {"shopfront_renovation": "no"}),  # the negative phrase is longer than 「装修」
        ("要装修", {"shopfront_renovation": "yes"}),
        ("我自己去，不找人代办", {"delegated": "no"}),  # 「不找人代办」 beats the 「代办」 inside it
        ("找人代办，用电脑记账", {"delegated": "yes", "computer_bookkeeping": "yes"}),
        ("本人办理", {"delegated": "no"}),
        ("本人辦，門頭要裝修", {"delegated": "no", "shopfront_renovation": "yes"}),  # traditional
    ],
)
def test_parse_facts_negation_and_longest_match(small, text, expected):
    assert parse_facts(small, text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # Paraphrases of the deciding facts, no listed word in them.
        ("门头要重新装一下，税的事情也想一起办了", {"shopfront_renovation": "yes", "handle_tax": "yes"}),
        ("门头不打算重新装修", {"shopfront_renovation": "no"}),
        # A "yes" word under a negation says nothing; a plain negative word still counts.
        ("我不想委托别人", {}),
        ("我自己去，门头不装修，暂时不办税", {"delegated": "no", "shopfront_renovation": "no", "handle_tax": "no"}),
        # Detail facts are never guessed from a paraphrase.
        ("让我儿子帮我跑一趟", {}),
    ],
)
def test_paraphrases_and_negations(session, text, expected):
    asked = ["shopfront_renovation", "handle_tax", "delegated"]
    assert parse_facts(session, text, answering=asked) == expected


@pytest.mark.parametrize("text", ["想开个面馆，要办啥证", "我想取公积金", "房子过户要啥材料", "门头在哪里做"])
def test_paraphrases_are_read_only_for_what_was_just_asked(session, text):
    assert parse_facts(session, text) == {}  # a first question names no fact it does not say


@pytest.mark.parametrize("text, expected", [
    # no fact word (「身份证丢了」 is one), but 搞丢 asks 补领, and only 丢失补领 of the options says it
    ("我身份证搞丢了，咋个补办嘛", {"id_card_case": "lost"}),
    ("身份证弄丢了", {"id_card_case": "lost"}),
    ("第一次办身份证要带啥", {"id_card_case": "first"}),
    # a bare 办理 asks nothing of the options; nor a message that asks nothing done
    ("办身份证要带啥", {}),
    ("身份证的事", {}),
])
def test_facts_stated_by_the_action_asked(session, text, expected):
    target = get_target(session, session.scalar(select(Item.code).where(Item.name == "居民身份证办理（包括临时）")))
    assert facts_by_action(session, target, {}, text) == expected
    assert facts_by_action(session, target, {"id_card_case": "renew"}, text) == {}  # a fact known stays


def test_the_fact_words_of_a_message_are_taken_out(session):
    assert without_fact_words(session, "门头要装修，我自己去").strip(" ,") == ""  # both clauses are fact words
    assert "车撞了" in without_fact_words(session, "两个车撞了，有人在流血")  # no fact word: the words stay


BAISHI = "511602112"  # 白市镇


@pytest.mark.parametrize(
    "code, said, names",
    [
        (BAISHI, "白市镇", True),
        (BAISHI, "白市", True),      # the bare name
        (BAISHI, "在白市镇", True),
        (BAISHI, "市镇", False),     # 「我在代市镇」: 前锋区's town, tagged by the learned extractor
        (BAISHI, "代市镇", False),
        (LONGTAI, "龙台镇", True),
        (CHETANG, "车堂村", True),   # a village's spoken name
        ("nonsense", "白市镇", False),
    ],
)
def test_a_span_names_a_region_only_by_one_of_its_names(session, code, said, names):
    assert names_region(session, code, said) is names
