"""tests/assistant needs Rasa, which only the bot environment has (.venv/bot).

The app environment's test run skips this folder instead of failing on `import rasa`."""
import importlib.util

if importlib.util.find_spec("rasa") is None or importlib.util.find_spec("spacy") is None:
    collect_ignore_glob = ["test_*.py"]
