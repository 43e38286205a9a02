"""Checks of the authored guides (catalog/data/guides.yaml) as data.

Uses only the YAML and the real item list (catalog/data/guangan_items.json, a copy of
../shared/data/items/guangan_items.json) — not the catalog code — so the content can
be checked on its own. The expected names, levels and the 我要开小餐馆 lists are
written out from ../shared/CATALOG.md on purpose: a typo in the YAML must fail here.
"""
from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from catalog.contract import SAMPLE_NOTICE

# CATALOG.md "Core items": canonical name -> (department, lowest level).
CORE_ITEMS = {
    "居民身份证办理（包括临时）": ("区公安分局", "town"),
    "居住证办理": ("区公安分局", "town"),
    "户口迁移审批": ("区公安分局", "town"),
    "户口登记": ("区公安分局", "town"),
    "户口注销": ("区公安分局", "town"),
    "无犯罪记录证明": ("区公安分局", "town"),
    "普通护照签发": ("区公安分局", "county"),
    "社会保障卡申领": ("区人社局", "town"),
    "社会保障卡补领、换领、换发": ("区人社局", "town"),
    "社会保障卡注销": ("区人社局", "town"),
    "失业登记": ("区人社局", "town"),
    "城乡居民基本养老保险参保登记": ("区人社局", "village"),
    "城乡居民基本养老保险待遇申领": ("区人社局", "village"),
    "企业职工基本养老保险正常退休申请": ("区人社局", "county"),
    "遗属待遇申领": ("区人社局", "county"),
    "军人退役养老保险关系转移接续申请": ("区人社局", "county"),
    "最低生活保障": ("区民政局", "village"),
    "临时救助": ("区民政局", "village"),
    "特困人员救助供养": ("区民政局", "village"),
    "80周岁以上老年人高龄津贴发放": ("区民政局", "village"),
    "困难残疾人生活补贴": ("区民政局", "village"),
    "重度残疾人护理补贴": ("区民政局", "village"),
    "结婚登记预约": ("区民政局", "county"),
    "补领结婚证": ("区民政局", "county"),
    "残疾人证新办": ("区残联", "county"),
    "《出生医学证明》首次签发": ("区卫健局", "county"),
    "申领《四川省老年人优待证》": ("区卫健局", "village"),
    "农村部分计划生育家庭奖励扶助金": ("区卫健局", "village"),
    "教师资格认定": ("区教科体局", "county"),
    "退役报到": ("区退役军人事务局", "county"),
    "退役士兵自主就业一次性经济补助金的给付": ("区退役军人事务局", "county"),
    "基本医疗保险关系转移接续": ("区医疗保障局", "town"),
    "个体工商户设立登记": ("区行政审批局", "town"),
    "个体工商户注销登记": ("区行政审批局", "county"),
    "增值税一般纳税人登记（县级行使）": ("广安区税务局", "county"),
    "代开增值税普通发票（县级行使）": ("广安区税务局", "county"),
}

# CATALOG.md "Authored items": missing from the real list, carry their own auth-... code.
AUTHORED_ITEMS = {
    "小餐饮经营许可证核发": ("区行政审批局", "county"),
    "临时占用街道两侧和公共场地许可": ("区综合执法局", "county"),
    "新办纳税人涉税事项": ("广安区税务局", "county"),
    "不动产转移登记": ("区自然资源和规划局", "county"),
    "住房公积金提取": ("广安市住房公积金管理中心", "county"),
    "城乡居民基本医疗保险参保登记": ("区医疗保障局", "village"),
}

# CATALOG.md "Bundles": name -> member item names.
BUNDLES = {
    "我要开小餐馆": ["个体工商户设立登记", "小餐饮经营许可证核发", "临时占用街道两侧和公共场地许可", "新办纳税人涉税事项"],
    "新生儿出生一件事": ["《出生医学证明》首次签发", "户口登记", "城乡居民基本医疗保险参保登记", "社会保障卡申领"],
    "退休一件事": ["企业职工基本养老保险正常退休申请", "住房公积金提取"],
    "身后一件事": ["户口注销", "遗属待遇申领", "社会保障卡注销"],
    "退役一件事": ["退役报到", "军人退役养老保险关系转移接续申请", "退役士兵自主就业一次性经济补助金的给付"],
    "残疾人一件事": ["残疾人证新办", "困难残疾人生活补贴", "重度残疾人护理补贴"],
}

