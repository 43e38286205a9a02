"""export_vocab writes the bot's entity vocabulary and a jieba dictionary jieba can load."""
import json

from catalog.db import make_sessionmaker
from catalog.export_vocab import write_outputs
from catalog.segment import new_tokenizer


def test_export_is_complete_sorted_and_deterministic(default_engine, tmp_path):
    with make_sessionmaker(default_engine)() as session:
        vocab_path, userdict = write_outputs(session, tmp_path / "a" / "catalog_vocab.json", tmp_path / "gen")
        first = (vocab_path.read_bytes(), userdict.read_bytes())
        write_outputs(session, vocab_path, tmp_path / "gen")
        assert (vocab_path.read_bytes(), userdict.read_bytes()) == first

    vocab = json.loads(first[0])
    assert "python -m catalog.export_vocab" in vocab["_generated"]
    assert len(vocab["towns"]) == 25 and len(vocab["villages"]) == 332
    items = {entry["name"]: entry for entry in vocab["items"]}
    assert "开小饭馆" in items["我要开小餐馆"]["aliases"] and items["我要开小餐馆"]["code"] == "open-restaurant"
    assert len(items) >= 1135
    assert [e["code"] for e in vocab["items"]] == sorted(e["code"] for e in vocab["items"])
    towns = {t["name"]: t for t in vocab["towns"]}
    assert towns["龙台镇"]["aliases"] == ["龙台"]
    assert "门头要装修" in vocab["fact_words"] and vocab["fact_words"] == sorted(vocab["fact_words"])
    assert userdict == tmp_path / "gen" / "jieba" / "userdict.txt"


def test_userdict_is_plain_word_freq_lines_that_jieba_loads(default_engine, tmp_path):
    with make_sessionmaker(default_engine)() as session:
        _, userdict = write_outputs(session, tmp_path / "v.json", tmp_path / "gen")
    raw = userdict.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # no BOM
    lines = raw.decode("utf-8").splitlines()
    assert lines == sorted(lines) and len(lines) == len(set(lines))
    for line in lines:
        word, freq = line.split(" ")
        assert word and freq.isdigit() and not word.startswith("#")
    words = {line.split(" ")[0] for line in lines}
    assert {"社会保障卡申领", "龙台镇", "车堂村", "门头要装修", "开小饭馆"} <= words
    tokenizer = new_tokenizer([])  # a private copy of jieba's default dictionary
    tokenizer.load_userdict(str(userdict))
    assert "车堂村" in tokenizer.lcut("我是车堂村的")
