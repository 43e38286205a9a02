"""The Rasa bot's own code: NLU components, the tracker and lock stores, and speed fixes to Rasa itself."""
from assistant import rasa_speedups

rasa_speedups.install()