# CATALOG.md 我要开小餐馆: the merged list, as (material name, condition) in the seed's order.
RESTAURANT_MATERIALS = [
    ("「我要开小餐馆」一次申请表单", {}),
    ("经营者身份证复印件", {}),
    ("委托代理人证明", {"delegated": "yes"}),
    ("代理人身份证", {"delegated": "yes"}),
    ("经营场所使用证明", {}),
    ("与食品经营相适应的主要设备设施布局、操作流程等文件", {}),
    ("健康证明", {}),
    ("现状图（实景照片）", {"shopfront_renovation": "yes"}),
    ("效果图", {"shopfront_renovation": "yes"}),
    ("施工图（若为简易门头只标注尺码）", {"shopfront_renovation": "yes"}),
    ("账户、账号开立证明", {"handle_tax": "yes"}),
    ("纳税人财务、会计制度或纳税人财务、会计核算办法", {"handle_tax": "yes"}),
    ("财务会计核算软件、使用说明书原件及复印件", {"handle_tax": "yes", "computer_bookkeeping": "yes"}),
    ("增值税税控系统最高开票限额《准予税务行政许可决定书》", {"handle_tax": "yes", "special_vat_invoice": "yes"}),
    ("发票专用章印模", {"handle_tax": "yes", "first_invoice_check": "yes"}),
]
RESTAURANT_DECIDING = ["shopfront_renovation", "handle_tax"]
RESTAURANT_DETAIL = {"delegated", "computer_bookkeeping", "special_vat_invoice", "first_invoice_check"}

VALID_LEVELS = {"village", "town", "county"}
VALID_FORMS = {"原件", "复印件", "原件及复印件", "电子"}


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def facts(guides) -> dict[str, dict]:
    return {fact["key"]: fact for fact in guides["facts"]}


@pytest.fixture(scope="module")
def items(guides) -> dict[str, dict]:
    return {item["name"]: item for item in guides["items"]}


@pytest.fixture(scope="module")
def bundles(guides) -> dict[str, dict]:
    return {bundle["name"]: bundle for bundle in guides["bundles"]}


# ---------------------------------------------------------------- helpers


def merged_bundle_materials(bundle: dict, items: dict[str, dict]) -> list[tuple[str, dict]]:
    """The bundle's list as docs/INTERNAL_API.md describes it: bundle materials first,
    then each member's materials not omitted, each name once; a member's condition is
    added to its materials' own conditions."""
    omitted = set(bundle.get("omit") or [])
    merged: list[tuple[str, dict]] = []
    seen: set[str] = set()

    def add(name: str, condition: dict) -> None:
        if name not in seen:
            seen.add(name)
            merged.append((name, condition))

    for material in bundle.get("materials") or []:
        add(material["name"], dict(material.get("when") or {}))
    for member in bundle["members"]:
        member_condition = member.get("when") or {}
        for material in items[member["item"]]["materials"]:
            if material["name"] not in omitted:
                add(material["name"], {**member_condition, **(material.get("when") or {})})
    return merged


def all_targets(guides) -> list[tuple[str, dict]]:
    return [("item", item) for item in guides["items"]] + [("bundle", b) for b in guides["bundles"]]


# ---------------------------------------------------------------- top level


def test_sample_notice_is_declared(guides):
    assert guides["notice"] == SAMPLE_NOTICE


def test_names_are_unique(guides):
    names = [target["name"] for _, target in all_targets(guides)]
    assert [name for name, count in Counter(names).items() if count > 1] == []


def test_authored_and_bundle_codes_are_unique(guides):
    item_codes = [item["code"] for item in guides["items"] if item.get("authored")]
    bundle_codes = [bundle["code"] for bundle in guides["bundles"]]
    assert all(code.startswith("auth-") for code in item_codes), item_codes
    assert all(code and not code.startswith("auth-") for code in bundle_codes), bundle_codes
    codes = item_codes + bundle_codes
    assert [code for code, count in Counter(codes).items() if count > 1] == []


