"""asl: an embeddable, durable runtime for the Amazon States Language."""

from __future__ import annotations

__all__: list[str] = []
