"""The item model parses real item names into object, actions, qualifiers and audience."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog.item_model import ITEMS_FILE, catalog_parts, main, parse_catalog, parse_name
from catalog.words import WORDS_DIR, Scanner, load_words

FANGCHENGGANG = Path("/work/shared/data/guides/fangchenggang_services.jsonl")

# name, lead object, other objects that must be present, actions, qualifiers that must be present, audience
CASES = [
    ("失业保险金申领", "失业保险金", (), {"申领"}, (), "citizen"),
    ("烟草专卖零售许可证延续", "烟草专卖零售许可证", (), {"延续"}, (), "business"),
    ("烟草专卖零售许可证歇业", "烟草专卖零售许可证", (), {"停业"}, (), "business"),
    ("烟草专卖零售许可证恢复营业", "烟草专卖零售许可证", (), {"恢复"}, (), "business"),
    ("社会保障卡补领、换领、换发", "社会保障卡", (), {"补领", "换领"}, (), "citizen"),
    ("社会保障卡注销", "社会保障卡", (), {"注销"}, (), "citizen"),
    ("拖拉机联合收割机驾驶证补换证", "拖拉机联合收割机驾驶证", (), {"补领", "换领"}, (), "citizen"),
    ("补领结婚证", "结婚证", (), {"补领"}, (), "citizen"),
    ("申领《四川省老年人优待证》", "四川省老年人优待证", (), {"申领"}, ("老年人",), "citizen"),
    ("《出生医学证明》首次签发", "出生医学证明", (), {"新办"}, (), "citizen"),
    ("80周岁以上老年人高龄津贴发放", "80周岁以上老年人高龄津贴", ("高龄津贴",), {"申领"}, ("老年人",), "citizen"),
    ("困难残疾人生活补贴", "困难残疾人生活补贴", ("生活补贴",), set(), ("残疾人",), "citizen"),
    ("最低生活保障", "最低生活保障", (), set(), (), "citizen"),
    ("无犯罪记录证明", "无犯罪记录证明", (), set(), (), "citizen"),
    ("临时救助", "临时救助", (), set(), (), "citizen"),
    ("居民身份证跨省异地办理", "居民身份证", ("身份证",), {"办理"}, ("跨省", "异地"), "citizen"),
    ("户口注销", "户口", (), {"注销"}, (), "citizen"),
    ("户口迁移审批", "户口", (), {"转移接续", "审批"}, (), "citizen"),
    ("离婚登记预约", "离婚", (), {"登记", "预约"}, (), "citizen"),
    ("残疾人证挂失补办", "残疾人证", (), {"补领"}, (), "citizen"),
    ("残疾人证换领", "残疾人证", (), {"换领"}, (), "citizen"),
    ("犬类准养证核发", "犬类准养证", (), {"核发"}, (), "citizen"),
    ("领取失业保险金期间职业培训补贴申领", "职业培训补贴", ("失业保险金",), {"申领"}, (), "citizen"),
    ("军人退役养老保险关系转移接续申请", "军人退役养老保险关系", ("养老保险关系",), {"转移接续", "申请"}, ("退役军人",), "citizen"),
    ("企业职工基本养老保险正常退休申请", "企业职工基本养老保险正常退休", (), {"申请"}, ("职工",), "citizen"),
    ("门诊费用报销", "门诊费用", (), {"提取"}, (), "citizen"),
    ("个体工商户注销登记", "个体工商户", (), {"注销", "登记"}, ("个体",), "business"),
    ("个体工商户设立登记", "个体工商户", (), {"新办", "登记"}, ("个体",), "business"),
    ("代开增值税普通发票（县级行使）", "增值税普通发票", (), {"开具"}, ("县级",), "business"),
    ("增值税一般纳税人登记（县级行使）", "增值税一般纳税人", (), {"登记"}, ("县级",), "business"),
    ("客运车辆道路运输证办理（补办）", "客运车辆道路运输证", (), {"办理", "补领"}, (), "business"),
    ("道路客运班线经营许可证明（初领）", "道路客运班线经营许可证明", (), {"新办"}, (), "business"),
    ("食品(含保健食品)经营许可延续", "食品经营许可", (), {"延续"}, ("含保健食品",), "business"),
    ("危险废物经营许可到期延续(市级)", "危险废物经营许可", (), {"延续"}, ("市级",), "business"),
    ("河道采砂许可", "河道采砂许可", (), set(), (), "business"),
    ("网络预约出租汽车运输证发放（补办）", "网络预约出租汽车运输证", (), {"申领", "补领"}, (), "business"),
    ("拖拉机联合收割机驾驶证期满换证", "拖拉机联合收割机驾驶证", (), {"换领"}, (), "citizen"),
    ("社会团体注销登记", "社会团体", (), {"注销", "登记"}, ("社会组织",), "institution"),
    # a cooperative is a kind of organisation, as 个人独资企业 is: its branch is a 分支机构 too
    ("农民专业合作社（联合社）分支机构变更登记（备案）", "农民专业合作社分支机构", ("分支机构",),
     {"变更", "登记", "备案"}, ("合作社",), "business"),
    ("机关事业单位职业年金缴纳", "机关事业单位职业年金", ("职业年金",), {"缴纳"}, ("机关事业单位",), "institution"),
    ("停业登记(县级行使）", "停业登记", (), {"停业", "登记"}, ("县级",), "mixed"),
    # the document a title names is an object of its own; a law's title is not
    ("设立歌舞娱乐场所《娱乐经营许可证》核发", "歌舞娱乐场所娱乐经营许可证", ("娱乐经营许可证",), {"新办", "核发"}, (), "business"),
    # 复查 is the periodic re-examination a standard's certificate is renewed by, not a second object
    ("计量标准器具核准复查", "计量标准器具", (), {"审批", "延续"}, (), "business"),
]
# 防城港市's names: a dash sets a sub-item apart; no object holds the dash
OTHER_LIST_CASES = [
    ("职工正常退休（职）申请——企业职工", "职工正常退休", ("企业职工",), {"申请"}, ("职工",), "citizen"),
    ("建筑业企业资质核准（总承包特级、一级、部分二级及部分专业承包一级、二级除外）--延续", "建筑业企业资质", (),
     {"审批", "延续"}, ("企业",), "business"),
    ("职业介绍—个人求职登记审核", "个人求职", ("职业介绍",), {"登记", "审批"}, ("个人",), "citizen"),
    # 首次 alone is the first registration of a right (不动产's naming), not part of its object.
    ("集体建设用地使用权及房屋所有权首次登记", "房屋所有权", ("集体建设用地使用权",), {"新办", "登记"}, (), "mixed"),
    ("海域使用权首次登记", "海域使用权", (), {"新办", "登记"}, (), "mixed"),
]


def test_no_object_holds_a_dash(words):
    for name in ("缴费人员增减申报-增员申报", "医疗器械网络销售信息告知----取消", "暂停养老保险待遇申请——机关事业单位职工"):
        assert not any(mark in obj for obj in parse_name(name, words).objects for mark in "-—"), name


def test_a_laws_title_is_no_object(words):
    assert "公司法" not in parse_name("非公司企业法人按《公司法》改制登记", words).objects


@pytest.fixture(scope="module")
def words():
    return load_words()


@pytest.mark.parametrize("name,lead,others,actions,qualifiers,audience", CASES + OTHER_LIST_CASES,
                         ids=[c[0] for c in CASES + OTHER_LIST_CASES])
def test_real_names_parse_into_their_parts(words, name, lead, others, actions, qualifiers, audience):
    parts = parse_name(name, words)
    assert parts.parsed
    assert parts.objects[0] == lead
    assert set(others) <= set(parts.objects)
    assert parts.actions == frozenset(actions)
    assert set(qualifiers) <= set(parts.qualifiers)
    assert parts.audience == audience


def test_case_names_are_on_the_list():
    names = {row["name"] for row in json.loads(ITEMS_FILE.read_text(encoding="utf-8"))}
    assert {c[0] for c in CASES} <= names


def test_other_list_case_names_are_on_that_list():
    path = ITEMS_FILE.parent / "fangchenggang_services.jsonl"
    names = {json.loads(line)["item_name"] for line in path.read_text(encoding="utf-8").splitlines() if line}
    assert {c[0] for c in OTHER_LIST_CASES} <= names


def test_a_name_without_object_or_action_is_not_parsed(words):
    assert not parse_name("暂", words).parsed
    assert not parse_name("", words).parsed


def test_every_stem_is_a_known_stem(words):
    for parts in catalog_parts().values():
        assert parts.actions <= set(words.stems), parts.name


def test_guangan_list_parses_at_least_95_percent():
    parts = list(catalog_parts().values())
    assert len(parts) == len({row["name"] for row in json.loads(ITEMS_FILE.read_text(encoding="utf-8"))})
    assert sum(p.parsed for p in parts) >= 0.95 * len(parts)


@pytest.mark.skipif(not FANGCHENGGANG.exists(), reason="shared data not present")
def test_another_countys_list_parses_at_least_95_percent():
    names = [json.loads(line)["item_name"] for line in FANGCHENGGANG.read_text(encoding="utf-8").splitlines() if line]
    parts = parse_catalog(names)
    assert sum(p.parsed for p in parts) >= 0.95 * len(parts)


def test_scanner_takes_the_longest_word():
    scanner = Scanner({"许可": 1, "许可证": 2, "证": 3})
    assert [(w, v) for _, _, w, v in scanner.scan("许可证许可x证")] == [("许可证", 2), ("许可", 1), ("证", 3)]


def test_report_prints_counts(capsys):
    main(["report"])
    out = capsys.readouterr().out
    assert "items: 1135" in out
    assert "by audience:" in out and "not parsed:" in out and "colloquial coverage" in out


def test_a_word_that_says_two_things_gives_both_stems(words):
    assert parse_name("补换领机动车号牌", words).actions == frozenset({"补领", "换领"})
    assert parse_name("驾驶证补换领", words).objects[0] == "驾驶证"


def test_a_several_word_with_an_unknown_stem_is_refused(tmp_path):
    for name in ("qualifiers.yaml", "objects.yaml", "audience.yaml"):
        (tmp_path / name).write_text((WORDS_DIR / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "actions.yaml").write_text("actions:\n  补领: [补办]\nseveral:\n  补换: [补领, 换新]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="补换"):
        load_words(tmp_path)


def test_the_steps_of_a_licences_life_are_stems_and_an_unknown_one_is_refused(tmp_path, words):
    assert {"新办", "补领", "注销"} <= words.life_steps and not words.life_steps & {"查询", "申领", "申请"}
    assert "证明".endswith(words.documents) and not "账户".endswith(words.documents)
    for name in ("qualifiers.yaml", "objects.yaml", "audience.yaml"):
        (tmp_path / name).write_text((WORDS_DIR / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "actions.yaml").write_text("actions:\n  补领: [补办]\nlife_steps: [补领, 换新]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="换新"):
        load_words(tmp_path)


@pytest.mark.parametrize("name, does", [
    ("食品小作坊备案注销", {"注销"}),                      # the filing is what 注销 acts on
    ("对食品生产经营者自建网站交易备案进行补办", {"补领"}),
    ("建设工程竣工验收备案", {"备案"}),                    # the acceptance is what is filed
    ("分公司变更登记（备案）", {"变更", "登记", "备案"}),  # an alternative in brackets: both
    ("社会保障卡补领、换领、换发", {"补领", "换领"}),      # no record
])
def test_what_a_name_does_leaves_out_the_record_another_action_acts_on(name, does):
    assert parse_name(name, load_words()).does == does
