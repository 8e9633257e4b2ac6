"""Tokenizer and recursive-descent parser for DynamoDB's expression grammar, with its error messages.

>>> parse("ConditionExpression", "attribute_not_exists(#i)", {"#i": "id"}).tree
Function(name='attribute_not_exists', args=(Path(elements=('id',)),))
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import NoReturn

from ._ast import (
    And,
    Arithmetic,
    Between,
    Call,
    Compare,
    Condition,
    Function,
    In,
    Not,
    Operand,
    Or,
    Parsed,
    Path,
    SetOperand,
    SetValue,
    Size,
    Update,
    Value,
)
from ._errors import DynamoError, validation
from ._reserved import RESERVED_WORDS

_TOKEN = re.compile(
    r"\s*(?:(?P<NAME>[A-Za-z][A-Za-z0-9_]*)|(?P<HASH>#[A-Za-z0-9_]+)|(?P<VALUE>:[A-Za-z0-9_]+)"
    r"|(?P<NUMBER>[0-9]+)|(?P<OP><>|<=|>=|[=<>(),.\[\]+\-])|(?P<BAD>\S))"
)
_COMPARATORS = frozenset({"=", "<>", "<", "<=", ">", ">="})
_CONDITION_FUNCTIONS = {
    "attribute_exists": 1,
    "attribute_not_exists": 1,
    "attribute_type": 2,
    "begins_with": 2,
    "contains": 2,
}
_UPDATE_FUNCTIONS = {"if_not_exists": 2, "list_append": 2}
_CLAUSES = ("SET", "REMOVE", "ADD", "DELETE")

Token = tuple[str, str, int, int]  # kind, text, start, end


def _tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while True:
        match = _TOKEN.match(text, pos)
        if match is None or match.lastgroup is None:
            break
        kind = match.lastgroup
        tokens.append((kind, match.group(kind), match.start(kind), match.end(kind)))
        pos = match.end()
    tokens.append(("EOF", "<EOF>", len(text), len(text)))
    return tokens


class _Parser:
    def __init__(self, kind: str, text: str, names: Mapping[str, str]) -> None:
        self.kind = kind
        self.text = text
        self.names = names
        self.tokens = _tokenize(text)
        self.pos = 0
        self.names_used: dict[str, None] = {}
        self.values_used: dict[str, None] = {}

    # -- token helpers ---------------------------------------------------------------------
    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def take(self) -> Token:
        token = self.tokens[self.pos]
        if token[0] != "EOF":
            self.pos += 1
        return token

    def at(self, text: str) -> bool:
        kind, value, _, _ = self.peek()
        return kind in ("OP", "NAME") and value.upper() == text

    def expect(self, text: str) -> None:
        if not self.at(text):
            self.syntax_error()
        self.take()

    def fail(self, message: str) -> NoReturn:
        raise validation(f"Invalid {self.kind}: {message}")

    def syntax_error(self) -> NoReturn:
        # DynamoDB quotes the offending token and the text from the token before to the one after.
        index = self.pos
        token = self.tokens[index]
        start = self.tokens[max(index - 1, 0)][2]
        end = self.tokens[min(index + 1, len(self.tokens) - 1)][3]
        near = self.text[start:end]
        self.fail(f'Syntax error; token: "{token[1]}", near: "{near}"')

    # -- paths and operands ----------------------------------------------------------------
    def name_element(self) -> str:
        kind, text, _, _ = self.peek()
        if kind == "HASH":
            self.take()
            if text not in self.names:
                self.fail(
                    "An expression attribute name used in the document path is not defined; "
                    f"attribute name: {text}"
                )
            self.names_used[text] = None
            return self.names[text]
        if kind == "NAME":
            if text.upper() in RESERVED_WORDS:
                self.fail(f"Attribute name is a reserved keyword; reserved keyword: {text}")
            self.take()
            return text
        self.syntax_error()

    def path(self) -> Path:
        elements: list[str | int] = [self.name_element()]
        while True:
            if self.at("."):
                self.take()
                elements.append(self.name_element())
            elif self.at("["):
                self.take()
                kind, text, _, _ = self.peek()
                if kind != "NUMBER":
                    self.syntax_error()
                self.take()
                elements.append(int(text))
                self.expect("]")
            else:
                return Path(tuple(elements))

    def value(self) -> Value:
        kind, text, _, _ = self.peek()
        if kind != "VALUE":
            self.syntax_error()
        self.take()
        self.values_used[text] = None
        return Value(text)

    def function_name(self) -> str | None:
        kind, text, _, _ = self.peek()
        if kind == "NAME" and self.peek(1)[1] == "(":
            return text
        return None

    def arguments(self, name: str, parse_one: object) -> list[object]:
        self.expect("(")
        args: list[object] = [parse_one()]  # type: ignore[operator]
        while self.at(","):
            self.take()
            args.append(parse_one())  # type: ignore[operator]
        self.expect(")")
        return args

    def check_arity(self, name: str, count: int, expected: int) -> None:
        if count != expected:
            self.fail(
                "Incorrect number of operands for operator or function; "
                f"operator or function: {name}, number of operands: {count}"
            )

    def operand(self) -> Operand:
        name = self.function_name()
        if name is None:
            return self.value() if self.peek()[0] == "VALUE" else self.path()
        if name == "size":
            self.take()
            args = self.arguments(name, self.operand)
            self.check_arity(name, len(args), 1)
            if not isinstance(args[0], Path):
                self.fail(f"Operator or function requires a document path; operator or function: {name}")
            return Size(args[0])
        if name in _CONDITION_FUNCTIONS or name in _UPDATE_FUNCTIONS:
            self.fail(f"The function is not allowed to be used this way in an expression; function: {name}")
        self.fail(f"Invalid function name; function: {name}")

    # -- conditions ------------------------------------------------------------------------
    def condition(self) -> Condition:
        left = self.conjunction()
        while self.at("OR"):
            self.take()
            left = Or(left, self.conjunction())
        return left

    def conjunction(self) -> Condition:
        left = self.negation()
        while self.at("AND"):
            self.take()
            left = And(left, self.negation())
        return left

    def negation(self) -> Condition:
        if self.at("NOT"):
            self.take()
            return Not(self.negation())
        return self.primary()

    def primary(self) -> Condition:
        if self.at("("):
            self.take()
            inner = self.condition()
            self.expect(")")
            return inner
        name = self.function_name()
        if name in _CONDITION_FUNCTIONS:
            return self.condition_function(name)
        if name in _UPDATE_FUNCTIONS:
            self.fail(f"The function is not allowed in a condition expression; function: {name}")
        left = self.operand()
        kind, text, _, _ = self.peek()
        if kind == "OP" and text in _COMPARATORS:
            self.take()
            return Compare(text, left, self.operand())
        if self.at("BETWEEN"):
            self.take()
            low = self.operand()
            self.expect("AND")
            return Between(left, low, self.operand())
        if self.at("IN"):
            self.take()
            choices = self.arguments("IN", self.operand)
            return In(left, tuple(choices))  # type: ignore[arg-type]
        if isinstance(left, Size):
            self.fail("The function is not allowed to be used this way in an expression; function: size")
        self.syntax_error()

    def condition_function(self, name: str) -> Condition:
        self.take()
        args = self.arguments(name, self.operand)
        self.check_arity(name, len(args), _CONDITION_FUNCTIONS[name])
        if name in ("attribute_exists", "attribute_not_exists") and not isinstance(args[0], Path):
            self.fail(f"Operator or function requires a document path; operator or function: {name}")
        if name == "attribute_type" and not isinstance(args[1], Value):
            self.fail(f"Incorrect operand type for operator or function; operator or function: {name}")
        if name == "contains" and args[0] == args[1] and isinstance(args[0], Path):
            self.fail(
                "The first operand must be distinct from the remaining operands for this operator or "
                f"function; operator: {name}, first operand: {args[0]}"
            )
        kind, text, _, _ = self.peek()
        if kind == "OP" and text in _COMPARATORS:
            self.fail(f"The function is not allowed to be used this way in an expression; function: {name}")
        return Function(name, tuple(args))  # type: ignore[arg-type]

    # -- update expressions ------------------------------------------------------------------
    def update(self) -> Update:
        clauses: dict[str, list[object]] = {}
        if self.peek()[0] == "EOF":
            self.syntax_error()
        while self.peek()[0] != "EOF":
            word = self.peek()[1].upper() if self.peek()[0] == "NAME" else ""
            if word not in _CLAUSES:
                self.syntax_error()
            if word in clauses:
                self.fail(f'The "{word}" section can only be used once in an update expression;')
            self.take()
            parse_action = {
                "SET": self.set_action,
                "REMOVE": self.path,
                "ADD": self.add_action,
                "DELETE": self.add_action,
            }[word]
            actions: list[object] = [parse_action()]
            while self.at(","):
                self.take()
                actions.append(parse_action())
            clauses[word] = actions
        return Update(
            set=tuple(clauses.get("SET", ())),  # type: ignore[arg-type]
            remove=tuple(clauses.get("REMOVE", ())),  # type: ignore[arg-type]
            add=tuple(clauses.get("ADD", ())),  # type: ignore[arg-type]
            delete=tuple(clauses.get("DELETE", ())),  # type: ignore[arg-type]
        )

    def set_action(self) -> tuple[Path, SetValue]:
        target = self.path()
        self.expect("=")
        left = self.set_operand()
        if self.at("+") or self.at("-"):
            op = self.take()[1]
            return target, Arithmetic(op, left, self.set_operand())
        return target, left

    def set_operand(self) -> SetOperand:
        name = self.function_name()
        if name is None:
            return self.value() if self.peek()[0] == "VALUE" else self.path()
        if name in _UPDATE_FUNCTIONS:
            self.take()
            args = self.arguments(name, self.set_operand)
            self.check_arity(name, len(args), _UPDATE_FUNCTIONS[name])
            if name == "if_not_exists" and not isinstance(args[0], Path):
                self.fail(f"Operator or function requires a document path; operator or function: {name}")
            if name == "list_append" and any(isinstance(a, Call) and a.name == name for a in args):
                self.fail(
                    f"The function is not allowed to be used this way in an expression; function: {name}"
                )
            return Call(name, tuple(args))  # type: ignore[arg-type]
        if name in _CONDITION_FUNCTIONS or name == "size":
            self.fail(f"The function is not allowed in an update expression; function: {name}")
        self.fail(f"Invalid function name; function: {name}")

    def add_action(self) -> tuple[Path, Value]:
        return self.path(), self.value()

    # -- projections -----------------------------------------------------------------------
    def projection(self) -> tuple[Path, ...]:
        paths = [self.path()]
        while self.at(","):
            self.take()
            paths.append(self.path())
        return tuple(paths)

    def finish(self, tree: object) -> Parsed:
        if self.peek()[0] != "EOF":
            self.syntax_error()
        return Parsed(tree, tuple(self.names_used), tuple(self.values_used))


def parse(kind: str, text: str, names: Mapping[str, str] | None = None) -> Parsed:
    """Parse ``text`` as the expression field ``kind`` (``ConditionExpression``, ``UpdateExpression`` ...).

    Raises a ``ValidationException`` :class:`DynamoError` with DynamoDB's message on bad input.
    """
    return _parse_cached(kind, text, tuple(sorted((names or {}).items())))


MAX_EXPRESSION_BYTES = 4096


@functools.lru_cache(maxsize=1024)
def _parse_cached(kind: str, text: str, names: tuple[tuple[str, str], ...]) -> Parsed:
    if not isinstance(text, str):
        raise validation(f"Invalid type for parameter {kind}: expected a string")
    if not text.strip():
        raise validation(f"Invalid {kind}: The expression can not be empty;")
    size = len(text.encode("utf-8"))
    if size > MAX_EXPRESSION_BYTES:  # DynamoDB: an expression string is at most 4 KB
        raise validation(
            f"Invalid {kind}: Expression size has exceeded the maximum allowed size; expression size: {size}"
        )
    for token, name in names:
        if not name:
            raise validation(
                f"ExpressionAttributeNames contains invalid value: Empty attribute name for key {token}"
            )
    parser = _Parser(kind, text, dict(names))
    tree: object
    if kind == "UpdateExpression":
        tree = parser.update()
    elif kind == "ProjectionExpression":
        tree = parser.projection()
    else:
        tree = parser.condition()
    return parser.finish(tree)


__all__ = ["DynamoError", "parse"]
