"""The text of the guide and of the one question, built from their payloads."""
import pytest

from actions.render import clarify_buttons, clarify_text, elsewhere_text, guide_text

GUIDE = {
    "type": "guide",
    "code": "open-restaurant",
    "name": "我要开小餐馆",
    "bundle": {"name": "我要开小餐馆"},
    "items": [{"code": "x", "name": "个体工商户设立登记", "department": "区行政审批局"},
              {"code": "y", "name": "小餐饮经营许可证核发", "department": "区行政审批局"}],
    "materials": [
        {"name": "健康证明", "copies": 1, "form": "原件", "note": None, "condition": None},
        {"name": "委托代理人证明", "copies": 1, "form": "原件", "note": None, "condition": "如委托他人办理"},
    ],
    "location": {"level": "county", "name": "广安区政务服务中心", "address": "某路1号", "hours": None,
                 "phone": "0826-1234567", "note": None},
    "time_limit": "8个工作日", "fee": "免费", "trips": 1, "online": "可网上申请",
    "process": "一表申请", "guide_url": "http://127.0.0.1:8000/guide/open-restaurant",
    "qr_url": "http://127.0.0.1:8000/guide/open-restaurant/qr.svg",
    "sample_notice": "示例数据，以官方办事指南为准", "source": "authored sample", "pending": ["如委托他人办理"],
}


def test_guide_text_lists_everything_with_conditions_and_the_notice():
    text = guide_text(GUIDE)
    lines = text.splitlines()
    assert lines[0] == "【我要开小餐馆】一次性告知"
    assert "个体工商户设立登记、小餐饮经营许可证核发" in lines[1]
    assert "1. 健康证明（原件，1份）" in lines
    assert "2. 委托代理人证明（原件，1份） —— 如委托他人办理" in lines
    for part in ("广安区政务服务中心", "地址：某路1号", "电话：0826-1234567", "办理时限：8个工作日",
                 "收费标准：免费", "最多跑1次", "/guide/open-restaurant", "示例数据，以官方办事指南为准"):
        assert part in text
    assert text.index("所需材料") < text.index("办理地点")


def test_the_aspect_asked_about_comes_first():
    text = guide_text(GUIDE, aspect="fee")
    assert text.splitlines()[2] == "收费标准：免费"
    assert text.index("收费标准") < text.index("所需材料")


def test_a_guide_without_authored_materials_points_to_the_full_guide():
    text = guide_text({**GUIDE, "materials": [], "bundle": None, "pending": [], "sample_notice": None})
    assert "所需材料" not in text and "完整材料以官方办事指南为准" in text and "示例数据" not in text
    assert "受理部门：" in text and "转人工" in text


QUESTIONS = [
    {"slot": "item", "text": "您要办理的是哪一项？", "options": [{"value": "c1", "label": "社会保障卡申领"},
                                                             {"value": "c2", "label": "社会保障卡注销"}]},
    {"slot": "handle_tax", "text": "税务现在一起办吗？",
     "options": [{"value": "yes", "label": "一并办税"}, {"value": "no", "label": "暂时不办税"}]},
    {"slot": "place", "text": "您在哪个乡镇（街道）？", "options": []},
]


def test_clarify_text_numbers_every_question_in_one_message():
    text = clarify_text("请确认：", QUESTIONS)
    assert text.splitlines()[0] == "请确认："
    assert "1. 您要办理的是哪一项？" in text and "1) 社会保障卡申领" in text and "2) 社会保障卡注销" in text
    assert "2. 税务现在一起办吗？（一并办税 / 暂时不办税）" in text
    assert "3. 您在哪个乡镇（街道）？" in text


def test_an_item_offered_alone_is_named_in_its_question_not_listed():
    question = {"slot": "item", "text": "您要办理的是不是【档案查（借）阅服务】？请回复「是」或「不是」。",
                "options": [{"value": "c1", "label": "档案查（借）阅服务"}]}
    text = clarify_text("请确认：", [question])
    assert text == "请确认：\n1. " + question["text"]
    assert clarify_buttons([question]) == [{"title": "档案查（借）阅服务", "payload": '/inform{"item": "c1"}'}]


def test_clarify_buttons_carry_the_item_code_or_the_option_text():
    buttons = clarify_buttons(QUESTIONS)
    assert buttons[0] == {"title": "社会保障卡申领", "payload": '/inform{"item": "c1"}'}
    assert {"title": "暂时不办税", "payload": "暂时不办税"} in buttons
    assert len(buttons) == 4  # the free-text place question has no buttons


def test_an_aspect_asked_but_unknown_is_said_first_not_skipped():
    text = guide_text({**GUIDE, "fee": None}, aspect="fee")
    assert text.splitlines()[2] == "收费标准：请以完整办事指南为准。"


# An official guide's material (防城港市's 生育医疗费用支付 as catalog.queries.guide gives it): the
# decisive part first and compact, 必需 or 非必需, counts or form, paper or electronic, then the note.
OFFICIAL_MATERIAL_LINES = [
    ({"name": "医疗费用发票报销联", "copies": 0, "form": "原件", "note": "个人网厅申报需上传发票PDF源文件。",
      "condition": None, "required": True, "originals": 1, "medium": "纸质"},
     "1. 医疗费用发票报销联（必需，原件1份，纸质）：个人网厅申报需上传发票PDF源文件。"),
    ({"name": "广西生育保险待遇个人申请表", "copies": 0, "form": "原件或复印件", "note": None, "condition": None,
      "required": True, "originals": 0, "medium": "电子"},
     "1. 广西生育保险待遇个人申请表（必需，原件或复印件，电子）"),
    ({"name": "病历资料", "copies": 1, "form": "复印件", "note": None, "condition": None, "required": False,
      "originals": 0, "medium": "纸质或电子"},
     "1. 病历资料（非必需，复印件1份，纸质或电子）"),
    ({"name": "授权委托书", "copies": 0, "form": "原件", "note": None, "condition": "如委托他人办理",
      "required": True, "originals": 1, "medium": "纸质"},
     "1. 授权委托书（必需，原件1份，纸质） —— 如委托他人办理"),
]


@pytest.mark.parametrize("material, line", OFFICIAL_MATERIAL_LINES, ids=lambda value: str(value)[:12])
def test_an_official_material_says_required_or_optional_first(material, line):
    guide = {"type": "guide", "name": "生育医疗费用支付", "items": [], "materials": [material], "official": True,
             "missing": [], "location": None}
    assert line in guide_text(guide).splitlines()


def test_an_authored_material_carries_no_required_tag():
    text = guide_text(GUIDE)
    assert "必需" not in text


def test_a_need_the_list_lacks_names_who_handles_it_and_an_emergency_number_first():
    assert elsewhere_text("机动车上牌", "公安交警车管所") == \
        "您说的像是「机动车上牌」，不在本区政务服务事项清单内，一般由公安交警车管所负责。"
    assert elsewhere_text("交通事故现场", "122、120").startswith("情况紧急请立即拨打120、122！您说的像是「交通事故现场」")
    assert elsewhere_text("天气", None) == "您说的像是「天气」，不在本区政务服务事项清单内。"
    assert elsewhere_text("有人落水", "110、119") == "情况紧急请立即拨打110、119！您说的像是「有人落水」，不在本区政务服务事项清单内。"
