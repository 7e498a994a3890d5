"""The sender: batching, numbering, dropping what the backend refuses, bounded memory, metrics."""

import logging
import math
import threading
import time

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from modelrails import InvalidEvent, Telemetry, UnknownModel

from conftest import committed, error

MODEL = "model:default/home-feed-ranker"


def sender(url, **options):
    options.setdefault("registry", CollectorRegistry())
    options.setdefault("max_batch_age", 0.05)
    t = Telemetry(url, "serving-token", source=options.pop("source", "pod-1"), **options)
    t._transport.pause = lambda seconds, stop: stop.wait(0.01) if stop is not None else False
    return t


def events_sent(scripted, path="/api/mlops/telemetry/predictions"):
    return [e for r in scripted.requests if r["path"] == path for e in r["json"]["events"]]


def test_batches_number_and_deliver_every_event(scripted):
    with sender(scripted.url, batch_size=100) as t:
        for i in range(250):
            t.log_prediction("home-feed-ranker", "17", f"r{i}", {"age": i, "country": "US", "premium": i % 2 == 0},
                             score=0.5, latency_ms=12, segment={"platform": "ios"})
        t.log_outcome("r3", "click")
        assert t.flush(5)
        stats = t.stats()
    sent = events_sent(scripted)
    assert [e["requestId"] for e in sent] == [f"r{i}" for i in range(250)]
    assert all(len(r["json"]["events"]) <= 100 for r in scripted.requests if "events" in r["json"])
    sequences = [e["sequence"] for e in sent]
    # Consecutive per stream (outcomes have their own): the backend keeps one range per sender run.
    assert [b - a for a, b in zip(sequences, sequences[1:])] == [1] * 249
    assert sent[0]["model"] == MODEL and sent[0]["features"] == {"age": 0, "country": "US", "premium": True}
    assert all(r["json"]["source"] == "pod-1" for r in scripted.requests)
    outcomes = [o for r in scripted.requests if r["path"].endswith("/outcomes") for o in r["json"]["outcomes"]]
    assert outcomes == [{"requestId": "r3", "outcome": "click", "time": outcomes[0]["time"], "sequence": outcomes[0]["sequence"]}]
    assert stats.count("accepted", "prediction") == 250 and stats.count("accepted", "outcome") == 1
    assert stats.dropped == 0


def test_a_restarted_sender_never_reuses_a_sequence(scripted):
    with sender(scripted.url) as first:
        for i in range(50):
            first.log_prediction(MODEL, "17", f"a{i}")
        first.flush(5)
    with sender(scripted.url) as second:  # same source, as after a restart
        second.log_prediction(MODEL, "17", "b0")
        second.flush(5)
    sequences = [e["sequence"] for e in events_sent(scripted)]
    assert len(set(sequences)) == 51 and sequences[-1] > max(sequences[:-1])
    assert all(s < 2**53 for s in sequences)


def test_drops_what_the_backend_refuses_and_sends_the_rest_once(scripted, caplog):
    def refuse_third(request):
        events = request["json"]["events"]
        for i, e in enumerate(events):
            if e["requestId"] == "r2":
                return error(400, f"events[{i}].features.country: must be at most 256 characters")
        return (200, {}, committed(request))

    scripted.default = refuse_third
    caplog.set_level(logging.WARNING, logger="modelrails")
    with sender(scripted.url) as t:
        for i in range(5):
            t.log_prediction(MODEL, "17", f"r{i}")
        t.flush(5)
        stats = t.stats()
    assert [len(r["json"]["events"]) for r in scripted.requests] == [5, 4]
    assert scripted.requests[0]["json"]["batchId"] == scripted.requests[1]["json"]["batchId"]  # nothing was committed
    assert stats.count("rejected") == 1 and stats.count("accepted") == 4
    assert len([r for r in caplog.records if "features.country" in r.getMessage()]) == 1


def test_logs_each_refused_field_once_not_per_event(scripted, caplog):
    caplog.set_level(logging.WARNING, logger="modelrails")
    with sender(scripted.url) as t:
        for i in range(200):
            t.log_prediction(MODEL, "17", f"r{i}", {"price": math.nan if i % 2 else 1.0})
        t.flush(5)
        assert t.stats().count("invalid") == 100
    warnings = [r.getMessage() for r in caplog.records]
    assert len([w for w in warnings if "features.price" in w]) == 1


