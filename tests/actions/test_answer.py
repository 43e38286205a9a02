"""action_answer against the real default catalog: docs/DESIGN.md §2 "ask at most once", turn by turn."""
import pytest

from actions.answer import ActionAnswer, ActionResetNeed, places_checked
from actions.conversation import Turn
from tests.actions.conftest import Conversation


def payloads(messages, kind):
    return [m["custom"] for m in messages if (m.get("custom") or {}).get("type") == kind]


def the_guide(messages):
    guides = payloads(messages, "guide")
    assert len(messages) == 1 and len(guides) == 1, messages
    return guides[0]


def the_question(messages):
    clarify = payloads(messages, "clarify")
    assert len(messages) == 1 and len(clarify) == 1, messages
    return clarify[0]


def item_names(guide):
    return [item["name"] for item in guide["items"]]


def material_names(guide):
    return [m["name"] for m in guide["materials"]]


# Zero questions: the question names the item and everything that decides the answer.
@pytest.mark.parametrize(
    "text, item, level, place_in_location",
    [
        ("我在龙台镇，本人办社保卡丢了怎么补", "社会保障卡补领、换领、换发", "town", "龙台镇"),
        ("办护照要带啥", "普通护照签发", "county", None),  # county-level: the place is never asked
        ("我住协兴镇，低保怎么申请", "最低生活保障", "town", "协兴镇"),  # village-level: the town centre
        ("结婚登记要带什么", "结婚登记预约", "county", None),
    ],
)
def test_zero_question_answers(conversation, text, item, level, place_in_location):
    chat = conversation()
    guide = the_guide(chat.say(text))
    assert item_names(guide) == [item]
    assert guide["location"]["level"] == level
    if place_in_location:
        assert place_in_location in guide["location"]["name"]
    assert guide["qr_url"].endswith("/qr.svg")
    assert chat.slots["lookup_status"] == "guide" and chat.slots["pending_question"] is False


def test_the_guide_text_carries_the_location_and_the_sample_notice(conversation):
    messages = conversation().say("我在龙台镇，本人办社保卡丢了怎么补")
    guide, text = the_guide(messages), messages[0]["text"]
    assert guide["location"]["name"] in text
    if guide["sample_notice"]:
        assert guide["sample_notice"] in text


def test_a_fact_said_in_the_question_drops_the_conditional_material(conversation):
    guide = the_guide(conversation().say("我在龙台镇，本人办社保卡丢了怎么补"))
    assert not [m for m in guide["materials"] if m["condition"] == "如委托他人办理"]


def test_the_aspect_asked_comes_first_in_the_text(conversation, code_of):
    entities = [{"entity": "item", "value": code_of("普通护照签发")}, {"entity": "aspect", "value": "fee"}]
    messages = conversation().say("办护照要多少钱", entities=entities)
    the_guide(messages)
    assert messages[0]["text"].splitlines()[1].startswith("收费标准")


def test_a_bundle_asks_every_deciding_fact_in_one_message(conversation):
    chat = conversation()
    messages = chat.say("我想开个小饭馆要准备啥")
    question = the_question(messages)
    slots = [q["slot"] for q in question["questions"]]
    assert set(slots) == {"shopfront_renovation", "handle_tax"}  # county-level bundle: no place
    assert all(q["options"] for q in question["questions"])
    titles = {b["title"] for b in messages[0]["buttons"]}
    assert {o["label"] for q in question["questions"] for o in q["options"]} == titles
    for q in question["questions"]:
        assert q["text"] in messages[0]["text"]
    assert chat.slots["pending_question"] is True and chat.slots["lookup_status"] == "clarify"
    assert chat.slots["target_code"] in chat.slots["asked_for"]


def test_the_reply_gets_the_full_guide_even_with_a_fact_still_open(conversation):
    chat = conversation()
    the_question(chat.say("我想开个小饭馆要准备啥"))
    guide = the_guide(chat.say("门头要装修", intent="inform"))  # 办税 left unanswered
    assert guide["bundle"]["name"] == "我要开小餐馆"
    assert "临时占用街道两侧和公共场地许可" in item_names(guide)
    assert "现状图（实景照片）" in material_names(guide)
    assert [m for m in guide["materials"] if m["condition"]], "open facts stay as conditions"
    assert chat.slots["facts"]["shopfront_renovation"] == "yes"
    assert chat.slots["pending_question"] is False


