"""The RFC 3339 timestamp the States Language uses, written once for the validator and the runtime."""

from __future__ import annotations

__all__ = ["RFC3339"]

#: a date-time with seconds, an optional fraction and an offset (Z or +hh:mm), as in
#: ``2016-03-14T01:59:00Z``; groups: year, month, day, hour, minute, second, fraction, zone.
#: The validator matches it as written (uppercase T and Z, as the spec asks); Choice rules
#: compare timestamps case-insensitively, as AWS does.
RFC3339 = r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})"