def test_an_unknown_model_is_remembered_and_strict_mode_raises_at_the_call_site(scripted):
    def unknown(request):
        for i, e in enumerate(request["json"]["events"]):
            if e["model"] == "model:default/nope":
                return error(400, f"events[{i}].model: no Model entity model:default/nope in the catalog")
        return (200, {}, committed(request))

    scripted.default = unknown
    with sender(scripted.url, strict=True) as t:
        t.log_prediction("nope", "1", "x1")
        t.log_prediction(MODEL, "17", "ok1")
        t.flush(5)
        with pytest.raises(UnknownModel):
            t.log_prediction("model:default/nope", "1", "x2")
        with pytest.raises(InvalidEvent) as invalid:
            t.log_prediction(MODEL, "17", "r", {"__score": 1})
        assert invalid.value.field == "features.__score"
        with pytest.raises(InvalidEvent):
            t.log_prediction(MODEL, "17", "r", score=math.inf)
        with pytest.raises(InvalidEvent):
            t.log_prediction(MODEL, "17", "", score=1)
        stats = t.stats()
    assert stats.count("unknown_model") == 1 and stats.count("accepted") == 1
    assert [e["requestId"] for e in events_sent(scripted)][-1] == "ok1"


def test_splits_a_batch_the_backend_finds_too_large(scripted):
    scripted.default = lambda r: error(413, "request entity too large") if len(r["json"]["events"]) > 30 else (200, {}, committed(r))
    with sender(scripted.url, batch_size=100) as t:
        for i in range(100):
            t.log_prediction(MODEL, "17", f"r{i}")
        t.flush(5)
        assert t.stats().count("accepted") == 100
    delivered = [r["json"] for r in scripted.requests if len(r["json"]["events"]) <= 30]
    assert sorted(e["requestId"] for b in delivered for e in b["events"]) == sorted(f"r{i}" for i in range(100))
    assert len({b["batchId"] for b in delivered}) == len(delivered)


def test_a_refused_token_drops_and_counts(scripted, caplog):
    scripted.default = lambda r: error(403, "not allowed")
    caplog.set_level(logging.WARNING, logger="modelrails")
    with sender(scripted.url) as t:
        for i in range(10):
            t.log_prediction(MODEL, "17", f"r{i}")
        t.flush(5)
        assert t.stats().count("unauthorized") == 10
    assert len([r for r in caplog.records if "mlops.telemetry.ingest" in r.getMessage()]) == 1


def test_the_queue_is_bounded_and_the_serving_thread_never_waits(scripted):
    scripted.hold.clear()  # the backend stops answering
    t = sender(scripted.url, max_queue=100, batch_size=10, timeout=30)
    try:
        started = time.perf_counter()
        for i in range(5000):
            t.log_prediction(MODEL, "17", f"r{i}", {"x": i})
        spent = time.perf_counter() - started
        stats = t.stats()
        # Everything is accounted for: in flight (one batch), queued, or dropped as queue_full.
        assert stats.queued <= 100
        assert stats.count("queue_full") >= 5000 - 100 - 10
        assert spent < 30  # would be 5000 times the timeout if the serving thread waited on the network
    finally:
        scripted.hold.set()
        t.close(2)


def test_retries_until_committed_and_counts_the_retries(scripted):
    scripted.reply(error(503, "db down"), error(503, "db down"))
    with sender(scripted.url) as t:
        t.log_prediction(MODEL, "17", "r1")
        t.flush(5)
        stats = t.stats()
    assert stats.retries == 2 and stats.count("accepted") == 1
    assert len({r["raw"] for r in scripted.requests}) == 1


def test_close_flushes_and_later_events_are_counted_not_sent(scripted):
    t = sender(scripted.url, max_batch_age=60)
    for i in range(7):
        t.log_prediction(MODEL, "17", f"r{i}")
    t.close(5)
    assert len(events_sent(scripted)) == 7
    t.log_prediction(MODEL, "17", "late")
    assert t.stats().count("closed") == 1


def test_exports_prometheus_metrics_per_sender(scripted):
    registry = CollectorRegistry()
    with sender(scripted.url, registry=registry, source="pod-a") as a, sender(scripted.url, registry=registry, source="pod-b") as b:
        a.log_prediction(MODEL, "17", "r1")
        b.log_prediction(MODEL, "17", "r2", {"x": math.nan})
        a.flush(5)
        b.flush(5)
        text = generate_latest(registry).decode()
    assert 'modelrails_client_events_total{kind="prediction",result="accepted",source="pod-a"} 1.0' in text
    assert 'modelrails_client_events_total{kind="prediction",result="invalid",source="pod-b"} 1.0' in text
    assert 'modelrails_client_queue_capacity_events{source="pod-a"} 100000.0' in text


