"""DynamoDB AttributeValue <-> plain Python values, for the shapes Kysy stores.

boto3's ``TypeSerializer``/``TypeDeserializer`` would do this too, but importing ``boto3.dynamodb``
imports all of boto3 (s3transfer, resources, ...) at every cold start, and its deserializer (one
method dispatch and a ``Decimal`` per number) was the largest single cost of the widget's warm
request. Kysy's items hold strings, integers, booleans, lists and maps only; numbers come back as
``int`` (or ``Decimal`` when they are not integral, which Kysy never writes).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

AttributeValue = dict[str, Any]


def to_value(value: Any) -> AttributeValue:
    """One Python value as an AttributeValue. ``bool`` is checked before ``int`` (it is one)."""
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | Decimal):
        return {"N": str(value)}
    if value is None:
        return {"NULL": True}
    if isinstance(value, Mapping):
        return {"M": {str(k): to_value(v) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [to_value(v) for v in value]}
    if isinstance(value, bytes | bytearray):
        return {"B": bytes(value)}
    if isinstance(value, set | frozenset) and all(isinstance(v, str) for v in value):
        return {"SS": sorted(value)}
    raise TypeError(f"Cannot store a value of type {type(value).__name__} in DynamoDB")


def to_item(values: Mapping[str, Any]) -> dict[str, AttributeValue]:
    """A whole item; ``None`` values are left out (an absent attribute, not a NULL)."""
    return {k: to_value(v) for k, v in values.items() if v is not None}


def _number(text: str) -> int | Decimal:
    try:
        return int(text)
    except ValueError:
        return Decimal(text)


def from_value(value: AttributeValue) -> Any:
    """One AttributeValue as a Python value (the inverse of ``to_value``)."""
    if "S" in value:
        return value["S"]
    if "N" in value:
        return _number(value["N"])
    if "BOOL" in value:
        return bool(value["BOOL"])
    if "M" in value:
        return {k: from_value(v) for k, v in value["M"].items()}
    if "L" in value:
        return [from_value(v) for v in value["L"]]
    if "NULL" in value:
        return None
    if "B" in value:
        return value["B"]
    if "SS" in value:
        return set(value["SS"])
    if "NS" in value:
        return {_number(n) for n in value["NS"]}
    if "BS" in value:
        return set(value["BS"])
    raise TypeError(f"Unknown DynamoDB attribute value: {sorted(value)}")


def from_item(item: Mapping[str, AttributeValue]) -> dict[str, Any]:
    # Strings are by far the most common attribute: test for them first, inline.
    return {k: v["S"] if "S" in v else from_value(v) for k, v in item.items()}
