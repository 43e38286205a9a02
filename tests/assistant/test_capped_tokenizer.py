"""assistant/components/capped_tokenizer.py: the NLU reads a message's first ``max_tokens`` words."""
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from assistant.components.capped_tokenizer import CappedJiebaTokenizer


def tokens(text, max_tokens):
    config = {**CappedJiebaTokenizer.get_default_config(), "max_tokens": max_tokens}
    tokenizer = CappedJiebaTokenizer(config, model_storage=None, resource=None)
    return [token.text for token in tokenizer.tokenize(Message(data={TEXT: text}), TEXT)]


def test_a_message_within_the_cap_is_tokenized_as_jieba_does():
    assert "".join(tokens("我想开个小饭馆要准备啥", 160)) == "我想开个小饭馆要准备啥"


def test_a_long_message_keeps_its_first_words_only():
    text = "我在龙台镇，社保卡丢了怎么补。" * 40
    capped = tokens(text, 128)
    assert len(capped) == 128 and text.startswith("".join(capped))
    assert len(tokens(text, 1000)) > 128


def test_the_project_pipeline_uses_the_cap():
    from pathlib import Path

    import yaml

    pipeline = yaml.safe_load((Path(__file__).resolve().parents[2] / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    assert pipeline[0]["name"].endswith("CappedJiebaTokenizer") and pipeline[0]["max_tokens"] == 128