def test_many_serving_threads_lose_nothing(scripted):
    with sender(scripted.url, batch_size=500) as t:
        def serve(thread):
            for i in range(2000):
                t.log_prediction(MODEL, "17", f"t{thread}-{i}")

        threads = [threading.Thread(target=serve, args=(n,)) for n in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        t.flush(10)
        assert t.stats().count("accepted") == 8000
    ids = [e["requestId"] for e in events_sent(scripted)]
    assert len(ids) == len(set(ids)) == 8000


def test_a_spooled_batch_is_sent_again_after_a_restart_under_its_own_id(scripted, tmp_path):
    scripted.default = lambda r: error(503, "db down")
    first = sender(scripted.url, spool_dir=str(tmp_path))
    for i in range(20):
        first.log_prediction(MODEL, "17", f"r{i}")
    time.sleep(0.3)
    first.close(0.2)  # the backend never committed: the batch stays in the spool
    assert first.stats().count("not_sent") == 20
    assert len(list(tmp_path.glob("predictions.*.json"))) == 1
    batch_id = scripted.requests[0]["json"]["batchId"]

    # Another process may not use the same spool at the same time.
    scripted.default = lambda r: (200, {}, {**committed(r), "redelivered": True})
    second = sender(scripted.url, spool_dir=str(tmp_path))
    from modelrails._spool import SpoolLocked

    with pytest.raises(SpoolLocked):
        sender(scripted.url, spool_dir=str(tmp_path))
    second.flush(5)
    second.close()
    resent = scripted.requests[-1]["json"]
    assert resent["batchId"] == batch_id and [e["requestId"] for e in resent["events"]] == [f"r{i}" for i in range(20)]
    assert second.stats().count("redelivered") == 20
    assert list(tmp_path.glob("*.json")) == []


LAYOUT = {
    "modelRef": MODEL, "version": "17", "layoutVersion": "17", "bucketMinutes": 5, "segments": ["platform"],
    "features": [
        {"name": "age", "kind": "numeric", "layout": {"edges": [20, 30, 40, 50], "min": 18, "max": 80, "mean": 40, "std": 10}},
        {"name": "country", "kind": "categorical"},
    ],
    "limits": {"eventsPerBatch": 10000, "profilesPerBatch": 1000, "featuresPerEvent": 200, "maxCategories": 500, "logAccuracy": 0.01},
}


def test_profiles_mode_sends_summaries_binned_with_the_layout(scripted):
    scripted.default = lambda r: (200, {}, LAYOUT) if r["method"] == "GET" else (200, {}, committed(r))
    now = time.time() * 1000
    with sender(scripted.url, mode="profiles", profile_interval=3600) as t:
        for i in range(1000):
            t.log_prediction(MODEL, "17", f"r{i}", {"age": 15 + i % 70, "country": "US" if i % 3 else 840, "other": 1},
                             score=0.25, latency_ms=10, segment={"platform": "ios" if i % 2 else "web", "region": "eu"},
                             time=now)
        t.flush(5)
        stats = t.stats()
    gets = [r for r in scripted.requests if r["method"] == "GET"]
    assert [r["path"] for r in gets] == ["/api/mlops/models/default/home-feed-ranker/versions/17/telemetry-layout"]
    profiles = [p for r in scripted.requests if r["method"] == "POST" for p in r["json"]["profiles"]]
    # One bucket: all traffic and each platform (region is not one of the model's segments).
    assert sorted(str(p["segment"]) for p in profiles) == ["{'platform': 'ios'}", "{'platform': 'web'}", "{}"]
    everything = next(p for p in profiles if p["segment"] == {})
    assert everything["events"] == 1000 and everything["bucketStart"] % 300_000 == 0
    age = everything["features"]["age"]
    assert age["n"] == 1000 and sum(c for c in age.get("counts", [])) + sum(c for _, c in age.get("bins", [])) == 1000
    assert age["belowRange"] == sum(1 for i in range(1000) if 15 + i % 70 < 18)
    country = everything["features"]["country"]
    assert country["categories"] == {"US": 666} and country["typeMismatches"] == 334
    assert set(everything["features"]) == {"age", "country"}  # "other" is not in the layout
    assert everything["score"]["n"] == 1000 and everything["latencyMs"]["bins"] == [[116, 1000]]
    assert stats.count("accepted") == 1000
    assert len({p["sequence"] for p in profiles}) == 3


def test_profiles_mode_with_a_token_that_may_not_read_the_layout_drops_and_counts(scripted, caplog):
    scripted.default = lambda r: error(403, "not allowed")
    caplog.set_level(logging.WARNING, logger="modelrails")
    with sender(scripted.url, mode="profiles", profile_interval=3600) as t:
        for i in range(10):
            t.log_prediction(MODEL, "17", f"r{i}", {"age": 30})
        t.flush(5)
        stats = t.stats()
    assert stats.count("unauthorized") == 10 and stats.queued == 0
    assert len([r for r in caplog.records if "mlops.telemetry.ingest" in r.getMessage()]) == 1