# ---------------------------------------------------------------- items


def test_real_item_names_exist_in_the_real_list(items, real_items):
    for name, item in items.items():
        if not item.get("authored"):
            assert name in real_items, f"{name} is not a real item name"
            assert item["code"] is None, f"{name}: real items take their code from guide_url"
            assert item["department"] == real_items[name]["department"], name


def test_authored_items_are_missing_from_the_real_list(items, real_items):
    for name, item in items.items():
        if item.get("authored"):
            assert name not in real_items, f"{name} exists in the real list: set authored: false"


@pytest.mark.parametrize("name, expected", sorted(CORE_ITEMS.items()))
def test_every_core_item_is_authored_with_its_level(items, name, expected):
    department, level = expected
    assert name in items, f"core item {name} has no guide"
    assert items[name]["authored"] is False
    assert (items[name]["department"], items[name]["level"]) == (department, level)


@pytest.mark.parametrize("name, expected", sorted(AUTHORED_ITEMS.items()))
def test_every_authored_item_is_present_with_its_level(items, name, expected):
    department, level = expected
    assert name in items, f"authored item {name} missing"
    item = items[name]
    assert item["authored"] is True
    assert (item["department"], item["level"]) == (department, level)


def test_no_item_beyond_the_catalog_list(items):
    assert set(items) == set(CORE_ITEMS) | set(AUTHORED_ITEMS)


def test_every_item_has_a_complete_guide(items):
    for name, item in items.items():
        assert 3 <= len(item["materials"]) <= 10, f"{name}: {len(item['materials'])} materials"
        assert item["level"] in VALID_LEVELS, name
        assert item["trips"] in (0, 1), name
        for field in ("time_limit", "fee", "online", "process"):
            assert isinstance(item[field], str) and item[field].strip(), f"{name}: {field} empty"
        assert len(item["aliases"]) >= 5, f"{name}: too few aliases for search"


def test_materials_are_well_formed(items):
    for name, item in items.items():
        material_names = [material["name"] for material in item["materials"]]
        assert len(material_names) == len(set(material_names)), f"{name}: duplicate material"
        for material in item["materials"]:
            assert material["form"] in VALID_FORMS, f"{name}/{material['name']}: form {material['form']}"
            copies = material["copies"]
            assert copies is None or (isinstance(copies, int) and copies >= 1), f"{name}/{material['name']}"


def test_delegation_brings_letter_and_agent_id(items):
    for name, item in items.items():
        delegated = [m["name"] for m in item["materials"] if (m.get("when") or {}).get("delegated") == "yes"]
        if "delegated" in item["facts"]:
            assert "代理人身份证" in delegated, name
            assert any(letter in delegated for letter in ("委托书", "委托代理人证明", "经公证的委托书")), name


# ---------------------------------------------------------------- facts


def _conditions_of(target: dict) -> list[dict]:
    conditions = [m.get("when") for m in target.get("materials") or []]
    conditions += [member.get("when") for member in target.get("members") or []]
    return [condition for condition in conditions if condition]


def test_every_when_refers_to_a_defined_fact_and_value(guides, facts):
    for _, target in all_targets(guides):
        for condition in _conditions_of(target):
            for key, value in condition.items():
                assert key in facts, f"{target['name']}: unknown fact {key}"
                values = {option["value"] for option in facts[key]["options"]}
                assert isinstance(value, str) and value in values, f"{target['name']}: {key}={value!r}"


def test_every_fact_used_by_an_item_is_listed_in_its_facts(items, facts):
    for name, item in items.items():
        assert set(item["facts"]) <= set(facts), name
        used = {key for condition in _conditions_of(item) for key in condition}
        assert used <= set(item["facts"]), f"{name}: uses {used - set(item['facts'])} without listing"


def test_facts_are_well_formed(facts):
    for key, fact in facts.items():
        assert fact["kind"] in ("deciding", "detail"), key
        assert fact["question"].strip(), key
        assert len(fact["options"]) >= 2, key
        for option in fact["options"]:
            assert isinstance(option["value"], str), f"{key}: values must be strings"
            assert option["label"].strip() and option["condition_text"].strip(), key
            assert option["words"], f"{key}={option['value']}: no free-text words"


