"""The States Language's field tables, as data: which fields each state type allows in each query language."""

from __future__ import annotations

from typing import Final

JSONPATH: Final = "JSONPath"
JSONATA: Final = "JSONata"
QUERY_LANGUAGES: Final = (JSONPATH, JSONATA)

STATE_TYPES: Final = ("Choice", "Fail", "Map", "Parallel", "Pass", "Succeed", "Task", "Wait")

#: the longest state name AWS accepts, in characters
MAX_STATE_NAME: Final = 80
#: the longest Map Label AWS accepts, in characters
MAX_LABEL: Final = 40
#: the largest value AWS accepts in a Retry or Wait seconds field
MAX_SECONDS: Final = 99_999_999

_BASE = frozenset({"Type", "Comment", "QueryLanguage"})
_FLOW = frozenset({"Next", "End"})
_PATH_IO = frozenset({"InputPath", "OutputPath"})
_ERRORS = frozenset({"Retry", "Catch"})

_MAP_COMMON = frozenset(
    {
        "ItemProcessor",
        "Iterator",
        "ItemReader",
        "ItemBatcher",
        "ResultWriter",
        "ItemSelector",
        "Label",
        "MaxConcurrency",
        "ToleratedFailureCount",
        "ToleratedFailurePercentage",
    }
)

#: FIELDS[query language][state type] -> the fields that state may have
FIELDS: Final[dict[str, dict[str, frozenset[str]]]] = {
    JSONPATH: {
        "Pass": _BASE | _FLOW | _PATH_IO | {"Parameters", "Result", "ResultPath", "Assign"},
        "Task": _BASE
        | _FLOW
        | _PATH_IO
        | _ERRORS
        | {
            "Resource",
            "Parameters",
            "ResultSelector",
            "ResultPath",
            "Assign",
            "Credentials",
            "TimeoutSeconds",
            "TimeoutSecondsPath",
            "HeartbeatSeconds",
            "HeartbeatSecondsPath",
        },
        "Choice": _BASE | _PATH_IO | {"Choices", "Default", "Assign"},
        "Wait": _BASE | _FLOW | _PATH_IO | {"Seconds", "Timestamp", "SecondsPath", "TimestampPath", "Assign"},
        "Succeed": _BASE | _PATH_IO,
        "Fail": _BASE | {"Error", "ErrorPath", "Cause", "CausePath"},
        "Parallel": _BASE
        | _FLOW
        | _PATH_IO
        | _ERRORS
        | {"Branches", "Parameters", "ResultSelector", "ResultPath", "Assign"},
        "Map": _BASE
        | _FLOW
        | _PATH_IO
        | _ERRORS
        | _MAP_COMMON
        | {
            "ItemsPath",
            "Parameters",
            "ResultSelector",
            "ResultPath",
            "Assign",
            "MaxConcurrencyPath",
            "ToleratedFailureCountPath",
            "ToleratedFailurePercentagePath",
        },
    },
    JSONATA: {
        "Pass": _BASE | _FLOW | {"Output", "Assign"},
        "Task": _BASE
        | _FLOW
        | _ERRORS
        | {"Resource", "Arguments", "Output", "Assign", "Credentials", "TimeoutSeconds", "HeartbeatSeconds"},
        "Choice": _BASE | {"Choices", "Default", "Output", "Assign"},
        "Wait": _BASE | _FLOW | {"Seconds", "Timestamp", "Output", "Assign"},
        "Succeed": _BASE | {"Output"},
        "Fail": _BASE | {"Error", "Cause"},
        "Parallel": _BASE | _FLOW | _ERRORS | {"Branches", "Arguments", "Output", "Assign"},
        "Map": _BASE | _FLOW | _ERRORS | _MAP_COMMON | {"Items", "Output", "Assign"},
    },
}

#: the fields of a whole state machine, of a Parallel branch and of a Map's ItemProcessor (or Iterator)
TOP_LEVEL_FIELDS: Final = frozenset(
    {"Comment", "StartAt", "States", "Version", "TimeoutSeconds", "QueryLanguage"}
)
BRANCH_FIELDS: Final = frozenset({"Comment", "StartAt", "States", "QueryLanguage"})
PROCESSOR_FIELDS: Final = BRANCH_FIELDS | {"ProcessorConfig"}

PROCESSOR_CONFIG_FIELDS: Final = {"Mode": ("INLINE", "DISTRIBUTED"), "ExecutionType": ("STANDARD", "EXPRESS")}

#: the fields of a Map's ItemReader, ItemBatcher and ResultWriter, by query language
MAP_PART_FIELDS: Final[dict[str, dict[str, frozenset[str]]]] = {
    JSONPATH: {
        "ItemReader": frozenset({"Resource", "Parameters", "ReaderConfig"}),
        "ItemBatcher": frozenset(
            {
                "MaxItemsPerBatch",
                "MaxItemsPerBatchPath",
                "MaxInputBytesPerBatch",
                "MaxInputBytesPerBatchPath",
                "BatchInput",
            }
        ),
        "ResultWriter": frozenset({"Resource", "Parameters", "WriterConfig"}),
    },
    JSONATA: {
        "ItemReader": frozenset({"Resource", "Arguments", "ReaderConfig"}),
        "ItemBatcher": frozenset({"MaxItemsPerBatch", "MaxInputBytesPerBatch", "BatchInput"}),
        "ResultWriter": frozenset({"Resource", "Arguments", "WriterConfig"}),
    },
}

