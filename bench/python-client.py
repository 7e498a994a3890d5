"""Benchmark of the Python client (clients/python): not a test, nothing fails on time.

    .tools/python/bin/python bench/python-client.py      (or: npm run bench -- python)

1. The serving thread's cost of log_prediction (median and p99 µs per call, 10 features), with the
   sender idle and with the sender shipping at full speed in the same process, beside the standard
   library's thread handoff (queue.Queue.put_nowait) measured in the same run. Goal: under 5 µs.
2. Events one process ships per second (checking, numbering, JSON, HTTP) to a sink in another process
   that answers like the backend: the client's ceiling, not the backend's.
3. Profile mode: rows per second binned into the backend's summaries on one core, distinct rows
   (no caching to help), beside whylogs profiling the same rows in the same run (its published figure:
   about 218k rows/s on two 8-vCPU machines, i.e. about 13.6k rows/s per vCPU). Goal: at least
   whylogs' rows/s per core.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import queue
import random
import statistics
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CollectorRegistry

import modelrails
from modelrails import _validate
from modelrails.telemetry import _VersionProfiles

MODEL = "model:default/home-feed-ranker"
FEATURES = 10


def rows(n: int, seed: int = 1):
    rng = random.Random(seed)
    countries = ["US", "DE", "FR", "BR", "IN", "JP"]
    out = []
    for i in range(n):
        features = {f"x{k}": rng.gauss(k, 1 + k) for k in range(FEATURES - 2)}
        features["country"] = rng.choice(countries)
        features["premium"] = rng.random() < 0.3
        out.append((f"r{seed}-{i}", features, rng.random(), rng.lognormvariate(2.5, 0.5), {"platform": rng.choice(["ios", "web"])}))
    return out


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def per_call(fn, data, repeats=3):
    """Median and p99 of one call's time in µs, timed in blocks of 100 calls (the clock costs ~50 ns)."""
    samples = []
    for _ in range(repeats):
        for start in range(0, len(data), 100):
            block = data[start:start + 100]
            t0 = time.perf_counter_ns()
            for item in block:
                fn(item)
            samples.append((time.perf_counter_ns() - t0) / len(block) / 1000)
    return statistics.median(samples), percentile(samples, 0.99)


class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        items = body.get("events") or body.get("outcomes") or body.get("profiles") or []
        data = json.dumps({"batchId": body["batchId"], "accepted": len(items), "duplicates": 0, "dropped": 0,
                           "redelivered": False}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def serve_sink(port_queue):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    port_queue.put(server.server_address[1])
    server.serve_forever()


def main():
    ports = multiprocessing.Queue()
    sink = multiprocessing.Process(target=serve_sink, args=(ports,), daemon=True)
    sink.start()
    url = f"http://127.0.0.1:{ports.get()}/api/mlops"
    data = rows(100_000)
    gc.collect()

    print("Python client benchmark (clients/python), one process, CPython", sys.version.split()[0])
    print()
    print("1. log_prediction on the serving thread (10 features)")
    handoff = queue.Queue()
    ref_median, ref_p99 = per_call(lambda r: handoff.put_nowait(r), data[:30_000])
    idle = modelrails.Telemetry(url, None, source="bench-idle", batch_size=10_000, max_batch_age=3600, max_queue=10**7,
                                registry=CollectorRegistry())
    idle_median, idle_p99 = per_call(lambda r: idle.log_prediction(MODEL, "17", r[0], r[1], score=r[2], latency_ms=r[3], segment=r[4]),
                                     data[:30_000], repeats=1)
    busy = modelrails.Telemetry(url, None, source="bench-busy", batch_size=1000, max_batch_age=0.05, max_queue=10**7,
                                registry=CollectorRegistry())
    busy_median, busy_p99 = per_call(lambda r: busy.log_prediction(MODEL, "17", r[0], r[1], score=r[2], latency_ms=r[3], segment=r[4]),
                                     data, repeats=1)
    busy.flush(120)
    print(f"   queue.Queue.put_nowait (reference)      median {ref_median:5.2f} µs   p99 {ref_p99:5.2f} µs")
    print(f"   log_prediction, sender idle             median {idle_median:5.2f} µs   p99 {idle_p99:5.2f} µs   "
          f"({idle_median / ref_median:.2f}× the reference)")
    print(f"   log_prediction, sender shipping         median {busy_median:5.2f} µs   p99 {busy_p99:5.2f} µs   "
          f"({busy_median / ref_median:.2f}× the reference; goal < 5 µs)")
    idle.close(0.1)

    print()
    print("2. events one process ships per second (to a sink in another process)")
    shipper = modelrails.Telemetry(url, None, source="bench-ship", batch_size=5000, max_batch_age=0.01, max_queue=10**7,
                                   registry=CollectorRegistry())
    started = time.perf_counter()
    for r in data:
        shipper.log_prediction(MODEL, "17", r[0], r[1], score=r[2], latency_ms=r[3], segment=r[4])
    shipper.flush(300)
    seconds = time.perf_counter() - started
    shipped = shipper.stats().count("accepted")
    print(f"   {shipped:,} events in {seconds:.2f} s: {shipped / seconds:,.0f} events/s "
          f"(logging included; {shipper.stats().retries} retries)")
    shipper.close()

    print()
    print("3. profile mode: distinct rows binned into the backend's summaries, one core")
    layout = {"layoutVersion": "17", "segments": ["platform"], "features": []}
    reference = rows(20_000, seed=2)
    for k in range(FEATURES - 2):
        values = sorted(r[1][f"x{k}"] for r in reference)
        edges = [values[int(len(values) * i / 1000)] for i in range(1, 1000)]
        layout["features"].append({"name": f"x{k}", "kind": "numeric", "layout": {"edges": edges, "min": values[0], "max": values[-1]}})
    layout["features"] += [{"name": "country", "kind": "categorical"}, {"name": "premium", "kind": "categorical"}]
    profiles = _VersionProfiles(layout, 0)
    now = time.time() * 1000
    started = time.perf_counter()
    for r in data:
        event = _validate.prediction(MODEL, "17", r[0], r[1], r[2], r[3], None, r[4], None, now)
        profiles.add(event)
    posted = profiles.take(MODEL, "17")
    ours = len(data) / (time.perf_counter() - started)
    assert sum(p["events"] for p in posted if not p["segment"]) == len(data)
    print(f"   modelrails (checking + binning)         {ours:,.0f} rows/s")
    try:
        import numpy as np
        import pandas as pd

        # whylogs 1.6 still names np.unicode_, which NumPy 2 removed (np.str_ is the same type).
        if not hasattr(np, "unicode_"):
            np.unicode_ = np.str_
        import whylogs as why
    except ImportError as missing:
        print(f"   whylogs not installed here ({missing}): no reference in this run")
        return
    frame = pd.DataFrame([{**r[1], "score": r[2], "latency_ms": r[3], "platform": r[4]["platform"]} for r in data])
    why.log(frame.head(1000))  # warm-up: imports and sketch set-up
    started = time.perf_counter()
    why.log(frame)
    theirs = len(frame) / (time.perf_counter() - started)
    print(f"   whylogs {why.__version__ if hasattr(why, '__version__') else ''} why.log(DataFrame), same rows   {theirs:,.0f} rows/s")
    print(f"   ratio: {ours / theirs:.2f}× whylogs in this run; {ours / 13_600:.1f}× whylogs' published per-vCPU figure")


if __name__ == "__main__":
    main()
