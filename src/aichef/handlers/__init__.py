"""The workflow's Lambda handlers: ``aichef.handlers.<name>.handler(event, context)``.

Each module is one Lambda function. They run unchanged on AWS Lambda and in-process on
the ``asl`` runtime; they keep state only in the tables (``aichef.tables``). ``api`` answers
API Gateway's proxy events on AWS (deploy/template.yaml) and runs ``session`` for POST.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aichef.config import FUNCTION_NAMES

__all__ = ["local_handlers"]


def local_handlers() -> dict[str, Callable[[Any, Any], Any]]:
    """The handlers by the function names the local runtime registers them under."""
    from aichef.handlers import combine, notification, price, recipe, validator

    modules = {
        "ValidatorFunction": validator,
        "RecipeFunction": recipe,
        "PriceFunction": price,
        "CombineFunction": combine,
        "NotificationFunction": notification,
    }
    return {FUNCTION_NAMES[key]: module.handler for key, module in modules.items()}