#: fields of a Map part (or its ReaderConfig) that have a ``...Path`` twin; AWS refuses both at once
MAP_PART_TWINS: Final[dict[str, tuple[str, ...]]] = {
    "ItemBatcher": ("MaxItemsPerBatch", "MaxInputBytesPerBatch"),
    "ReaderConfig": ("MaxItems",),
}
#: the integer fields of a Map part: (smallest, largest or None) value AWS accepts
MAP_PART_BOUNDS: Final[dict[str, tuple[int, int | None]]] = {
    "MaxItemsPerBatch": (1, None),
    "MaxInputBytesPerBatch": (1, 262_144),  # a batch is at most 256 KiB, the payload limit
    "MaxItems": (0, None),
}

RETRIER_FIELDS: Final = frozenset(
    {
        "ErrorEquals",
        "IntervalSeconds",
        "MaxAttempts",
        "BackoffRate",
        "MaxDelaySeconds",
        "JitterStrategy",
        "Comment",
    }
)
JITTER_STRATEGIES: Final = ("FULL", "NONE")
CATCHER_FIELDS: Final[dict[str, frozenset[str]]] = {
    JSONPATH: frozenset({"ErrorEquals", "Next", "ResultPath", "Assign", "Comment"}),
    JSONATA: frozenset({"ErrorEquals", "Next", "Output", "Assign", "Comment"}),
}
ERROR_ALL: Final = "States.ALL"

#: Choice comparison operators (JSONPath only), keyed by name, valued by what their operand must be
COMPARISONS: Final[dict[str, str]] = {
    **{
        f"String{op}": "string"
        for op in ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
    },
    "StringMatches": "string",
    **{
        f"Numeric{op}": "number"
        for op in ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
    },
    "BooleanEquals": "boolean",
    **{
        f"Timestamp{op}": "timestamp"
        for op in ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
    },
    **{
        f"{kind}{op}Path": "path"
        for kind in ("String", "Numeric", "Timestamp")
        for op in ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
    },
    "BooleanEqualsPath": "path",
    **{f"Is{kind}": "boolean" for kind in ("Null", "Present", "Numeric", "String", "Boolean", "Timestamp")},
}
BOOLEAN_RULES: Final = ("And", "Or", "Not")
#: fields of a top-level Choice rule besides its condition; nested rules (under And/Or/Not) take only Comment
CHOICE_RULE_FIELDS: Final[dict[str, frozenset[str]]] = {
    JSONPATH: frozenset({"Next", "Assign", "Comment"}),
    JSONATA: frozenset({"Condition", "Next", "Assign", "Output", "Comment"}),
}

#: the intrinsic functions of the States Language, by name
INTRINSIC_FUNCTIONS: Final = frozenset(
    {
        "States.Format",
        "States.StringToJson",
        "States.JsonToString",
        "States.Array",
        "States.ArrayPartition",
        "States.ArrayContains",
        "States.ArrayRange",
        "States.ArrayGetItem",
        "States.ArrayLength",
        "States.ArrayUnique",
        "States.Base64Encode",
        "States.Base64Decode",
        "States.Hash",
        "States.JsonMerge",
        "States.MathRandom",
        "States.MathAdd",
        "States.StringSplit",
        "States.UUID",
    }
)

#: nesting deeper than this (branches, processors, Choice rules) is refused as TOO_DEEPLY_NESTED
MAX_DEPTH: Final = 64

#: the states that may move on (Next) or stop (End: true); exactly one of the two is required
FLOW_TYPES: Final = frozenset({"Pass", "Task", "Wait", "Parallel", "Map"})
#: fields a state type must have (beyond Type), whatever its query language
REQUIRED: Final[dict[str, tuple[str, ...]]] = {
    "Task": ("Resource",),
    "Choice": ("Choices",),
    "Parallel": ("Branches",),
}
#: groups of fields of which a state type must have exactly one
EXACTLY_ONE: Final[dict[str, tuple[tuple[str, ...], ...]]] = {
    "Wait": (("Seconds", "Timestamp", "SecondsPath", "TimestampPath"),),
    "Map": (("ItemProcessor", "Iterator"),),
}
#: pairs of fields a state type may not have together
EXCLUSIVE: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "Task": (("TimeoutSeconds", "TimeoutSecondsPath"), ("HeartbeatSeconds", "HeartbeatSecondsPath")),
    "Fail": (("Error", "ErrorPath"), ("Cause", "CausePath")),
    "Map": (
        ("MaxConcurrency", "MaxConcurrencyPath"),
        ("ToleratedFailureCount", "ToleratedFailureCountPath"),
        ("ToleratedFailurePercentage", "ToleratedFailurePercentagePath"),
        ("Parameters", "ItemSelector"),
    ),
}
