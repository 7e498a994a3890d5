"""The backend's ingest rules, checked before sending (plugins/mlops-backend/src/telemetry/validate.ts).

An event the backend would refuse would sink its whole batch (a 4xx commits nothing), so each event
is checked here, named by its field as the backend names it.
"""

from __future__ import annotations

import math
import numbers
import re
import time as _time
from datetime import datetime
from typing import Any, Dict, Mapping, Optional, Set, Tuple, Union

from .errors import InvalidEvent

ID_LENGTH = 128
STRING_VALUE_LENGTH = 256
FEATURES_PER_EVENT = 200
SEGMENT_TAGS = 10
EVENTS_PER_BATCH = 10_000
FUTURE_MS = 5 * 60_000
_TAG = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
_OUTCOME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_REF = re.compile(r"^(?:([^:/]+):)?(?:([^:/]+)/)?([^:/]+)$")

Time = Union[datetime, int, float, None]


_known_refs: Dict[str, str] = {}
_known_keys: Set[Any] = set()
_known_tags: Set[Tuple[Any, Any]] = set()
# Bounds of the caches below: names repeat across events, so they are checked once (a sender seeing
# ever new names only pays the full check again).
_CACHE_LIMIT = 10_000


def model_ref(value: Any, field: str = "model") -> str:
    """``home-feed-ranker``, ``default/home-feed-ranker`` or ``model:default/home-feed-ranker``, as the backend writes it."""
    known = _known_refs.get(value) if isinstance(value, str) else None
    if known is not None:
        return known
    if not isinstance(value, str) or not value:
        raise InvalidEvent(field, "must be an entity reference such as \"model:default/home-feed-ranker\"")
    match = _REF.match(value)
    if not match:
        raise InvalidEvent(field, "must be an entity reference such as \"model:default/home-feed-ranker\"")
    kind, namespace, name = match.group(1) or "model", match.group(2) or "default", match.group(3)
    if kind.lower() != "model":
        raise InvalidEvent(field, "must name a Model entity")
    ref = f"model:{namespace.lower()}/{name}"
    if len(_known_refs) < _CACHE_LIMIT:
        _known_refs[value] = ref
    return ref


