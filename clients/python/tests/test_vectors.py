"""The shared binning vectors (test-vectors/binning.json): this client bins as the backend does.

The backend's own test (plugins/mlops-backend/src/stats/binningVectors.test.ts) checks the same file
against its code, so a change to either side's rules fails one of the two suites.
"""

import json
import math
from pathlib import Path

import pytest

from modelrails import _binning as b

VECTORS = json.loads((Path(__file__).resolve().parents[3] / "test-vectors" / "binning.json").read_text())


def test_constants_agree():
    c = VECTORS["constants"]
    assert (c["logAccuracy"], c["logMinValue"], c["maxCategories"], c["otherCategory"]) == (
        b.LOG_ACCURACY, b.LOG_MIN_VALUE, b.MAX_CATEGORIES, b.OTHER_CATEGORY)


@pytest.mark.parametrize("case", VECTORS["numeric"], ids=lambda c: c["name"])
def test_numeric_bins(case):
    assert [b.bin_index(case["edges"], x) for x in case["values"]] == case["bins"]


def test_log_bins():
    log = VECTORS["log"]
    got = [b.log_bin_index(x) for x in log["values"]]
    differing = [(x, g, e) for x, g, e in zip(log["values"], got, log["bins"]) if g != e]
    assert differing == []


def _close(a, b_, path=""):
    """Equal, with sums compared to 1e-12 relative (the order of additions is the same, but be safe)."""
    if isinstance(a, dict):
        assert set(a) == set(b_), path
        for k in a:
            _close(a[k], b_[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b_), path
        for i, (x, y) in enumerate(zip(a, b_)):
            _close(x, y, f"{path}[{i}]")
    elif isinstance(a, float) or isinstance(b_, float):
        assert math.isclose(a, b_, rel_tol=1e-12, abs_tol=1e-12), path
    else:
        assert a == b_, path


@pytest.mark.parametrize("case", VECTORS["summaries"], ids=lambda c: c["name"])
def test_summaries(case):
    specs = [(f["name"], b.NumericLayout.from_json(f["layout"]) if f["kind"] == "numeric" else None)
             for f in case["features"]]
    groups = b.summarize(case["events"], specs, case["segments"])
    got = {}
    for segment, group in groups.items():
        encoded = group.encode(specs)
        got[(segment, "__events")] = {"kind": "events", "n": encoded["events"], "errors": encoded["errors"]}
        if "score" in encoded:
            got[(segment, "__score")] = encoded["score"]
        if "latencyMs" in encoded:
            got[(segment, "__latency_ms")] = encoded["latencyMs"]
        for name, summary in encoded["features"].items():
            got[(segment, name)] = summary
    expected = {(d["segment"], d["feature"]): d["summary"] for d in case["expected"]}
    assert sorted(got) == sorted(expected)
    for key, summary in expected.items():
        _close(got[key], summary, str(key))
        # Byte for byte, key order included, but for numbers JSON writes differently (50.0 vs 50).
        assert list(got[key]) == list(summary), key