def test_a_clicked_button_answers_its_question(conversation):
    chat = conversation()
    messages = chat.say("开餐馆需要哪些手续")
    no_renovation = next(b for b in messages[0]["buttons"] if b["title"] == "门头不装修")
    guide = the_guide(chat.say(no_renovation["payload"], intent="inform"))
    assert "临时占用街道两侧和公共场地许可" not in item_names(guide)
    assert "现状图（实景照片）" not in material_names(guide)


@pytest.mark.parametrize("reply, intent", [("还没想好", "deny"), ("还没想好", "nlu_fallback"), ("嗯", "affirm")])
def test_never_a_second_question_for_the_same_need(conversation, reply, intent):
    chat = conversation()
    the_question(chat.say("我想开个小饭馆要准备啥"))
    the_guide(chat.say(reply, intent=intent))
    # Asking about the same item again later still answers at once.
    the_guide(chat.say("开小饭馆要准备啥"))


def test_the_town_and_facts_are_remembered_across_items(conversation):
    chat = conversation()
    the_guide(chat.say("我住龙台镇，低保怎么申请"))
    second = the_guide(chat.say("那80岁高龄补贴呢"))
    assert item_names(second) == ["80周岁以上老年人高龄津贴发放"]
    assert "龙台镇" in second["location"]["name"]
    assert chat.slots["town_code"] and chat.slots.get("village_code") is None


def test_a_place_question_alone_is_answered_by_the_town(conversation):
    chat = conversation()
    question = the_question(chat.say("低保怎么申请"))
    assert [q["slot"] for q in question["questions"]] == ["place"]
    guide = the_guide(chat.say("龙台镇", intent="inform"))
    assert item_names(guide) == ["最低生活保障"] and "龙台镇" in guide["location"]["name"]


LONGTAI, HUAQIAO = "511602108", "511602107"


def test_a_place_that_changes_nothing_gets_one_line_not_the_guide_again(conversation):
    chat = conversation()
    the_guide(chat.say("办护照要带啥"))
    messages = chat.say("我在龙台镇", intent="inform", entities=[{"entity": "town", "value": LONGTAI}])
    assert len(messages) == 1 and not messages[0].get("custom")
    assert messages[0]["text"] == ("【普通护照签发】龙台镇便民服务中心不能办理这一项，仍在广安区政务服务中心办理，"
                                   "所需材料和上面的一次性告知相同。")
    assert chat.slots["target_code"] and chat.slots["town_code"] == LONGTAI
    assert chat.slots["lookup_status"] == "guide"


def test_a_place_that_changes_the_point_gets_the_guide_for_it(conversation):
    chat = conversation()
    the_guide(chat.say("我住龙台镇，低保怎么申请"))
    guide = the_guide(chat.say("我搬到花桥镇了", intent="inform", entities=[{"entity": "town", "value": HUAQIAO}]))
    assert "花桥镇" in guide["location"]["name"]


def test_an_aspect_asked_with_a_place_still_gets_the_guide(conversation):
    chat = conversation()
    the_guide(chat.say("办护照要带啥"))
    messages = chat.say("我在龙台镇，要多少钱", intent="inform",
                        entities=[{"entity": "town", "value": LONGTAI}, {"entity": "aspect", "value": "fee"}])
    assert the_guide(messages)["location"]["note"] == "龙台镇便民服务中心不能办理这一项"


def test_close_candidates_are_one_item_question_with_a_candidates_payload(conversation):
    chat = conversation()
    messages = chat.say("社保卡")
    question = the_question(messages)
    item_question = question["questions"][0]
    assert item_question["slot"] == "item"
    names = [o["label"] for o in item_question["options"]]
    assert {"社会保障卡申领", "社会保障卡补领、换领、换发", "社会保障卡注销"} <= set(names)
    assert item_question["candidates"]["type"] == "candidates"
    assert [c["name"] for c in item_question["candidates"]["items"]] == names
    # The place is asked in the same message (these items are handled at the town).
    assert [q["slot"] for q in question["questions"]][1:] == ["place"]
    assert messages[0]["buttons"][0]["payload"].startswith("/inform")


@pytest.mark.parametrize("reply", ["第二个", "2", "补领", "社会保障卡补领、换领、换发"])
def test_the_reply_picks_a_candidate_and_gets_the_guide(conversation, reply):
    chat = conversation()
    options = the_question(chat.say("社保卡"))["questions"][0]["options"]
    guide = the_guide(chat.say(reply, intent="inform"))
    expected = options[1]["label"] if reply in ("第二个", "2") else "社会保障卡补领、换领、换发"
    assert item_names(guide) == [expected]


