"""Property values to and from JSON for backups, exactly: temporal, spatial and byte values are
tagged maps (`{"$": kind, ...}`), which cannot be confused with stored values since Neo4j stores
no maps as properties.

One loss: the driver reads a date-time in the zone `UTC` and one at the offset `Z` alike, so both
come back at the offset `Z` (the same instant and text; `datetime()` makes the offset form)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, timedelta
from typing import Any

import pytz
from neo4j.spatial import CartesianPoint, Point, WGS84Point
from neo4j.time import Date, DateTime, Duration, Time

_CARTESIAN = {7203, 9157}


def _zone(tz: Any) -> str | None:
    """The IANA zone name of a named-zone tzinfo; None for a fixed offset (UTC counts as one)."""
    zone = getattr(tz, "zone", None)
    return zone if isinstance(zone, str) and zone != "UTC" else None


def encode(value: Any) -> Any:
    """A JSON-ready form of one property value (or list of values); durations and points are
    tuples, so lists come last."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, bytes | bytearray):
        return {"$": "bytes", "v": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, DateTime):
        if value.tzinfo is None:
            return {"$": "localdatetime", "v": value.iso_format()}
        tagged = {"$": "datetime", "v": value.iso_format()}
        zone = _zone(value.tzinfo)
        return {**tagged, "zone": zone} if zone else tagged
    if isinstance(value, Date):
        return {"$": "date", "v": value.iso_format()}
    if isinstance(value, Time):
        return {"$": "time" if value.tzinfo is not None else "localtime", "v": value.iso_format()}
    if isinstance(value, Duration):
        return {
            "$": "duration",
            "months": value.months,
            "days": value.days,
            "seconds": value.seconds,
            "nanoseconds": value.nanoseconds,
        }
    if isinstance(value, Point):
        return {"$": "point", "srid": value.srid, "v": [float(c) for c in value]}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    raise TypeError(f"cannot back up a property value of type {type(value).__name__}")


def _zoned(text: str, zone: str) -> DateTime:
    """The date-time `text` (with its offset) in the named zone, the offset picking DST or not."""
    with_offset = DateTime.from_iso_format(text)
    naive = with_offset.replace(tzinfo=None)
    tz = pytz.timezone(zone)
    for is_dst in (False, True):
        local = tz.localize(naive, is_dst=is_dst)
        if local.utcoffset() == with_offset.utcoffset():
            return local
    return with_offset


def _offset(text: str) -> DateTime:
    """The date-time `text` at its fixed offset (+00:00 as the offset Z, not the zone UTC)."""
    parsed = DateTime.from_iso_format(text)
    return parsed.replace(tzinfo=UTC) if parsed.utcoffset() == timedelta(0) else parsed


def decode(value: Any) -> Any:
    """The driver value for one `encode`d value."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    kind = value.get("$")
    if kind == "bytes":
        return base64.b64decode(value["v"])
    if kind == "datetime":
        return _zoned(value["v"], value["zone"]) if value.get("zone") else _offset(value["v"])
    if kind == "localdatetime":
        return DateTime.from_iso_format(value["v"])
    if kind == "date":
        return Date.from_iso_format(value["v"])
    if kind in ("time", "localtime"):
        return Time.from_iso_format(value["v"])
    if kind == "duration":
        return Duration(
            months=value["months"],
            days=value["days"],
            seconds=value["seconds"],
            nanoseconds=value["nanoseconds"],
        )
    if kind == "point":
        point_type = CartesianPoint if value["srid"] in _CARTESIAN else WGS84Point
        return point_type(tuple(value["v"]))
    raise ValueError(f"unknown tagged value {kind!r}")


def encode_props(props: dict[str, Any]) -> dict[str, Any]:
    return {key: encode(value) for key, value in props.items()}


def decode_props(props: dict[str, Any]) -> dict[str, Any]:
    return {key: decode(value) for key, value in props.items()}


def dumps(line: dict[str, Any]) -> str:
    """One JSON line (compact, UTF-8 kept)."""
    return json.dumps(line, ensure_ascii=False, separators=(",", ":"))