def ident(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidEvent(field, "must be a non-empty string")
    if len(value) > ID_LENGTH:
        raise InvalidEvent(field, f"must be at most {ID_LENGTH} characters")
    if "\x00" in value:
        raise InvalidEvent(field, "must not contain NUL characters")
    return value


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and type(value).__name__ != "bool_"


def finite(value: Any, field: str) -> float:
    kind = type(value)
    if kind is float and value - value == 0.0:  # the common case, without the ABC checks below
        return float(value)
    if kind is int:
        return float(value)
    if not _is_real(value):
        raise InvalidEvent(field, "must be a finite number")
    number = float(value)
    if not math.isfinite(number):
        raise InvalidEvent(field, "must be a finite number")
    return number


def epoch_ms(value: Time, field: str = "time", now_ms: Optional[float] = None, future: bool = True) -> int:
    """A datetime (aware, or naive meaning UTC) or epoch milliseconds; now when None.

    ``future``: refuse times more than 5 minutes ahead, as the backend does for predictions.
    """
    now = _time.time() * 1000 if now_ms is None else now_ms
    if value is None:
        return int(now)
    if type(value) is float and value - value == 0.0:
        ms = value
    elif isinstance(value, datetime):
        ms = value.timestamp() * 1000 if value.tzinfo else (value - datetime(1970, 1, 1)).total_seconds() * 1000
    else:
        ms = finite(value, field)
    if future and ms > now + FUTURE_MS:
        raise InvalidEvent(field, "is more than 5 minutes in the future")
    return int(ms)


def features(value: Optional[Mapping[str, Any]], field: str = "features") -> Optional[Dict[str, Any]]:
    if value is None:
        return None
    if type(value) is not dict and not isinstance(value, Mapping):
        raise InvalidEvent(field, "must be an object")
    if len(value) > FEATURES_PER_EVENT:
        raise InvalidEvent(field, f"at most {FEATURES_PER_EVENT} features per event")
    out: Dict[str, Any] = {}
    known = _known_keys
    for key, v in value.items():
        if key not in known:
            if not isinstance(key, str) or len(key) > 128 or key.startswith("__"):
                raise InvalidEvent(f"{field}.{key}", "feature names are up to 128 characters and do not start with __")
            if len(known) < _CACHE_LIMIT:
                known.add(key)
        kind = type(v)
        # The common types first; numpy scalars and subclasses take the long way.
        if kind is float:
            if v - v != 0.0:  # NaN or ±Infinity
                raise InvalidEvent(f"{field}.{key}", "must be a finite number")
            out[key] = v
        elif kind is str:
            if len(v) > STRING_VALUE_LENGTH:
                raise InvalidEvent(f"{field}.{key}", f"must be at most {STRING_VALUE_LENGTH} characters")
            out[key] = v
        elif kind is int or kind is bool or v is None:
            out[key] = v
        elif isinstance(v, bool) or kind.__name__ == "bool_":
            out[key] = bool(v)
        elif isinstance(v, str):
            if len(v) > STRING_VALUE_LENGTH:
                raise InvalidEvent(f"{field}.{key}", f"must be at most {STRING_VALUE_LENGTH} characters")
            out[key] = str(v)
        elif _is_real(v):
            number = float(v)
            if not math.isfinite(number):
                raise InvalidEvent(f"{field}.{key}", "must be a finite number")
            # Integers stay integers on the wire (numpy's too): 840 is not "840.0" to a reader.
            out[key] = int(v) if isinstance(v, numbers.Integral) else number
        else:
            raise InvalidEvent(f"{field}.{key}", "must be a number, string, boolean or null")
    return out


def segment(value: Optional[Mapping[str, str]], field: str = "segment") -> Optional[Dict[str, str]]:
    if not value:
        return None
    if type(value) is not dict and not isinstance(value, Mapping):
        raise InvalidEvent(field, "must be an object")
    if len(value) > SEGMENT_TAGS:
        raise InvalidEvent(field, f"at most {SEGMENT_TAGS} tags")
    known = _known_tags
    for pair in value.items():
        if pair in known:
            continue
        key, v = pair
        if not isinstance(key, str) or not _TAG.match(key):
            raise InvalidEvent(f"{field}.{key}", "tag names are letters, digits, _ . - (up to 64)")
        if not isinstance(v, str) or not v or len(v) > 64:
            raise InvalidEvent(f"{field}.{key}", "must be a string of 1 to 64 characters")
        if len(known) < _CACHE_LIMIT:
            known.add(pair)
    return dict(value)


def _token_count(value: Any, field: str) -> int:
    # As JSON reads it: 3.0 is the integer 3.
    whole = isinstance(value, numbers.Integral) or (isinstance(value, float) and value.is_integer())
    if type(value) is bool or not whole or not 0 <= value <= 9_007_199_254_740_991:
        raise InvalidEvent(field, "must be a non-negative integer")
    return int(value)


def prediction(model: Any, version: Any, request_id: Any, feature_values: Optional[Mapping[str, Any]], score: Any,
               latency_ms: Any, error: Any, segment_tags: Optional[Mapping[str, str]], query_id: Any,
               at: Time, now_ms: Optional[float] = None, llm: Optional[Tuple[Any, Any, Any]] = None) -> Dict[str, Any]:
    """One prediction event in wire form (without source and sequence, which the sender adds).

    Fields are checked in the backend's order, so an event wrong in several ways is refused for the
    same field the backend would name.
    """
    ref = model_ref(model)
    occurred = epoch_ms(at, "time", now_ms)
    if error is not None and not isinstance(error, bool):
        raise InvalidEvent("error", "must be a boolean")
    latency = None
    if latency_ms is not None:
        latency = finite(latency_ms, "latencyMs")
        if latency < 0:
            raise InvalidEvent("latencyMs", "must not be negative")
    event: Dict[str, Any] = {"model": ref, "requestId": ident(request_id, "requestId")}
    event["version"] = ident(version, "version")
    event["time"] = occurred
    if query_id is not None:
        event["queryId"] = ident(query_id, "queryId")
    tags = segment(segment_tags)
    if score is not None:
        event["score"] = finite(score, "score")
    # LLM serving: (input tokens, output tokens, time to first token in ms), any of them None.
    tokens: Dict[str, Any] = {}
    if llm is not None:
        input_tokens, output_tokens, first_token_ms = llm
        if input_tokens is not None:
            tokens["inputTokens"] = _token_count(input_tokens, "inputTokens")
        if output_tokens is not None:
            tokens["outputTokens"] = _token_count(output_tokens, "outputTokens")
        if first_token_ms is not None:
            first = finite(first_token_ms, "timeToFirstTokenMs")
            if first < 0:
                raise InvalidEvent("timeToFirstTokenMs", "must not be negative")
            if latency is not None and first > latency:
                raise InvalidEvent("timeToFirstTokenMs", "must not exceed latencyMs (the whole answer)")
            tokens["timeToFirstTokenMs"] = first
    if latency is not None:
        event["latencyMs"] = latency
    event.update(tokens)
    if error:
        event["error"] = True
    if tags:
        event["segment"] = tags
    checked = features(feature_values)
    if checked:
        event["features"] = checked
    return event


def outcome(request_id: Any, name: Any, value: Any, at: Time, now_ms: Optional[float] = None) -> Dict[str, Any]:
    """One outcome (a delayed label) in wire form, without source and sequence."""
    if not isinstance(name, str) or not _OUTCOME.match(name):
        raise InvalidEvent("outcome", "must be lower_snake_case, such as \"click\"")
    event: Dict[str, Any] = {"requestId": ident(request_id, "requestId"), "outcome": name,
                             "time": epoch_ms(at, "time", now_ms, future=False)}
    if value is not None:
        event["value"] = finite(value, "value")
    return event
