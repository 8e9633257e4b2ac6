"""A table's key schema: checking keys as DynamoDB does, and encoding them so SQLite sorts them right."""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ._errors import validation
from .values import AttributeValue, Item, type_of

if TYPE_CHECKING:
    from ._indexes import IndexSchema

_KEY_TYPES = ("S", "N", "B")
_MAX_PARTITION_KEY = 2048
_MAX_SORT_KEY = 1024
_WIDE = decimal.Context(prec=60)  # wider than DynamoDB's 38 digits, so nothing rounds


@dataclass(frozen=True, slots=True)
class TableSchema:
    """Name, key attributes with their types (``S``, ``N`` or ``B``), and the TTL attribute if any."""

    name: str
    partition_key: tuple[str, str]
    sort_key: tuple[str, str] | None = None
    ttl_attribute: str | None = None
    created: float = 0.0
    #: secondary indexes, in the order CreateTable/UpdateTable gave them
    indexes: tuple[IndexSchema, ...] = ()
    #: what DescribeTable reports beyond the keys (table id, billing, streams, tags, attribute types)
    meta: Any = None

    def index(self, name: str) -> IndexSchema | None:
        """The secondary index of that name, or None."""
        for index in self.indexes:
            if index.name == name:
                return index
        return None

    @property
    def key_names(self) -> tuple[str, ...]:
        return (
            (self.partition_key[0],) if self.sort_key is None else (self.partition_key[0], self.sort_key[0])
        )

    def _key_parts(self) -> tuple[tuple[str, str], ...]:
        return (self.partition_key,) if self.sort_key is None else (self.partition_key, self.sort_key)

    def key_from_item(self, item: Item) -> Item:
        """The key of a whole item (PutItem), checked for presence, type and emptiness."""
        key: Item = {}
        for name, kind in self._key_parts():
            value = item.get(name)
            if value is None:
                raise validation(
                    f"One or more parameter values were invalid: Missing the key {name} in the item"
                )
            key[name] = self._check_part(name, kind, value)
        return key

    def check_key(self, key: Item) -> Item:
        """A ``Key`` parameter: exactly the key attributes, with the right types."""
        if set(key) != set(self.key_names):
            raise validation("The provided key element does not match the schema")
        for name, kind in self._key_parts():
            self._check_part(name, kind, key[name])
        return key

    def _check_part(self, name: str, kind: str, value: AttributeValue) -> AttributeValue:
        actual = type_of(value)
        if actual != kind:
            raise validation(
                f"One or more parameter values were invalid: Type mismatch for key {name} "
                f"expected: {kind} actual: {actual}"
            )
        if kind in ("S", "B") and len(value[kind]) == 0:
            raise validation(
                "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
                f"contain an empty {'string' if kind == 'S' else 'binary'} value. Key: {name}"
            )
        size = len(value["S"].encode("utf-8")) if kind == "S" else len(value[kind])
        limit = _MAX_PARTITION_KEY if name == self.partition_key[0] else _MAX_SORT_KEY
        if size > limit:
            which = "hashkey" if limit == _MAX_PARTITION_KEY else "rangekey"
            raise validation(
                f"One or more parameter values were invalid: Size of {which} has exceeded the "
                "maximum size limit of"
                f"{limit} bytes"
            )
        return value

    def encode(self, key: Item) -> tuple[bytes, bytes]:
        """The (partition, sort) column values of a checked key; sort is ``b""`` without a sort key."""
        pk = encode_key_value(key[self.partition_key[0]])
        sk = b"" if self.sort_key is None else encode_key_value(key[self.sort_key[0]])
        return pk, sk


def encode_key_value(value: AttributeValue) -> bytes:
    """Bytes whose ``memcmp`` order is DynamoDB's order for the key type.

    Strings sort by UTF-8 bytes and binaries by bytes, as DynamoDB sorts them. Numbers
    become sign, biased exponent and digits, with negatives inverted so that SQLite's
    BLOB comparison gives numeric order.
    """
    kind = type_of(value)
    if kind == "S":
        encoded: bytes = value["S"].encode("utf-8")
        return encoded
    if kind == "B":
        return bytes(value["B"])
    return _encode_number(Decimal(value["N"]))


def _encode_number(number: Decimal) -> bytes:
    if number.is_zero():
        return b"\x80"
    sign, digits, exponent = number.normalize(_WIDE).as_tuple()
    assert isinstance(exponent, int)
    magnitude = exponent + len(digits) + 200  # 200 keeps DynamoDB's exponent range positive
    text = bytes(ord("0") + d for d in digits)
    if not sign:
        return b"\xc0" + magnitude.to_bytes(2, "big") + text
    inverted = bytes(255 - b for b in magnitude.to_bytes(2, "big") + text)
    return b"\x40" + inverted + b"\xff"


def decode_key_value(kind: str, raw: bytes) -> AttributeValue:
    """Inverse of :func:`encode_key_value` for a key of type ``kind``."""
    if kind == "S":
        return {"S": raw.decode("utf-8")}
    if kind == "B":
        return {"B": raw}
    if raw == b"\x80":
        return {"N": "0"}
    negative = raw[0] == 0x40
    body = bytes(255 - b for b in raw[1:-1]) if negative else raw[1:]
    magnitude = int.from_bytes(body[:2], "big") - 200
    digits = body[2:].decode("ascii")
    number = Decimal(f"{'-' if negative else ''}0.{digits}").scaleb(magnitude)
    return {"N": format(number.normalize(_WIDE), "f")}


def key_types() -> tuple[str, ...]:
    """The attribute types a key may have."""
    return _KEY_TYPES
