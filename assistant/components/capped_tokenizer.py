"""Jieba's tokens, up to ``max_tokens`` of them: how much of a message the NLU's featurizers and DIET read.

DIET's cost grows with the number of tokens (a 500-character message took ~41 ms to parse, a
200-character one ~20 ms, on 2 cores), and no citizen's need takes 128 words to say: the intent is
read from the first ``max_tokens`` words, of the first 2 × ``max_tokens`` characters. What reads the
raw text still reads all of it: the catalog entity extractor finds items and places in the whole
message, and the actions' rules and resolver read the whole message. Training examples are far
shorter than the cap.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message

# A Chinese word is under two characters on average: the first 2 × max_tokens characters hold the
# words kept (a message of longer words is read a little shorter).
CHARACTERS_PER_TOKEN = 2


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class CappedJiebaTokenizer(JiebaTokenizer):
    """JiebaTokenizer keeping a message's first ``max_tokens`` tokens."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**JiebaTokenizer.get_default_config(), "max_tokens": 128}

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        limit = self._config["max_tokens"]
        text = message.get(attribute)
        if isinstance(text, str) and len(text) > CHARACTERS_PER_TOKEN * limit:
            # Jieba's cost grows with the text too: it cuts only as much as the kept words can span.
            message = Message(data={attribute: text[: CHARACTERS_PER_TOKEN * limit]})
        return super().tokenize(message, attribute)[:limit]
