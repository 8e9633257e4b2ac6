"""The conformance corpus: cases recorded from AWS, one JSON object per line, one file per category."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Case", "default_directory", "load_cases"]


@dataclass(frozen=True)
class Case:
    id: str
    category: str
    definition: dict[str, Any]
    input: Any
    expected: dict[str, Any]
    history_types: list[str] | None
    placeholders: tuple[str, ...]
    state_machine_type: str
    start_api: str
    #: every recorded event without its timestamp (None where only the outcome or the
    #: event types were recorded)
    history_events: list[dict[str, Any]] | None = None
    #: tokens standing for masked values inside ``history_events``
    history_placeholders: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any], category: str) -> Case:
        return cls(
            id=data["id"],
            category=data.get("category", category),
            definition=data["definition"],
            input=data.get("input"),
            expected=data["expected"],
            history_types=None if data.get("history_order_normalised") else data.get("history_types"),
            placeholders=tuple(data.get("snapshot_placeholders") or ()),
            state_machine_type=data.get("state_machine_type", "STANDARD"),
            start_api=data.get("start_api") or "StartExecution",
            history_events=None if data.get("history_order_normalised") else data.get("history_events"),
            history_placeholders=tuple(data.get("history_placeholders") or ()),
        )


def default_directory(repo_root: Path | None = None) -> Path:
    """``$ASL_CONFORMANCE_DIR``, else ``../shared/conformance`` beside the repository."""
    configured = os.environ.get("ASL_CONFORMANCE_DIR")
    if configured:
        return Path(configured)
    root = repo_root or Path(__file__).resolve().parents[3]
    return root.parent / "shared" / "conformance"


def load_cases(*paths: Path) -> Iterator[Case]:
    """Every case in the given files or directories (``*.jsonl``), in file order."""
    for path in paths:
        files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
        for file in files:
            with file.open(encoding="utf-8") as lines:
                for number, line in enumerate(lines, 1):
                    if line.strip():
                        try:
                            yield Case.from_json(json.loads(line), file.stem)
                        except (json.JSONDecodeError, KeyError) as err:
                            raise ValueError(f"{file}:{number}: not a conformance case ({err})") from None
