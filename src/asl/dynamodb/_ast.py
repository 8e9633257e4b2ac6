"""The syntax trees of DynamoDB expressions: document paths, operands, conditions, update actions."""

from __future__ import annotations

from dataclasses import dataclass

from ._errors import validation


@dataclass(frozen=True, slots=True)
class Path:
    """A document path: attribute names (``str``) and list indexes (``int``), names already substituted."""

    elements: tuple[str | int, ...]

    def __str__(self) -> str:
        # DynamoDB prints paths in messages as "[a, b, [2]]".
        shown = (f"[{e}]" if isinstance(e, int) else e for e in self.elements)
        return "[" + ", ".join(shown) + "]"


@dataclass(frozen=True, slots=True)
class Value:
    """A reference to an ExpressionAttributeValues entry, such as ``:v``."""

    name: str


@dataclass(frozen=True, slots=True)
class Size:
    """``size(path)``."""

    path: Path


@dataclass(frozen=True, slots=True)
class Call:
    """A function in an update expression: ``if_not_exists`` or ``list_append``."""

    name: str
    args: tuple[SetOperand, ...]


@dataclass(frozen=True, slots=True)
class Arithmetic:
    """``left + right`` or ``left - right`` in a SET action."""

    op: str
    left: SetOperand
    right: SetOperand


Operand = Path | Value | Size
SetOperand = Path | Value | Call
SetValue = Path | Value | Call | Arithmetic


@dataclass(frozen=True, slots=True)
class Compare:
    """``left <op> right`` with op one of ``= <> < <= > >=``."""

    op: str
    left: Operand
    right: Operand


@dataclass(frozen=True, slots=True)
class Between:
    """``operand BETWEEN low AND high``."""

    operand: Operand
    low: Operand
    high: Operand


@dataclass(frozen=True, slots=True)
class In:
    """``operand IN (a, b, ...)``."""

    operand: Operand
    choices: tuple[Operand, ...]


@dataclass(frozen=True, slots=True)
class Function:
    """A condition function: attribute_exists, attribute_not_exists, attribute_type, begins_with, contains."""

    name: str
    args: tuple[Operand, ...]


@dataclass(frozen=True, slots=True)
class And:
    """``left AND right``."""

    left: Condition
    right: Condition


@dataclass(frozen=True, slots=True)
class Or:
    """``left OR right``."""

    left: Condition
    right: Condition


@dataclass(frozen=True, slots=True)
class Not:
    """``NOT operand``."""

    operand: Condition


Condition = Compare | Between | In | Function | And | Or | Not


@dataclass(frozen=True, slots=True)
class Update:
    """A parsed UpdateExpression, one tuple per clause, in written order."""

    set: tuple[tuple[Path, SetValue], ...] = ()
    remove: tuple[Path, ...] = ()
    add: tuple[tuple[Path, Value], ...] = ()
    delete: tuple[tuple[Path, Value], ...] = ()


@dataclass(frozen=True, slots=True)
class Parsed:
    """A parsed expression with the placeholders it used, in first-use order."""

    tree: object
    names_used: tuple[str, ...]
    values_used: tuple[str, ...]


def check_distinct_paths(paths: list[Path], kind: str) -> None:
    """DynamoDB's rule for the paths one expression writes or projects: no two may overlap (one a
    prefix of the other) or conflict (one indexes a list where the other names a map key)."""
    for i, one in enumerate(paths):
        for two in paths[i + 1 :]:
            for a, b in zip(one.elements, two.elements, strict=False):
                if a == b and type(a) is type(b):
                    continue
                if isinstance(a, int) != isinstance(b, int):
                    raise validation(
                        f"Invalid {kind}: Two document paths conflict with each other; must remove or "
                        "rewrite "
                        f"one of these paths; path one: {one}, path two: {two}"
                    )
                break
            else:
                raise validation(
                    f"Invalid {kind}: Two document paths overlap with each other; must remove or rewrite "
                    f"one of these paths; path one: {one}, path two: {two}"
                )
