"""What the app and the bot processes share about running, not about the product: standard library
only, importable from both environments (.venv/app and .venv/bot), importing none of the project's
other packages (`make lint` checks it)."""
