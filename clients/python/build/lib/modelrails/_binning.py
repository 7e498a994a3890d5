"""The backend's binning rules, for profiles built in the serving process.

Mergeable summaries, exactly as the backend keeps them (plugins/mlops-backend/src/stats/summaries.ts):
numeric values in the bins of the version's layout, scores and latencies in log bins, categories
counted up to a limit. ``test-vectors/binning.json`` holds cases both implementations are tested
against, so a profile this module builds is the summary the backend would have built from the events.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

LOG_ACCURACY = 0.01
_GAMMA = (1 + LOG_ACCURACY) / (1 - LOG_ACCURACY)
_LOG_GAMMA = math.log(_GAMMA)
#: Values at or below this count as zeros in a log summary.
LOG_MIN_VALUE = 1e-9
#: Distinct categories a summary keeps; the rest are counted under OTHER_CATEGORY.
MAX_CATEGORIES = 500
OTHER_CATEGORY = "__other__"
BUCKET_MS = 5 * 60 * 1000

_INF = float("inf")


def bin_index(edges: Sequence[float], value: float) -> int:
    """The numeric bin of ``value``: the smallest i with value <= edges[i] (len(edges) past the last)."""
    return bisect_left(edges, value)


def _gamma_power(k: int) -> float:
    """γ^k by squaring: the same correctly rounded multiplications as the backend, to the last bit."""
    base = _GAMMA
    e = abs(k)
    result = 1.0
    while e > 0:
        if e % 2 == 1:
            result *= base
        base *= base
        e //= 2
    return 1 / result if k < 0 else result


def log_bin_index(value: float) -> int:
    """The log bin of a positive value: bin k holds (γ^(k-1), γ^k], γ = (1 + a) / (1 - a).

    Within a hair of a boundary two libraries' logarithms may round to either side (glibc's and V8's
    differ by an ulp on some values): there the value is compared with the boundary itself.
    """
    value = float(value)
    r = math.log(value) / _LOG_GAMMA
    nearest = math.floor(r + 0.5)
    if abs(r - nearest) < 1e-6:
        return nearest if value <= _gamma_power(nearest) else nearest + 1
    return math.ceil(r)


def bucket_of(ms: float) -> int:
    """The start of the 5-minute bucket holding epoch milliseconds ``ms``."""
    return int(ms // BUCKET_MS) * BUCKET_MS


def _is_number(value: Any) -> bool:
    # bool is an int in Python; in the backend's rules a boolean is a category, never a number.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class NumericLayout:
    """A numeric feature's bins, fixed by the training profile: interior edges and the reference range."""

    __slots__ = ("edges", "max", "min")

    def __init__(self, edges: Sequence[float], min: float, max: float) -> None:
        self.edges = [float(e) for e in edges]
        self.min = float(min)
        self.max = float(max)

    @classmethod
    def from_json(cls, layout: Mapping[str, Any]) -> NumericLayout:
        return cls(layout["edges"], layout["min"], layout["max"])


class NumericSummary:
    __slots__ = ("above_range", "below_range", "counts", "layout", "max", "min", "missing", "n", "nulls", "sum",
                 "sum_squares", "type_mismatches")

    kind = "numeric"

    def __init__(self, layout: NumericLayout) -> None:
        self.layout = layout
        self.nulls = 0
        self.missing = 0
        self.type_mismatches = 0
        self.n = 0
        self.sum = 0.0
        self.sum_squares = 0.0
        self.min = _INF
        self.max = -_INF
        self.below_range = 0
        self.above_range = 0
        self.counts = [0] * (len(layout.edges) + 1)

    def add_number(self, value: float) -> None:
        layout = self.layout
        self.n += 1
        self.sum += value
        self.sum_squares += value * value
        if value < self.min:
            self.min = value
        if value > self.max:
            self.max = value
        if value < layout.min:
            self.below_range += 1
        elif value > layout.max:
            self.above_range += 1
        self.counts[bisect_left(layout.edges, value)] += 1

    def add(self, value: Any) -> None:
        if value is None:
            self.nulls += 1
        elif _is_number(value) and math.isfinite(value):
            self.add_number(float(value))
        else:
            self.type_mismatches += 1

    def encode(self) -> Dict[str, Any]:
        counts = self.counts
        used = 0
        end = 0
        for i, c in enumerate(counts):
            if c:
                used += 1
                end = i + 1
        # Dense (counts from bin 0) once a third of the bins are used, sparse [bin, count] pairs before.
        bins: Dict[str, Any] = (
            {"counts": counts[:end]} if used * 3 > end else {"bins": [[i, c] for i, c in enumerate(counts[:end]) if c]}
        )
        return {
            "kind": "numeric",
            "nulls": self.nulls,
            "missing": self.missing,
            "typeMismatches": self.type_mismatches,
            "n": self.n,
            "sum": self.sum,
            "sumSquares": self.sum_squares,
            "min": self.min if math.isfinite(self.min) else None,
            "max": self.max if math.isfinite(self.max) else None,
            "belowRange": self.below_range,
            "aboveRange": self.above_range,
            **bins,
        }


