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
| ASL_SYNCHRONOUS | NORMAL: a commit survives a killed process; FULL: a power cut too (fsync each) | NORMAL |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
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


_KEYS = (
    "XDG_DATA_HOME",
    "AICHEF_BACKEND",
    "AICHEF_DATA_DIR",
    "AICHEF_SESSIONS_TABLE",
    "AICHEF_RESULTS_TABLE",
    "AICHEF_STATE_MACHINE_ARN",
    "AICHEF_PROVIDER",
)


def settings() -> Settings:
    """The settings as the environment says now (tests change it between calls)."""
    return _settings(tuple(os.environ.get(key) for key in _KEYS))


@lru_cache(maxsize=16)  # every table access asks; reading the home folder each time is not free
def _settings(values: tuple[str | None, ...]) -> Settings:
    env = dict(zip(_KEYS, values, strict=True))
    base = env["XDG_DATA_HOME"] or str(Path.home() / ".local" / "share")
    return Settings(
        backend=env["AICHEF_BACKEND"] or "local",
        data_dir=Path(env["AICHEF_DATA_DIR"] or Path(base) / "aichef"),
        sessions_table=env["AICHEF_SESSIONS_TABLE"] or "aichef-sessions",
        results_table=env["AICHEF_RESULTS_TABLE"] or "aichef-results",
        state_machine_arn=env["AICHEF_STATE_MACHINE_ARN"],
        provider=env["AICHEF_PROVIDER"] or "offline",
    )
