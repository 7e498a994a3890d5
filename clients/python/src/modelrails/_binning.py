"""The backend's binning rules, for profiles built in the serving process.

Mergeable summaries, exactly as the backend keeps them (plugins/mlops-backend/src/stats/summaries.ts):
numeric values in the bins of the version's layout, scores and latencies in log bins, categories
counted up to a limit. ``test-vectors/binning.json`` holds cases both implementations are tested
against, so a profile this module builds is the summary the backend would have built from the events.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union, cast

import numpy as np

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


class NumericLayout:
    """A numeric feature's bins, fixed by the training profile: interior edges and the reference range."""

    __slots__ = ("edges", "edges_array", "max", "min")

    def __init__(self, edges: Sequence[float], min: float, max: float) -> None:
        self.edges = [float(e) for e in edges]
        self.edges_array = np.asarray(self.edges, dtype=float)
        self.min = float(min)
        self.max = float(max)

    @classmethod
    def from_json(cls, layout: Mapping[str, Any]) -> NumericLayout:
        return cls(layout["edges"], layout["min"], layout["max"])


def tail_bin_indices(distances: np.ndarray) -> np.ndarray:
    """The tail sketch's log bins of positive distances beyond an outer edge (overflowed ones as the largest)."""
    return log_bin_indices(np.minimum(distances, np.finfo(float).max))


def _add_counts(counts: Dict[int, int], keys: np.ndarray) -> None:
    if keys.size:
        unique, n = np.unique(keys, return_counts=True)
        for k, c in zip(unique.tolist(), n.tolist()):
            counts[k] = counts.get(k, 0) + c


def _merge_counts(into: Dict[int, int], other: Mapping[int, int]) -> None:
    for k, c in other.items():
        into[k] = into.get(k, 0) + c


def _pairs(counts: Mapping[int, int]) -> List[List[int]]:
    return [[k, counts[k]] for k in sorted(counts)]


