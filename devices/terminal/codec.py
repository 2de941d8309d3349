"""JSON and amounts for the nexo binding: exact decimals in, exact decimals out.

nexo Retailer JSON (Adyen Terminal API, devices.md §4.3) carries amounts as JSON numbers in
major units: ``"RequestedAmount": 219.00``. Parsing them as ``float`` would make ``0.1 + 0.2``
style errors possible, so :func:`loads` parses every JSON number with a fraction as
:class:`~decimal.Decimal` and :func:`dumps` writes a ``Decimal`` back as the same digits
(``219.00``, not ``219.0``). Inside the emulator and the client amounts are integer øre.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["MAX_AMOUNT_ORE", "AmountError", "amount_to_ore", "dumps", "loads", "ore_to_amount"]

#: The largest amount accepted, 10 million kroner: a guard against nonsense, not a scheme limit.
MAX_AMOUNT_ORE = 1_000_000_000

_CENT = Decimal("0.01")


class AmountError(ValueError):
    """An amount is not a positive number of whole øre; the message says what to send instead."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid JSON number; send amounts as plain decimals such as 219.00")


def loads(raw: bytes | str) -> Any:
    """Parse JSON with every fractional number as :class:`~decimal.Decimal`.

    Raises:
        ValueError: The text is not JSON (or is not UTF-8, or uses ``NaN``/``Infinity``).
    """
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)


def _write(value: Any, out: list[str]) -> None:
    if value is None or isinstance(value, bool | int | str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot write {value} as JSON; amounts must be finite")
        out.append(format(value, "f"))
    elif isinstance(value, Mapping):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            if index:
                out.append(",")
            out.append(json.dumps(str(key), ensure_ascii=False))
            out.append(":")
            _write(item, out)
        out.append("}")
    elif isinstance(value, Sequence):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _write(item, out)
        out.append("]")
    else:
        raise TypeError(f"cannot write {type(value).__name__} as nexo JSON; use str, int, Decimal, dict or list")


def dumps(value: Any) -> bytes:
    """Serialise to compact UTF-8 JSON; a ``Decimal`` keeps its digits (``Decimal("219.00")`` → ``219.00``)."""
    out: list[str] = []
    _write(value, out)
    return "".join(out).encode("utf-8")


def amount_to_ore(value: object, *, field: str = "amount", allow_zero: bool = False) -> int:
    """Convert a nexo amount in kroner (``Decimal`` or ``int``) to integer øre, exactly.

    Args:
        value: The parsed JSON value.
        field: The field name, for the error message.
        allow_zero: Accept 0 (tips, cash-back); payments themselves must be positive.

    Raises:
        AmountError: Not a number, negative, zero (unless allowed), too large, or finer than 1 øre.
    """
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise AmountError(f"{field} must be a JSON number in kroner such as 219.00, not {value!r}")
    try:
        ore = Decimal(value) * 100
        exact = ore == ore.to_integral_value()
    except InvalidOperation:
        raise AmountError(f"{field} {value!r} is not a finite number; send kroner such as 219.00") from None
    if not exact:
        raise AmountError(f"{field} {value} has more than two decimals; amounts are whole øre, e.g. 219.95")
    if ore < 0 or (ore == 0 and not allow_zero):
        raise AmountError(f"{field} {value} must be {'zero or ' if allow_zero else ''}positive")
    if ore > MAX_AMOUNT_ORE:
        raise AmountError(f"{field} {value} exceeds the emulator's limit of {MAX_AMOUNT_ORE // 100} kroner")
    return int(ore)


def ore_to_amount(ore: int) -> Decimal:
    """Integer øre to a two-decimal ``Decimal`` in kroner: ``21900`` → ``Decimal("219.00")``."""
    if isinstance(ore, bool) or not isinstance(ore, int):
        raise TypeError(f"amounts are integer øre, got {ore!r}")
    return (Decimal(ore) / 100).quantize(_CENT)
