"""Lambda handlers for examples/hello.asl.json: plain Python functions, as Lambda calls them."""

from __future__ import annotations

from typing import Any


def greet(event: dict[str, Any], context: Any) -> dict[str, str]:
    return {"greeting": f"Hello, {event['name']}!"}


def square(event: dict[str, Any], context: Any) -> int:
    value: int = event["value"]
    return value * value
