"""Configuration from the environment: where data lives, which backend and provider to use.

Everything the handlers need comes from environment variables, so the same code runs
locally and as Lambda functions on AWS (where the deployment sets them).

| variable | meaning | default |
| --- | --- | --- |
| AICHEF_BACKEND | ``local`` (SQLite tables, in-process runtime) or ``aws`` (boto3) | local |
| AICHEF_DATA_DIR | folder of the local database files | $XDG_DATA_HOME/aichef or ~/.local/share/aichef |
| AICHEF_SESSIONS_TABLE / AICHEF_RESULTS_TABLE | table names | aichef-sessions / aichef-results |
| AICHEF_STATE_MACHINE_ARN | the workflow on AWS (backend aws) | — |
| AICHEF_PROVIDER | recipe provider: offline, bedrock, anthropic, openai | offline |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Settings", "settings"]

FUNCTION_NAMES = {
    "ValidatorFunction": "aichef-validator",
    "RecipeFunction": "aichef-recipe",
    "PriceFunction": "aichef-price",
    "CombineFunction": "aichef-combine",
    "NotificationFunction": "aichef-notification",
}


@dataclass(frozen=True)
class Settings:
    backend: str
    data_dir: Path
    sessions_table: str
    results_table: str
    state_machine_arn: str | None
    provider: str

    @property
    def tables_path(self) -> Path:
        return self.data_dir / "tables.sqlite"


def settings() -> Settings:
    """Read the settings now (tests change the environment between calls)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Settings(
        backend=os.environ.get("AICHEF_BACKEND", "local"),
        data_dir=Path(os.environ.get("AICHEF_DATA_DIR") or Path(base) / "aichef"),
        sessions_table=os.environ.get("AICHEF_SESSIONS_TABLE", "aichef-sessions"),
        results_table=os.environ.get("AICHEF_RESULTS_TABLE", "aichef-results"),
        state_machine_arn=os.environ.get("AICHEF_STATE_MACHINE_ARN"),
        provider=os.environ.get("AICHEF_PROVIDER", "offline"),
    )
