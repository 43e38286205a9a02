"""Compile Rasa's action-response schema once instead of on every custom action call.

Rasa 3.6's ``RemoteAction._validate_action_result`` calls ``jsonschema.validate(result, schema)``,
which checks the *schema itself* against the JSON Schema meta-schema before validating the
response, on every call. With jsonschema 4.17 that meta-check is most of a turn: py-spy on
`rasa run` during `make bench` put 54% of the server's CPU in ``check_schema`` under
``_validate_action_result`` (docs/BENCHMARKS.md). The schema is a constant
(``RemoteAction.action_response_format_spec``), so it is checked once here and the compiled
validator reused; every action response is still validated exactly as before (same schema, same
``best_match`` error, same message added by Rasa).

Installed when Rasa imports this package (``assistant/__init__.py``): the model's pipeline names
``assistant.components.catalog_entities``, so every `rasa run`, `rasa train` and `rasa test` loads it.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Text

_validator: Optional[Any] = None


def _compiled_validator(schema: Dict[Text, Any]) -> Any:
    global _validator
    if _validator is None:
        from jsonschema.validators import validator_for

        cls = validator_for(schema)
        cls.check_schema(schema)
        _validator = cls(schema)
    return _validator


def _validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    error = best_match(_compiled_validator(self.action_response_format_spec()).iter_errors(result))
    if error is not None:
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def install() -> None:
    """Replace ``RemoteAction._validate_action_result`` (again: the same); a no-op without Rasa."""
    try:
        from rasa.core.actions.action import RemoteAction
    except ImportError:  # the app environment imports `assistant` without Rasa
        return
    RemoteAction._validate_action_result = _validate_action_result
