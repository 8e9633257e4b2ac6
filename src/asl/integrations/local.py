"""The service integrations a state machine serves locally without being given them:
``sns:publish``, ``sqs:sendMessage`` and ``events:putEvents``, each recording into one outbox.

An integration given to the machine (``integrations={"sqs": ...}``) takes precedence.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from asl.integrations import events, sns, sqs
from asl.integrations.outbox import Outbox

__all__ = ["stand_ins"]


def stand_ins(outbox: Outbox) -> dict[str, Callable[[str, Any], Any]]:
    """The local stand-ins by service name, sending into ``outbox``."""
    return {
        "sns": functools.partial(sns.invoke, outbox),
        "sqs": functools.partial(sqs.invoke, outbox),
        "events": functools.partial(events.invoke, outbox),
    }
