"""The Rasa bot's own code: NLU components, the lock store, and one speed fix to Rasa itself."""
from assistant import rasa_speedups

rasa_speedups.install()