def test_the_candidate_button_payload_picks_by_code(conversation):
    chat = conversation()
    options = the_question(chat.say("社保卡"))["questions"][0]["options"]
    cancel = next(o for o in options if o["label"] == "社会保障卡注销")
    guide = the_guide(chat.say(f'/inform{{"item": "{cancel["value"]}"}}', intent="inform",
                               entities=[{"entity": "item", "value": cancel["value"]}]))
    assert item_names(guide) == ["社会保障卡注销"]


def test_still_unclear_after_the_one_question_hands_off(conversation):
    chat = conversation()
    the_question(chat.say("社保卡"))
    assert chat.say("随便吧", intent="nlu_fallback") == []
    assert chat.slots["lookup_status"] == "not_found" and chat.slots["pending_question"] is False


def test_an_item_entity_is_trusted(conversation, code_of):
    passport = code_of("普通护照签发")
    guide = the_guide(conversation().say("这个怎么办", entities=[{"entity": "item", "value": passport}]))
    assert item_names(guide) == ["普通护照签发"]


@pytest.mark.parametrize(
    "text, intent, status",
    [
        ("今天天气怎么样", "out_of_scope", "not_found"),
        ("阿巴阿巴", "nlu_fallback", "not_found"),
        # Read as inform, but it names no catalog item, no place and no fact: not a reply to answer.
        # (「转学」 is on the list: 义务教育阶段学生学籍异动办理, which the resolver finds.)
        # A need the list lacks (捐赠): who handles it is said, then the 12345 line.
        ("我想给城南小学捐点旧书", "inform", "referred"),
    ],
)
def test_nothing_to_answer_sends_no_guess(conversation, text, intent, status):
    chat = conversation()
    messages = chat.say(text, intent=intent)
    assert not any(m.get("custom") or m.get("buttons") for m in messages)  # at most a referral's text
    assert chat.slots["lookup_status"] == status


def test_a_need_the_list_lacks_is_referred_to_whoever_handles_it(conversation):
    """Before the 12345 handoff: what the message was read as and who handles it, an emergency's
    number first (catalog/data/words/off_list_needs.yaml)."""
    chat = conversation()
    [message] = chat.say("着火了，隔壁屋头烧起来了", intent="inform")
    assert message["text"].startswith("情况紧急请立即拨打119！") and "「火灾」" in message["text"]
    assert chat.slots["lookup_status"] == "referred"  # the 12345 line follows, not 「没能找到」


@pytest.mark.parametrize("text, intent", [("你好", "greet"), ("谢谢", "thanks"), ("好的，再见", "goodbye"),
                                          ("你是机器人吗", "bot_challenge")])
def test_small_talk_gets_its_own_reply_and_leaves_the_open_question_open(conversation, text, intent):
    """The rules play utter_<intent> after action_answer reports the intent (assistant/data/rules.yml)."""
    chat = conversation()
    the_question(chat.say("社保卡"))
    assert chat.say(text, intent=intent) == []
    assert chat.slots["lookup_status"] == intent and chat.slots["pending_question"] is True


def test_a_need_read_as_small_talk_is_answered(conversation):
    guide = the_guide(conversation().say("我成年了，想改民族成分", intent="goodbye"))
    assert item_names(guide) == ["公民民族成份确认和变更（满十八岁）"]


def test_a_yes_with_nothing_in_play_asks_what_to_handle(conversation):
    chat = conversation()
    [message] = chat.say("好的", intent="affirm")
    assert chat.slots["lookup_status"] == "no_context"
    assert not message.get("custom") and not message.get("buttons")
    assert message["text"].startswith("好的。请问您要办什么事？")


def test_a_long_message_read_as_a_no_that_names_nothing_is_handed_off(conversation):
    chat = conversation()
    chat.say("这个事情能不能办我也说不清楚，不是很懂", intent="deny")
    assert chat.slots["lookup_status"] == "not_found"


def test_a_need_the_list_lacks_that_names_a_place_is_handed_off(conversation):
    """A place said on the way to an emergency is no place given: no 「已记下」, a handoff."""
    chat = conversation()
    [message] = chat.say("龙台镇场口那边两个车撞了，有人受伤", intent="inform")
    assert chat.slots["lookup_status"] == "referred"
    assert "已记下" not in message["text"] and "120" in message["text"]


