"""Evidently's side of `npm run bench -- evidently` (bench/evidently.ts runs it in .tools/evidently).

Writes a dataset of ROWS rows x 50 columns (40 numeric of five shapes, 10 categorical; a reference
and a current part, some columns drifted by known amounts) as float64 column files for the
ModelRails side to read, then times Evidently's DataDriftPreset on the same data and prints its
per-column verdicts as JSON.

    python bench/evidently-drift.py ROWS OUT_DIR
"""
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from evidently import DataDefinition, Dataset, Report
from evidently.presets import DataDriftPreset

NUMERIC = 40
CATEGORICAL = 10
CATEGORIES = 12


def numeric_column(rng, k, n, drifted):
    """Column k: its shape by k % 5, its drift (none, small or large) by the list below."""
    shift, widen, tail = drifted
    shape = k % 5
    if shape == 0:
        values = rng.normal(shift, widen, n)
    elif shape == 1:
        values = np.exp(rng.normal(shift, widen * (1 + tail), n))
    elif shape == 2:
        values = shift + widen * rng.standard_t(3, n)
    elif shape == 3:
        values = np.round(rng.normal(50 + 10 * shift, 10 * widen, n), 2)
    else:
        values = rng.poisson(4 * (1 + shift) * widen, n).astype(float)
    return values


# (shift, scale, tail growth) of the current part, per numeric column; the rest do not drift.
DRIFTS = {
    0: (0.5, 1, 0), 1: (0.5, 1, 0), 2: (0.5, 1, 0), 3: (0.5, 1, 0), 4: (0.5, 1, 0),
    5: (0.05, 1, 0), 6: (0.05, 1, 0), 7: (0.05, 1, 0), 8: (0.05, 1, 0), 9: (0.05, 1, 0),
    10: (0, 1.3, 0), 11: (0, 1, 0.25), 12: (0, 1.3, 0), 13: (0, 1.3, 0), 14: (0, 1.3, 0),
}
CATEGORICAL_DRIFTS = {0: 0.5, 1: 0.05}


def categorical_column(rng, n, drift):
    p = np.arange(1, CATEGORIES + 1, dtype=float) ** -1.1
    p /= p.sum()
    if drift:
        p = (1 - drift) * p + drift * p[::-1]
    return rng.choice(CATEGORIES, n, p=p).astype(float)


def main():
    rows = int(sys.argv[1])
    out = Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261203)
    names = [f"num_{k:02d}" for k in range(NUMERIC)] + [f"cat_{k:02d}" for k in range(CATEGORICAL)]
    parts = {}
    for part in ("reference", "current"):
        columns = []
        for k in range(NUMERIC):
            drifted = DRIFTS.get(k, (0, 1, 0)) if part == "current" else (0, 1, 0)
            columns.append(numeric_column(rng, k, rows, drifted))
        for k in range(CATEGORICAL):
            columns.append(categorical_column(rng, rows, CATEGORICAL_DRIFTS.get(k, 0) if part == "current" else 0))
        matrix = np.stack(columns)
        matrix.astype("<f8").tofile(out / f"{part}.f64")
        frame = pd.DataFrame({name: matrix[i] for i, name in enumerate(names[:NUMERIC])})
        for i, name in enumerate(names[NUMERIC:]):
            frame[name] = pd.Series(matrix[NUMERIC + i].astype(int)).map(lambda c: f"c{c}")
        parts[part] = frame
    definition = DataDefinition(numerical_columns=names[:NUMERIC], categorical_columns=names[NUMERIC:])
    reference = Dataset.from_pandas(parts["reference"], data_definition=definition)
    current = Dataset.from_pandas(parts["current"], data_definition=definition)
    started = time.perf_counter()
    snapshot = Report([DataDriftPreset()]).run(current, reference)
    seconds = time.perf_counter() - started
    verdicts = {}
    for metric in snapshot.dict()["metrics"]:
        config = metric["config"]
        if not config["type"].endswith("ValueDrift"):
            continue
        method = config["method"]
        p_value = "p_value" in method
        value = float(metric["value"])
        verdicts[config["column"]] = {
            "method": method,
            "value": value,
            "threshold": config["threshold"],
            "drifted": value < config["threshold"] if p_value else value >= config["threshold"],
        }
    print(json.dumps({
        "rows": rows,
        "columns": names,
        "numeric": NUMERIC,
        "categories": CATEGORIES,
        "seconds": seconds,
        "verdicts": verdicts,
    }))


if __name__ == "__main__":
    main()
