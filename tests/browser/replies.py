"""Replies of the bot as it asks its one question, for the widget's browser tests against a fake bot
(「户口方面的事情问下」: which item, and which town)."""

INTRO = "为了一次把材料和办理地点告诉您，请先确认以下几点（可一次回复）："
HUKOU = ["户口登记", "户口注销", "户口迁移审批"]
ITEM_AND_TOWN = {
    "text": INTRO + "\n1. 您要办理的是哪一项？请回复序号或名称。\n  1) 户口登记\n  2) 户口注销\n  3) 户口迁移审批\n2. 您在哪个乡镇（街道）办理？",
    "buttons": [{"title": name, "payload": '/inform{"item": "h%d"}' % i} for i, name in enumerate(HUKOU)],
    "custom": {"type": "clarify", "questions": [
        {"slot": "item", "text": "您要办理的是哪一项？请回复序号或名称。",
         "options": [{"value": "h%d" % i, "label": name} for i, name in enumerate(HUKOU)]},
        {"slot": "place", "text": "您在哪个乡镇（街道）办理？", "options": []}]},
}