def test_facts_and_place_without_an_item_are_acknowledged_then_used(conversation):
    """The first message names no item (or the question before it was lost): say what was noted,
    ask what to handle, and use it all when the item comes."""
    chat = conversation()
    [message] = chat.say("门头要装修，要办税，我自己去，住在龙台镇", intent="inform")
    assert chat.slots["lookup_status"] == "no_context"
    assert "已记下：龙台镇" in message["text"]
    for label in ("本人办理", "门头要装修", "一并办税"):
        assert label in message["text"]
    assert "请问您要办什么事" in message["text"] and "还有其他" not in message["text"]
    guide = the_guide(chat.say("我想开个小饭馆要准备啥"))
    assert chat.slots["town_code"] == "511602108"  # 龙台镇, remembered
    assert not any("委托" in m["name"] for m in guide["materials"])  # 本人办理, remembered


def test_after_an_answer_a_yes_offers_the_next_matter(conversation):
    chat = conversation()
    the_guide(chat.say("低保怎么申请，我在龙台镇"))
    [message] = chat.say("好的", intent="affirm")
    assert message["text"] == "好的。还有其他想办的事吗？直接告诉我要办什么，比如「补办社保卡」「开小饭馆要准备啥」。"


def test_a_place_given_before_the_item_is_kept(conversation):
    chat = conversation()
    chat.say("我在龙台镇", intent="inform")
    guide = the_guide(chat.say("低保怎么申请"))
    assert "龙台镇" in guide["location"]["name"]


def test_a_follow_up_fact_updates_the_answer_without_a_question(conversation):
    chat = conversation()
    the_guide(chat.say("办护照要带啥"))
    guide = the_guide(chat.say("我找人代办", intent="inform"))
    assert item_names(guide) == ["普通护照签发"]
    assert chat.slots["facts"].get("delegated") == "yes"


@pytest.mark.parametrize(
    "first, then, intent, expected",
    [
        # A fact only the new item uses starts that item; the old one is not re-answered.
        ("补领结婚证要带什么", "户口也要迁过来，投靠老公", "nlu_fallback", "户口迁移审批"),
        ("办护照要带啥", "还有户口要迁，是投靠父母", "inform", "户口迁移审批"),
        ("我在龙台镇，低保怎么申请", "公积金也想取出来，买房用", "inform", "住房公积金提取"),
    ],
)
def test_a_fact_for_another_item_starts_that_item(conversation, code_of, first, then, intent, expected):
    chat = conversation()
    chat.say(first)
    messages = chat.say(then, intent=intent)
    guides, clarify = payloads(messages, "guide"), payloads(messages, "clarify")
    assert guides or clarify, messages
    if guides:
        assert item_names(guides[0]) == [expected]
    assert chat.slots["target_code"] == code_of(expected)


def test_reset_need_keeps_facts_and_place(tracker_for, run):
    tracker = tracker_for("再见", "goodbye", slots={"target_code": "x", "pending_question": True,
                                                     "town_code": "511602108", "facts": {"delegated": "no"}})
    events, messages = run(ActionResetNeed(), tracker)
    changed = {e["name"]: e["value"] for e in events}
    assert changed["target_code"] is None and changed["pending_question"] is False
    assert "town_code" not in changed and "facts" not in changed and messages == []


def test_a_paraphrased_reply_to_the_one_question_is_understood(conversation):
    chat = conversation()
    assert payloads(chat.say("我想开个小饭馆要准备啥"), "clarify")
    guide = the_guide(chat.say("门头要重新装一下，税的事情也想一起办了", intent="inform"))
    plain = {m["name"] for m in guide["materials"] if m["condition"] is None}
    assert {"现状图（实景照片）", "账户、账号开立证明"} <= plain


def test_the_same_reply_twice_gets_the_same_answer_not_a_new_question(conversation):
    """A double tap, a client retry, or nginx re-sending a turn a dying replica had already saved."""
    chat = conversation()
    the_question(chat.say("我想开个小饭馆要准备啥"))
    reply = "门头要装修，要办税，我自己去，住在龙台镇"
    first = the_guide(chat.say(reply, intent="inform"))
    again = the_guide(chat.say(reply, intent="inform"))
    assert material_names(again) == material_names(first)
    assert chat.slots["lookup_status"] == "guide"


def test_a_bare_yes_twice_is_not_re_answered(conversation):
    chat = conversation()
    the_guide(chat.say("低保怎么申请，我在龙台镇"))
    chat.say("好的", intent="affirm")
    [message] = chat.say("好的", intent="affirm")
    assert not message.get("custom") and "还有其他想办的事吗" in message["text"]