def test_fact_words_do_not_collide(facts):
    owners = defaultdict(set)
    for key, fact in facts.items():
        for option in fact["options"]:
            for word in option["words"]:
                owners[word].add((key, option["value"]))
    assert {word: owner for word, owner in owners.items() if len(owner) > 1} == {}


def test_negative_phrases_are_words_of_the_no_option(facts):
    for key, phrase in [("shopfront_renovation", "门头不装修"), ("shopfront_renovation", "不用装修"),
                        ("handle_tax", "不办税"), ("handle_tax", "暂时不办税"),
                        ("delegated", "我自己办"), ("delegated", "本人去")]:
        no_option = next(o for o in facts[key]["options"] if o["value"] == "no")
        assert phrase in no_option["words"], (key, phrase)
    yes_delegated = next(o for o in facts["delegated"]["options"] if o["value"] == "yes")
    assert {"找人代办", "让家里人代办"} <= set(yes_delegated["words"])


def test_every_fact_is_used_somewhere(guides, facts):
    listed = {key for _, target in all_targets(guides) for key in target["facts"]}
    conditioned = {key for _, target in all_targets(guides) for c in _conditions_of(target) for key in c}
    assert set(facts) - listed == set(), "facts no item or bundle lists"
    assert set(facts) - conditioned == set(), "facts that condition nothing"


def test_deciding_facts_are_few(facts):
    deciding = sorted(key for key, fact in facts.items() if fact["kind"] == "deciding")
    beyond_required = set(deciding) - {"shopfront_renovation", "handle_tax", "withdrawal_reason"}
    assert len(beyond_required) <= 3, deciding


def test_housing_fund_withdrawal_varies_by_reason(items, facts):
    fund = items["住房公积金提取"]
    assert facts["withdrawal_reason"]["kind"] == "deciding"
    assert "withdrawal_reason" in fund["facts"]
    reasons = {m["when"]["withdrawal_reason"] for m in fund["materials"] if "withdrawal_reason" in (m["when"] or {})}
    assert {"purchase", "rent", "retire"} <= reasons


# ---------------------------------------------------------------- bundles


@pytest.mark.parametrize("name, members", sorted(BUNDLES.items()))
def test_every_bundle_has_its_members(bundles, items, name, members):
    assert name in bundles, f"bundle {name} missing"
    bundle = bundles[name]
    assert [member["item"] for member in bundle["members"]] == members
    assert all(member in items for member in members)
    assert bundle["level"] is None or bundle["level"] in VALID_LEVELS
    assert bundle["trips"] == 1 and len(bundle["aliases"]) >= 3
    for field in ("time_limit", "fee", "online", "process"):
        assert isinstance(bundle[field], str) and bundle[field].strip(), f"{name}: {field}"


def test_no_bundle_beyond_the_catalog_list(bundles):
    assert set(bundles) == set(BUNDLES)


def test_bundle_omits_only_member_materials(bundles, items):
    for name, bundle in bundles.items():
        member_materials = {m["name"] for member in bundle["members"] for m in items[member["item"]]["materials"]}
        assert set(bundle.get("omit") or []) <= member_materials, name


def test_bundle_facts_cover_every_condition_of_its_merged_list(bundles, items, facts):
    for name, bundle in bundles.items():
        used = {key for _, condition in merged_bundle_materials(bundle, items) for key in condition}
        used |= {key for member in bundle["members"] for key in (member.get("when") or {})}
        assert used <= set(bundle["facts"]), f"{name}: {used - set(bundle['facts'])} not in facts"
        assert set(bundle["facts"]) <= set(facts), name


def test_bundle_merged_lists_have_no_duplicates_and_stay_short(bundles, items):
    for name, bundle in bundles.items():
        merged = merged_bundle_materials(bundle, items)
        assert 3 <= len(merged) <= 20, f"{name}: {len(merged)}"


def test_restaurant_bundle_matches_the_seed_practice(bundles, items):
    bundle = bundles["我要开小餐馆"]
    assert merged_bundle_materials(bundle, items) == RESTAURANT_MATERIALS
    assert (bundle["time_limit"], bundle["trips"]) == ("8个工作日", 1)