class CategoricalSummary:
    __slots__ = ("counts", "missing", "n", "nulls", "type_mismatches")

    kind = "categorical"

    def __init__(self) -> None:
        self.nulls = 0
        self.missing = 0
        self.type_mismatches = 0
        self.n = 0
        self.counts: Dict[str, int] = {}

    def add_category(self, value: str, count: int = 1) -> None:
        self.n += count
        counts = self.counts
        key = value if value in counts or len(counts) < MAX_CATEGORIES else OTHER_CATEGORY
        counts[key] = counts.get(key, 0) + count

    def add(self, value: Any) -> None:
        if value is None:
            self.nulls += 1
        elif isinstance(value, str):
            self.add_category(value)
        elif isinstance(value, bool):
            self.add_category("true" if value else "false")
        else:
            self.type_mismatches += 1

    def encode(self) -> Dict[str, Any]:
        return {
            "kind": "categorical",
            "nulls": self.nulls,
            "missing": self.missing,
            "typeMismatches": self.type_mismatches,
            "n": self.n,
            "categories": dict(self.counts),
        }


class LogSummary:
    """Log-spaced bins for positive quantities (scores, latencies), within LOG_ACCURACY of every value."""

    __slots__ = ("bins", "max", "min", "n", "sum", "zeros")

    kind = "log"

    def __init__(self) -> None:
        self.n = 0
        self.zeros = 0
        self.sum = 0.0
        self.min = _INF
        self.max = -_INF
        self.bins: Dict[int, int] = {}

    def add(self, value: float) -> None:
        value = float(value)
        if not math.isfinite(value) or value < 0:
            return
        self.n += 1
        self.sum += value
        if value < self.min:
            self.min = value
        if value > self.max:
            self.max = value
        if value <= LOG_MIN_VALUE:
            self.zeros += 1
            return
        index = log_bin_index(value)
        bins = self.bins
        bins[index] = bins.get(index, 0) + 1

    def encode(self) -> Dict[str, Any]:
        return {
            "kind": "log",
            "n": self.n,
            "zeros": self.zeros,
            "sum": self.sum,
            "min": self.min if math.isfinite(self.min) else None,
            "max": self.max if math.isfinite(self.max) else None,
            "bins": [[k, self.bins[k]] for k in sorted(self.bins)],
        }


FeatureSummary = Union[NumericSummary, CategoricalSummary]
FeatureSpec = Tuple[str, Optional[NumericLayout]]  # (name, layout); no layout means categorical


class Group:
    """One profile in the making: a version's traffic (all of it, or one segment) in one bucket."""

    __slots__ = ("errors", "events", "features", "latency", "score")

    def __init__(self, specs: Sequence[FeatureSpec]) -> None:
        self.events = 0
        self.errors = 0
        self.score: Optional[LogSummary] = None
        self.latency: Optional[LogSummary] = None
        self.features: List[FeatureSummary] = [
            NumericSummary(layout) if layout is not None else CategoricalSummary() for _, layout in specs
        ]

    def add_event(self, features: Optional[Mapping[str, Any]], score: Optional[float], latency_ms: Optional[float],
                  error: bool, specs: Sequence[FeatureSpec]) -> None:
        self.events += 1
        if error:
            self.errors += 1
        if score is not None:
            if self.score is None:
                self.score = LogSummary()
            self.score.add(score)
        if latency_ms is not None:
            if self.latency is None:
                self.latency = LogSummary()
            self.latency.add(latency_ms)
        summaries = self.features
        for i, (name, _) in enumerate(specs):
            if features is None or name not in features:
                summaries[i].missing += 1
            else:
                summaries[i].add(features[name])

    def encode(self, specs: Sequence[FeatureSpec]) -> Dict[str, Any]:
        """The summaries as the profiles API takes them: events, then score, latency and features."""
        out: Dict[str, Any] = {"events": self.events, "errors": self.errors}
        if self.score is not None:
            out["score"] = self.score.encode()
        if self.latency is not None:
            out["latencyMs"] = self.latency.encode()
        out["features"] = {name: s.encode() for (name, _), s in zip(specs, self.features)}
        return out


ALL_TRAFFIC = "*"


def summarize(events: Sequence[Mapping[str, Any]], specs: Sequence[FeatureSpec],
              segments: Sequence[str]) -> Dict[str, Group]:
    """Events of one version and bucket into groups: all traffic ("*") and each ``tag=value`` seen."""
    groups: Dict[str, Group] = {ALL_TRAFFIC: Group(specs)}
    for event in events:
        into = [groups[ALL_TRAFFIC]]
        tags = event.get("segment") or {}
        for tag in segments:
            value = tags.get(tag)
            if value is None:
                continue
            key = f"{tag}={value}"
            group = groups.get(key)
            if group is None:
                group = groups[key] = Group(specs)
            into.append(group)
        for group in into:
            group.add_event(event.get("features"), event.get("score"), event.get("latencyMs"),
                            bool(event.get("error")), specs)
    return groups