@pytest.mark.parametrize("then, intent", [("我是她儿子，我去办", "ask_item"), ("我帮她去办", "inform")])
def test_restating_what_is_known_stays_with_the_item_in_play(conversation, then, intent):
    """「我是她儿子，我去办」 after 「…我能帮她补办吗」 learns nothing new (delegation was already
    said) and names no item: it is about the same 身份证, not a 12345 handoff."""
    chat = conversation()
    first = the_guide(chat.say("我妈的身份证丢了，她住在协兴镇，我能帮她补办吗"))
    again = the_guide(chat.say(then, intent=intent))
    assert item_names(again) == item_names(first) and again["location"] == first["location"]
    assert chat.slots["facts"].get("delegated") == "yes"


# 「要多少钱」 after the guide: the fee the data gives, first, never 「请以完整办事指南为准」 when the data
# has it (docs/DESIGN.md §1: time limit, fee, trips are part of the answer).
@pytest.mark.parametrize("name, fee_line", [
    ("普通护照签发", "收费标准：120元（照片现场免费采集）"),
    ("退休一件事", "收费标准：免费"),  # a bundle's own fee
])
def test_the_fee_asked_after_the_guide_is_the_datas(conversation, code_of, name, fee_line):
    chat = conversation()
    the_guide(chat.say(name, entities=[{"entity": "item", "value": code_of(name)}]))
    messages = chat.say("要多少钱", entities=[{"entity": "aspect", "value": "fee"}])
    body = [line for line in messages[0]["text"].splitlines()[1:] if not line.startswith("这件事一次办")]
    assert body[0] == fee_line and "请以完整办事指南为准" not in messages[0]["text"]
    assert the_guide(messages)["fee"] == fee_line.removeprefix("收费标准：")