def test_restaurant_bundle_facts(bundles, facts):
    bundle_facts = bundles["我要开小餐馆"]["facts"]
    deciding = [key for key in bundle_facts if facts[key]["kind"] == "deciding"]
    detail = {key for key in bundle_facts if facts[key]["kind"] == "detail"}
    assert deciding == RESTAURANT_DECIDING
    assert detail == RESTAURANT_DETAIL


def test_restaurant_members_depend_on_the_deciding_facts(bundles):
    conditions = {m["item"]: m.get("when") for m in bundles["我要开小餐馆"]["members"]}
    assert conditions == {
        "个体工商户设立登记": None,
        "小餐饮经营许可证核发": None,
        "临时占用街道两侧和公共场地许可": {"shopfront_renovation": "yes"},
        "新办纳税人涉税事项": {"handle_tax": "yes"},
    }


# ---------------------------------------------------------------- aliases


def test_no_alias_is_shared_by_two_targets(guides):
    owners = defaultdict(set)
    for _, target in all_targets(guides):
        for alias in target["aliases"]:
            owners[alias].add(target["name"])
    assert {alias: names for alias, names in owners.items() if len(names) > 1} == {}


def test_aliases_do_not_name_another_item(guides, real_items):
    known_names = set(real_items) | {target["name"] for _, target in all_targets(guides)}
    for _, target in all_targets(guides):
        clashes = [alias for alias in target["aliases"] if alias in known_names and alias != target["name"]]
        assert clashes == [], f"{target['name']}: {clashes}"


def test_aliases_are_specific(guides):
    too_vague = {"证明", "补贴", "办证", "办理", "申请", "登记", "证件", "注销"}
    for _, target in all_targets(guides):
        aliases = target["aliases"]
        assert not too_vague & set(aliases), target["name"]
        assert all(len(alias) >= 2 for alias in aliases), target["name"]


@pytest.mark.parametrize("alias, target", [
    ("低保", "最低生活保障"), ("吃低保", "最低生活保障"), ("办低保", "最低生活保障"),
    ("社保卡丢了", "社会保障卡补领、换领、换发"), ("补办社保卡", "社会保障卡补领、换领、换发"),
    ("社保卡坏了", "社会保障卡补领、换领、换发"), ("换社保卡", "社会保障卡补领、换领、换发"),
    ("营业执照", "个体工商户设立登记"), ("办执照", "个体工商户设立登记"), ("个体户执照", "个体工商户设立登记"),
    ("高龄补贴", "80周岁以上老年人高龄津贴发放"), ("老年补贴", "80周岁以上老年人高龄津贴发放"),
    ("80岁补贴", "80周岁以上老年人高龄津贴发放"),
    ("开无犯罪证明", "无犯罪记录证明"), ("无犯罪记录", "无犯罪记录证明"),
    ("上户口", "户口登记"), ("给娃上户口", "户口登记"), ("新生儿落户", "户口登记"),
    ("迁户口", "户口迁移审批"), ("取公积金", "住房公积金提取"), ("提公积金", "住房公积金提取"),
    ("过户", "不动产转移登记"), ("房子过户", "不动产转移登记"), ("出生证", "《出生医学证明》首次签发"),
    ("老年证", "申领《四川省老年人优待证》"), ("老年优待证", "申领《四川省老年人优待证》"),
    ("残疾证", "残疾人证新办"), ("退休手续", "企业职工基本养老保险正常退休申请"),
    ("失业登记", "失业登记"), ("领失业金", "失业登记"),
    ("开小饭馆", "我要开小餐馆"), ("生孩子要办啥", "新生儿出生一件事"), ("宝宝出生", "新生儿出生一件事"),
    ("新生儿办证", "新生儿出生一件事"), ("办退休", "退休一件事"), ("家里老人去世", "身后一件事"),
    ("人走了要办什么", "身后一件事"), ("退伍回来", "退役一件事"), ("办残疾证补贴", "残疾人一件事"),
])
def test_citizen_phrasings_reach_the_right_target(guides, alias, target):
    matches = [t["name"] for _, t in all_targets(guides) if alias in t["aliases"] or alias == t["name"]]
    assert matches == [target]
