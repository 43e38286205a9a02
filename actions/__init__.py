"""rasa_sdk custom actions: thin glue between the Rasa tracker and `catalog`."""