@pytest.fixture
def fangchenggang_actions(tmp_path_factory):
    """The sessions of 防城港市's catalog (as WYC_REGION=450600 gives), for the actions to be handed."""
    from catalog.db import make_engine, make_sessionmaker
    from tests.catalogs import region_catalog_url

    engine = make_engine(region_catalog_url(tmp_path_factory.mktemp("fcg"), "450600"))
    try:
        yield make_sessionmaker(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize("name, fee_line, time_line", [
    ("生育医疗费用支付", "收费标准：不收费", "办理时限：承诺15天办结，法定时限20天"),
    ("集体建设用地使用权及房屋所有权首次登记", "收费标准：收费（收费标准见官方办事指南）",
     "办理时限：承诺5天办结，法定时限30天"),
])
def test_an_official_guides_fee_and_days_asked_are_the_sources(fangchenggang_actions, name, fee_line, time_line):
    from sqlalchemy import select

    from catalog.models import Item

    with fangchenggang_actions() as session:
        code = session.scalar(select(Item.code).where(Item.name == name))
    chat = Conversation(ActionAnswer(fangchenggang_actions))
    guide = the_guide(chat.say(name, entities=[{"entity": "item", "value": code}]))
    assert guide["location"]["level"] == "city" and guide["official"]
    fee = chat.say("要多少钱", entities=[{"entity": "aspect", "value": "fee"}])
    assert fee[0]["text"].splitlines()[1] == fee_line
    days = chat.say("要几天", entities=[{"entity": "aspect", "value": "time"}])
    assert days[0]["text"].splitlines()[1] == time_line


def test_a_fact_stated_by_the_action_asked_tailors_the_guide_and_is_remembered(conversation):
    """「搞丢了」 is no fact word, but it asks 补领: the 丢失补领 materials only, kept for the next turn."""
    chat = conversation()
    guide = the_guide(chat.say("我身份证搞丢了，咋个补办嘛，我在龙台镇"))
    names = material_names(guide)
    assert "居民户口簿（丢失补领）" in names and "原居民身份证" not in names
    assert chat.slots["facts"]["id_card_case"] == "lost"


def test_a_suggestion_naming_an_item_is_handed_off_as_a_complaint(conversation):
    """「建议…」 names 社保卡 but asks nothing done: 12345 registers it (the complaint's handoff)."""
    chat = conversation()
    assert chat.say("建议社保卡和医保卡合成一张卡，不然老年人搞不清楚", intent="ask_item") == []
    assert chat.slots["lookup_status"] == "complaint"


def test_an_emergency_read_as_a_complaint_gives_its_number_before_the_handoff(conversation):
    chat = conversation()
    [message] = chat.say("北辰街道菜市场门口有个老人晕倒了，快来人", intent="complaint")
    assert message["text"].startswith("情况紧急请立即拨打120！")
    assert chat.slots["lookup_status"] == "referred"  # then the 12345 line, not the complaint's apology


def test_a_complaint_about_what_another_office_handles_stays_a_complaint(conversation):
    chat = conversation()
    [message] = chat.say("工地半夜还在施工，吵得睡不着，我要投诉", intent="complaint")
    assert "「施工噪音扰民」" in message["text"] and "情况紧急" not in message["text"]
    assert chat.slots["lookup_status"] == "complaint"  # 12345 registers it


def test_an_emergency_read_as_a_request_for_a_person_gives_its_number_before_the_handoff(conversation):
    chat = conversation()
    [message] = chat.say("街口两个车撞了，有个人腿在流血", intent="request_human")
    assert message["text"].startswith("情况紧急请立即拨打120、122！")
    assert chat.slots["lookup_status"] == "referred"


def test_a_report_naming_a_machine_is_no_question_about_the_bot(conversation):
    chat = conversation()
    messages = chat.say("龙台镇桥底下有人背起个机器在河头电鱼，管不管", intent="bot_challenge")
    assert chat.slots["lookup_status"] in ("not_found", "referred") and not any(m.get("custom") for m in messages)


def test_an_item_fairly_likely_but_under_the_bar_is_offered_alone_and_a_yes_takes_it(conversation):
    """The resolver's confirm: one question naming the item; 「是的」 gives its guide, 「不是」 a handoff."""
    chat = conversation()
    question = the_question(chat.say("楼还没修好就拿去银行抵押，要办啥手续", intent="ask_materials"))
    [item_question] = [q for q in question["questions"] if q["slot"] == "item"]
    assert [o["label"] for o in item_question["options"]] == ["抵押备案"]
    assert "【抵押备案】" in item_question["text"]
    assert item_names(the_guide(chat.say("是的", intent="affirm"))) == ["抵押备案"]
    other = conversation()
    other.say("楼还没修好就拿去银行抵押，要办啥手续", intent="ask_materials")
    other.say("不是", intent="deny")
    assert other.slots["lookup_status"] == "not_found"


@pytest.mark.parametrize("text", ["大龙镇街口两个车撞了，有个人腿在流血", "花桥镇这边后山烧起来了，火越来越大"])
def test_a_place_named_on_the_way_to_what_we_cannot_read_is_no_place_given(conversation, text):
    chat = conversation()
    messages = chat.say(text, intent="inform")
    assert chat.slots["lookup_status"] == "referred" and chat.slots["town_code"]  # the place is kept
    assert not any("已记下" in (m.get("text") or "") for m in messages)


def test_a_function_word_before_a_plain_word_names_no_village(conversation):
    """「在农村」 read by the NLU as a near miss of 兴平镇's 新农村 gives no service point of that village."""
    text = "我妈在农村交的医保，上面的电话号码是老的，要改一下"
    fuzzy = [{"entity": "village", "value": "511602105215", "start": 2, "end": 5, "match": "fuzzy"}]
    chat = conversation()
    chat.say(text, intent="ask_materials", entities=fuzzy)
    assert not chat.slots.get("village_code") and not chat.slots.get("town_code")
    typo = conversation()
    typo.say("我是心农村的，" + text[2:], intent="ask_materials",
             entities=[{"entity": "village", "value": "511602105215", "start": 2, "end": 5, "match": "fuzzy"}])
    assert typo.slots.get("village_code") == "511602105215"


@pytest.mark.parametrize("text, start, end, kept", [
    ("我在代市镇开了个小卖部，想卖烟", 3, 5, False),   # 「市镇」 of 前锋区's 代市镇 is no 白市镇
    ("我在白市镇开了个小卖部，想卖烟", 2, 5, True),
    ("我在白市开了个小卖部，想卖烟", 2, 4, True),
])
def test_a_place_the_message_does_not_name_is_not_its_place(catalog_factory, text, start, end, kept):
    turn = Turn.from_parse({"text": text, "intent": {"name": "ask_item"}, "entities": [
        {"entity": "town", "value": "511602112", "start": start, "end": end, "extractor": "DIETClassifier"}]})
    with catalog_factory() as session:
        assert (places_checked(session, turn).town_code == "511602112") is kept
