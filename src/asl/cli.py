"""The `asl` command line (placeholder until the runtime lands)."""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    return 0
