"""问一次 item catalog: models, importers and the pure queries (no web, no Rasa)."""