class NumericSummary:
    """Bins, plus what exact statistics need: ties (values equal to a bin's upper edge) and the tail
    sketches (log bins of the distance beyond the outermost edges, for the outer bins' other values)."""

    __slots__ = ("above_range", "below_range", "counts", "high_tail", "layout", "low_tail", "max", "min", "missing",
                 "n", "nulls", "sum", "sum_squares", "ties", "type_mismatches")

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
        self.counts = np.zeros(len(layout.edges) + 1, dtype=np.int64)
        self.ties: Dict[int, int] = {}
        self.low_tail: Dict[int, int] = {}
        self.high_tail: Dict[int, int] = {}

    def add_numbers(self, values: np.ndarray) -> None:
        """Finite numbers into the layout's bins: bin i holds (edges[i-1], edges[i]] (bisect_left)."""
        if not values.size:
            return
        layout = self.layout
        self.n += int(values.size)
        self.sum += float(values.sum())
        self.sum_squares += float(np.dot(values, values))
        self.min = min(self.min, float(values.min()))
        self.max = max(self.max, float(values.max()))
        self.below_range += int(np.count_nonzero(values < layout.min))
        self.above_range += int(np.count_nonzero(values > layout.max))
        edges = layout.edges_array
        last = edges.size
        bins = np.searchsorted(edges, values, side="left")
        self.counts += np.bincount(bins, minlength=self.counts.size)
        inside = bins < last
        tied = np.zeros(values.size, dtype=bool)
        tied[inside] = edges[bins[inside]] == values[inside]
        _add_counts(self.ties, bins[tied])
        _add_counts(self.low_tail, tail_bin_indices(edges[0] - values[(bins == 0) & ~tied]))
        _add_counts(self.high_tail, tail_bin_indices(values[bins == last] - edges[last - 1]))

    def merge(self, other: NumericSummary) -> None:
        self.nulls += other.nulls
        self.missing += other.missing
        self.type_mismatches += other.type_mismatches
        self.n += other.n
        self.sum += other.sum
        self.sum_squares += other.sum_squares
        self.min = min(self.min, other.min)
        self.max = max(self.max, other.max)
        self.below_range += other.below_range
        self.above_range += other.above_range
        self.counts += other.counts
        _merge_counts(self.ties, other.ties)
        _merge_counts(self.low_tail, other.low_tail)
        _merge_counts(self.high_tail, other.high_tail)

    def encode(self) -> Dict[str, Any]:
        used_bins = np.flatnonzero(self.counts)
        end = int(used_bins[-1]) + 1 if used_bins.size else 0
        # Dense (counts from bin 0) once a third of the bins are used, sparse [bin, count] pairs before.
        bins: Dict[str, Any] = (
            {"counts": self.counts[:end].tolist()} if used_bins.size * 3 > end
            else {"bins": [[int(i), int(self.counts[i])] for i in used_bins]}
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
            **({"ties": _pairs(self.ties)} if self.ties else {}),
            **({"lowTail": _pairs(self.low_tail)} if self.low_tail else {}),
            **({"highTail": _pairs(self.high_tail)} if self.high_tail else {}),
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
        """Past MAX_CATEGORIES distinct values, a value not yet kept is counted as OTHER_CATEGORY."""
        self.n += count
        counts = self.counts
        key = value if value in counts or len(counts) < MAX_CATEGORIES else OTHER_CATEGORY
        counts[key] = counts.get(key, 0) + count

    def merge(self, other: CategoricalSummary) -> None:
        self.nulls += other.nulls
        self.missing += other.missing
        self.type_mismatches += other.type_mismatches
        for key, count in other.counts.items():
            self.add_category(key, count)

    def encode(self) -> Dict[str, Any]:
        return {
            "kind": "categorical",
            "nulls": self.nulls,
            "missing": self.missing,
            "typeMismatches": self.type_mismatches,
            "n": self.n,
            "categories": dict(self.counts),
        }


def log_bin_indices(values: np.ndarray) -> np.ndarray:
    """log_bin_index of many positive values at once, by the same rule at the boundaries."""
    r = np.log(values) / _LOG_GAMMA
    nearest = np.floor(r + 0.5)
    bins = np.ceil(r)
    for i in np.flatnonzero(np.abs(r - nearest) < 1e-6):
        k = int(nearest[i])
        bins[i] = k if values[i] <= _gamma_power(k) else k + 1
    indices: np.ndarray = bins.astype(np.int64)
    return indices


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

    def add_values(self, values: np.ndarray) -> None:
        """Finite, non-negative values (others are left out, as the backend does)."""
        values = values[np.isfinite(values) & (values >= 0)]
        if not values.size:
            return
        self.n += int(values.size)
        self.sum += float(values.sum())
        self.min = min(self.min, float(values.min()))
        self.max = max(self.max, float(values.max()))
        positive = values[values > LOG_MIN_VALUE]
        self.zeros += int(values.size - positive.size)
        if positive.size:
            indices, counts = np.unique(log_bin_indices(positive), return_counts=True)
            bins = self.bins
            for k, c in zip(indices.tolist(), counts.tolist()):
                bins[k] = bins.get(k, 0) + c

    def merge(self, other: LogSummary) -> None:
        self.n += other.n
        self.zeros += other.zeros
        self.sum += other.sum
        self.min = min(self.min, other.min)
        self.max = max(self.max, other.max)
        for k, c in other.bins.items():
            self.bins[k] = self.bins.get(k, 0) + c

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

ALL_TRAFFIC = "*"
_MISSING = object()
_EMPTY: Mapping[str, Any] = {}


class Group:
    """One profile in the making: a version's traffic (all of it, or one segment) in one bucket."""

    __slots__ = ("errors", "events", "features", "input_tokens", "latency", "output_tokens", "output_tokens_per_second",
                 "score", "time_to_first_token")

    def __init__(self, specs: Sequence[FeatureSpec]) -> None:
        self.events = 0
        self.errors = 0
        self.score: Optional[LogSummary] = None
        self.latency: Optional[LogSummary] = None
        # LLM serving: tokens per request, time to first token (ms), decode rate (tokens/s).
        self.input_tokens: Optional[LogSummary] = None
        self.output_tokens: Optional[LogSummary] = None
        self.time_to_first_token: Optional[LogSummary] = None
        self.output_tokens_per_second: Optional[LogSummary] = None
        self.features: List[FeatureSummary] = [
            NumericSummary(layout) if layout is not None else CategoricalSummary() for _, layout in specs
        ]

    def merge(self, other: Group) -> None:
        self.events += other.events
        self.errors += other.errors
        for name in _LOG_FIELDS:
            theirs = getattr(other, name)
            if theirs is not None:
                if getattr(self, name) is None:
                    setattr(self, name, LogSummary())
                getattr(self, name).merge(theirs)
        for mine, theirs in zip(self.features, other.features):
            mine.merge(theirs)  # type: ignore[arg-type]

    def encode(self, specs: Sequence[FeatureSpec]) -> Dict[str, Any]:
        """The summaries as the profiles API takes them: events, then score, latency and features."""
        out: Dict[str, Any] = {"events": self.events, "errors": self.errors}
        if self.score is not None:
            out["score"] = self.score.encode()
        if self.latency is not None:
            out["latencyMs"] = self.latency.encode()
        for name, wire in _LLM_WIRE.items():
            summary = getattr(self, name)
            if summary is not None:
                out[wire] = summary.encode()
        out["features"] = {name: s.encode() for (name, _), s in zip(specs, self.features)}
        return out


_LLM_WIRE = {"input_tokens": "inputTokens", "output_tokens": "outputTokens",
             "time_to_first_token": "timeToFirstTokenMs", "output_tokens_per_second": "outputTokensPerSecond"}
_LOG_FIELDS = ("score", "latency", *_LLM_WIRE)


def decode_rate(event: Mapping[str, Any]) -> Optional[float]:
    """A request's decode rate in tokens/s, as the backend computes it: (output - 1) / (latency - first token)."""
    output, first, latency = event.get("outputTokens"), event.get("timeToFirstTokenMs"), event.get("latencyMs")
    if output is None or output < 2 or first is None or latency is None or latency <= first:
        return None
    return float((output - 1) / ((latency - first) / 1000))


def _optional_numbers(values: List[Any]) -> Tuple[np.ndarray, np.ndarray]:
    """Numbers as floats, and where a value was given at all (None: not given)."""
    present = np.fromiter((v is not None for v in values), dtype=bool, count=len(values))
    numbers = np.fromiter((v if v is not None else 0.0 for v in values), dtype=float, count=len(values))
    return numbers, present


def summarize(events: Sequence[Mapping[str, Any]], specs: Sequence[FeatureSpec],
              segments: Sequence[str]) -> Dict[str, Group]:
    """Events of one version and bucket into groups: all traffic ("*") and each ``tag=value`` seen.

    The events are checked ones (``_validate.prediction``: numbers are int or float, finite). Each
    feature's values are classified once and binned per group with NumPy: the same summaries as the
    backend's event by event, several times faster than a loop per value.
    """
    count = len(events)
    members: Dict[str, np.ndarray] = {ALL_TRAFFIC: np.arange(count)}
    if segments:
        tags = [e.get("segment") or _EMPTY for e in events]
        for tag in segments:
            where: Dict[str, List[int]] = {}
            for i, t in enumerate(tags):
                value = t.get(tag)
                if value is not None:
                    where.setdefault(value, []).append(i)
            for value, positions in where.items():
                members[f"{tag}={value}"] = np.asarray(positions)
    groups = {key: Group(specs) for key in members}
    errors = np.fromiter((bool(e.get("error")) for e in events), dtype=bool, count=count)
    scores, has_score = _optional_numbers([e.get("score") for e in events])
    latencies, has_latency = _optional_numbers([e.get("latencyMs") for e in events])
    llm: Dict[str, Tuple[np.ndarray, np.ndarray]] = {}
    if any("inputTokens" in e or "outputTokens" in e or "timeToFirstTokenMs" in e for e in events):
        llm = {name: _optional_numbers([e.get(wire) for e in events]) for name, wire in _LLM_WIRE.items()
               if name != "output_tokens_per_second"}
        llm["output_tokens_per_second"] = _optional_numbers([decode_rate(e) for e in events])
    for key, rows in members.items():
        group = groups[key]
        group.events = int(rows.size)
        group.errors = int(np.count_nonzero(errors[rows]))
        if has_score[rows].any():
            group.score = LogSummary()
            group.score.add_values(scores[rows][has_score[rows]])
        if has_latency[rows].any():
            group.latency = LogSummary()
            group.latency.add_values(latencies[rows][has_latency[rows]])
        for name, (values, given) in llm.items():
            if given[rows].any():
                llm_summary = LogSummary()
                llm_summary.add_values(values[rows][given[rows]])
                setattr(group, name, llm_summary)

    features = [e.get("features") or _EMPTY for e in events]
    nan = math.nan
    for f, (name, layout) in enumerate(specs):
        raw = [values.get(name, _MISSING) for values in features]
        # 1: not sent, 2: sent as null, 0: a value (usable or not).
        absent = np.fromiter((1 if v is _MISSING else 2 if v is None else 0 for v in raw), dtype=np.int8, count=count)
        if layout is not None:
            # Checked events hold finite numbers only: NaN marks a value that is not a number.
            numbers = np.fromiter((v if type(v) is float or type(v) is int else nan for v in raw), dtype=float, count=count)
            for key, rows in members.items():
                summary = groups[key].features[f]
                mine = absent if key == ALL_TRAFFIC else absent[rows]
                values = numbers if key == ALL_TRAFFIC else numbers[rows]
                summary.missing = int(np.count_nonzero(mine == 1))
                summary.nulls = int(np.count_nonzero(mine == 2))
                usable = values[~np.isnan(values)]
                summary.type_mismatches = int(values.size - usable.size) - summary.missing - summary.nulls
                cast(NumericSummary, summary).add_numbers(usable)
        else:
            categories = [v if type(v) is str else ("true" if v else "false") if type(v) is bool else None for v in raw]
            for key, rows in members.items():
                summary = groups[key].features[f]
                mine = absent if key == ALL_TRAFFIC else absent[rows]
                summary.missing = int(np.count_nonzero(mine == 1))
                summary.nulls = int(np.count_nonzero(mine == 2))
                counted = Counter(categories) if key == ALL_TRAFFIC else Counter(categories[i] for i in rows.tolist())
                unusable = counted.pop(None, 0)
                summary.type_mismatches = unusable - summary.missing - summary.nulls
                for category, n in counted.items():
                    cast(CategoricalSummary, summary).add_category(cast(str, category), n)
    return groups
