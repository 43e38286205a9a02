"""Every launcher of `rasa run` passes the API token as one argument, ``--auth-token=TOKEN``.

The tokens are ``secrets.token_urlsafe``, whose alphabet includes ``-``: passed as two arguments,
``--auth-token -e770…``, Rasa's argument parser takes a token starting with ``-`` for an option and
exits ("expected one argument"): one start in 64. tests/assistant checks that Rasa's
parser reads the one-argument form."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAUNCHERS = ["scripts/run.sh", "scripts/run-cluster.sh", "scripts/bench.py", "tests/processes.py",
             "tests/production/conftest.py"]
RASA_RUN = re.compile(r"\brun\W+--enable-api")  # `rasa run --enable-api`, in shell or as a list


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_the_rasa_token_is_passed_as_one_argument(launcher):
    starts = [line.strip() for line in (ROOT / launcher).read_text(encoding="utf-8").splitlines()
              if RASA_RUN.search(line)]
    assert starts, f"{launcher} no longer starts rasa run with its HTTP API"
    for line in starts:
        assert "--auth-token=" in line, f"{launcher}: {line}"
