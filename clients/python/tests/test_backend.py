"""Against the real ModelRails backend and MLflow server that npm test starts (scripts/python/client-tests.mjs)."""

from __future__ import annotations

import glob
import hashlib
import json
import math
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry

import modelrails
from modelrails import _validate
from modelrails.errors import InvalidEvent

MODEL = "model:default/python-client-test"
PATH = "/models/default/python-client-test"
HERE = Path(__file__).parent


def get(backend, path, **params):
    response = requests.get(f"{backend['url']}{path}", params=params, headers={"Authorization": f"Bearer {backend['reader']}"}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def register(backend, version):
    client = modelrails.Client(backend["url"], backend["ci"])
    client.register_version(MODEL, version, artifact_uri=f"s3://models/python-client-test/{version}",
                            artifact_digest=f"sha256:{hashlib.sha256(version.encode()).hexdigest()}")
    return client


def training_frame(n=5000, seed=1):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "age": rng.normal(40, 12, n).round(1),
        "basket": rng.lognormal(3, 0.9, n),
        "country": rng.choice(["US", "DE", "FR", "BR"], p=[0.4, 0.3, 0.2, 0.1], size=n),
        "premium": rng.random(n) < 0.3,
    })


def traffic(n, seed, now_ms, shift=0.0):
    """Serving traffic over the last 20 minutes: age shifted by ``shift``, a few nulls and wrong types."""
    rng = random.Random(seed)
    events = []
    for i in range(n):
        country = rng.choice(["US", "US", "DE", "FR", "BR"])
        features = {"age": round(rng.gauss(40 + shift, 12), 1), "basket": rng.lognormvariate(3, 0.9),
                    "country": 840 if i % 50 == 0 else country, "premium": rng.random() < 0.3}
        if i % 97 == 0:
            features["age"] = None
        if i % 89 == 0:
            del features["basket"]
        events.append({"request_id": f"r{seed}-{i}", "features": features, "score": rng.random(),
                       "latency_ms": rng.lognormvariate(2.5, 0.5), "error": i % 113 == 0,
                       "segment": {"platform": rng.choice(["ios", "android", "web"])},
                       "time": now_ms - rng.uniform(0, 20 * 60_000)})
    return events


def send(backend, version, events, **options):
    with modelrails.Telemetry(backend["url"], backend["serving"], source=f"test-{uuid.uuid4().hex[:8]}",
                              registry=CollectorRegistry(), max_batch_age=0.05, **options) as t:
        for e in events:
            t.log_prediction(MODEL, version, e["request_id"], e["features"], score=e["score"], latency_ms=e["latency_ms"],
                             error=e["error"], segment=e["segment"], time=e["time"])
        assert t.flush(60)
        return t.stats()


def test_profiles_mode_and_events_mode_give_the_backend_the_same_summaries(backend):
    """The same traffic sent as events to one version and as the client's own profiles to another, both
    binned with the same training profile: the backend's drift report is the same for both."""
    frame = training_frame()
    for version in ("ev1", "pr1"):
        register(backend, version).upload_training_profile(MODEL, version, frame, score=np.random.default_rng(2).random(5000))
    now = time.time() * 1000
    events = traffic(3000, seed=5, now_ms=now, shift=6)
    as_events = send(backend, "ev1", events)
    as_profiles = send(backend, "pr1", events, mode="profiles", profile_interval=3600)
    assert as_events.count("accepted") == 3000 and as_profiles.count("accepted") == 3000
    window = {"from": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now / 1000 - 3600)),
              "to": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now / 1000 + 60))}
    a = get(backend, f"{PATH}/drift", version="ev1", **window)
    b = get(backend, f"{PATH}/drift", version="pr1", **window)
    assert a["events"] == b["events"] == 3000

    def findings(report):
        return {(f["feature"], f["segment"]): f for f in report["features"]}

    fa, fb = findings(a), findings(b)
    assert set(fa) == set(fb) and len(fa) >= 12
    for key, x in fa.items():
        y = fb[key]
        assert (x["n"], x["test"], x["severity"], x["flagged"]) == (y["n"], y["test"], y["severity"], y["flagged"]), key
        for stat in ("psi", "ksStatistic", "pValue", "jensenShannon", "wasserstein"):
            if x.get(stat) is None:
                assert y.get(stat) is None, (key, stat)
            else:
                assert math.isclose(x[stat], y[stat], rel_tol=1e-9, abs_tol=1e-12), (key, stat, x[stat], y[stat])
    # The shifted age drifts; numbers sent for a text feature are a contract violation, in both.
    assert fa[("age", "*")]["flagged"]
    assert [(v["feature"], v["check"]) for v in a["violations"] if v["segment"] == "*" and v["feature"] == "country"] == \
        [(v["feature"], v["check"]) for v in b["violations"] if v["segment"] == "*" and v["feature"] == "country"] != []


def test_llm_tokens_and_first_token_times_sent_as_events_or_as_profiles_give_the_same_kpis(backend):
    """An LLM's requests (tokens in and out, time to first token) sent as events to one version and as the
    client's profiles to another: the same KPIs, and those KPIs agree with NumPy on the raw requests."""
    for version in ("llm-ev", "llm-pr"):
        register(backend, version).upload_training_profile(MODEL, version, training_frame())
    rng = random.Random(11)
    now = time.time() * 1000
    requests_ = []
    for i in range(2000):
        output = 1 if i % 83 == 0 else rng.randrange(20, 600)
        first = None if i % 71 == 0 else 80 + 500 * rng.random() ** 2
        latency = (first or 100) + (output - 1) / (25 + 40 * rng.random()) * 1000
        requests_.append({"request_id": f"llm-{i}", "input": rng.randrange(200, 2000), "output": output, "first": first,
                          "latency": latency, "time": now - rng.uniform(0, 20 * 60_000)})

    def stream(version, **options):
        with modelrails.Telemetry(backend["url"], backend["serving"], source=f"llm-{uuid.uuid4().hex[:8]}",
                                  registry=CollectorRegistry(), max_batch_age=0.05, **options) as t:
            for r in requests_:
                t.log_prediction(MODEL, version, r["request_id"], latency_ms=r["latency"], time=r["time"],
                                 input_tokens=r["input"], output_tokens=r["output"], time_to_first_token_ms=r["first"])
            assert t.flush(60)
            return t.stats()

    assert stream("llm-ev").count("accepted") == 2000
    assert stream("llm-pr", mode="profiles", profile_interval=3600).count("accepted") == 2000
    window = {"from": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now / 1000 - 3600)),
              "to": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now / 1000 + 60))}

    def current(version):
        report = get(backend, f"{PATH}/kpis", version=version, **window)
        return {m["name"]: m["series"][0]["current"] for m in report["metrics"]}

    events, profiles = current("llm-ev"), current("llm-pr")
    names = ["input_tokens", "output_tokens", "time_to_first_token_p50", "time_to_first_token_p95", "output_tokens_per_second"]
    for name in names:
        assert events[name] == profiles[name], name
    assert events["input_tokens"]["numerator"] == sum(r["input"] for r in requests_)
    assert events["input_tokens"]["denominator"] == 2000
    firsts = np.array([r["first"] for r in requests_ if r["first"] is not None])
    rates = np.array([(r["output"] - 1) / ((r["latency"] - r["first"]) / 1000) for r in requests_
                      if r["first"] is not None and r["output"] >= 2])

    def order_statistic(values, q):  # the value at rank floor(q·(n-1)), as the API documents
        return np.sort(values)[math.floor(q * (len(values) - 1))]

    assert events["output_tokens_per_second"]["denominator"] == len(rates)
    for got, expected in ((events["time_to_first_token_p50"]["value"], order_statistic(firsts, 0.5)),
                          (events["time_to_first_token_p95"]["value"], order_statistic(firsts, 0.95)),
                          (events["output_tokens_per_second"]["value"], order_statistic(rates, 0.5))):
        assert abs(got / expected - 1) <= 0.01 + 1e-12, (got, expected)


def test_profile_mode_posts_a_handful_of_rows_not_one_per_prediction(backend):
    register(backend, "pr2").upload_training_profile(MODEL, "pr2", training_frame())
    seen = []

    class Counting(requests.Session):
        def request(self, method, url, *args, **kwargs):
            seen.append((method, url, len(kwargs.get("data") or b"")))
            return super().request(method, url, *args, **kwargs)

    with modelrails.Telemetry(backend["url"], backend["serving"], source="profile-size", mode="profiles", profile_interval=3600,
                              registry=CollectorRegistry(), session=Counting()) as t:
        now = time.time() * 1000
        for e in traffic(20_000, seed=9, now_ms=now):
            t.log_prediction(MODEL, "pr2", e["request_id"], e["features"], score=e["score"], latency_ms=e["latency_ms"],
                             segment=e["segment"], time=now)
        t.flush(60)
    posts = [s for s in seen if s[0] == "POST"]
    # 20,000 predictions in one bucket: all traffic and three platforms, four profiles in one request.
    assert len(posts) == 1 and posts[0][2] < 120_000


def test_training_profile_from_a_data_frame(backend):
    client = register(backend, "tp1")
    frame = training_frame(200_000)
    summary = client.upload_training_profile(MODEL, "tp1", frame, target=("click", (np.arange(200_000) % 4 == 0).astype(int)))
    kinds = {f["feature"]: (f["kind"], f["n"]) for f in summary["features"]}
    # Numbers go as a sample of 100,000 (the backend's limit), categories as counts of every row.
    assert kinds == {"age": ("numeric", 100_000), "basket": ("numeric", 100_000), "country": ("categorical", 200_000),
                     "premium": ("categorical", 200_000), "__target:click": ("categorical", 200_000)}
    layout = get(backend, f"{PATH}/versions/tp1/profile")
    edges = next(f for f in layout["features"] if f["feature"] == "age")["layout"]["edges"]
    # The backend's bins sit at the training data's quantiles.
    for q in (0.1, 0.5, 0.9):
        assert abs(edges[int(q * 1000) - 1] - float(np.quantile(frame["age"], q))) < 0.5
    with pytest.raises(modelrails.Rejected) as twice:
        client.upload_training_profile(MODEL, "tp1", frame)
    assert twice.value.status == 409


def test_register_version_from_an_mlflow_run(backend, tmp_path):
    import mlflow
    import mlflow.data
    import mlflow.sklearn
    from sklearn.linear_model import LogisticRegression

    tracking = backend["mlflow"]
    mlflow.set_tracking_uri(tracking)
    mlflow.set_experiment("python-client-test")
    frame = training_frame(500)
    model = LogisticRegression(max_iter=200).fit(frame[["age", "basket"]], frame["premium"])
    with mlflow.start_run() as run:
        mlflow.log_params({"C": "1.0", "max_iter": "200", "solver": "lbfgs", "warm_start": "False"})
        mlflow.log_metrics({"auc": 0.71, "logloss": 0.52})
        mlflow.log_input(mlflow.data.from_pandas(frame, name="Clickstream events"), context="training")
        mlflow.log_input(mlflow.data.from_pandas(frame.head(50), name="holdout"), context="evaluation")
        mlflow.set_tag("mlflow.source.git.commit", "3f2c1a9e0b7d")
        mlflow.sklearn.log_model(model, name="model")
    client = modelrails.Client(backend["url"], backend["ci"])
    version = client.register_version(MODEL, "mlf1", run_id=run.info.run_id, tracking_uri=tracking)

    stored = get(backend, f"{PATH}/versions/mlf1")
    assert stored == {**stored, "version": "mlf1", "codeCommit": "3f2c1a9e0b7d"}
    assert stored["metrics"] == {"auc": 0.71, "logloss": 0.52}
    assert stored["hyperparameters"] == {"C": 1.0, "max_iter": 200, "solver": "lbfgs", "warm_start": False}
    assert stored["training"]["run"]["id"] == run.info.run_id
    assert stored["training"]["run"]["url"] == f"{tracking}/#/experiments/{run.info.experiment_id}/runs/{run.info.run_id}"
    mlflow_run = mlflow.MlflowClient(tracking).get_run(run.info.run_id)
    training_input = next(i.dataset for i in mlflow_run.inputs.dataset_inputs if i.dataset.name == "Clickstream events")
    recorded = stored["training"]["datasets"][0]
    assert {k: recorded[k] for k in ("ref", "version", "digest")} == {
        "ref": "resource:default/clickstream-events", "version": training_input.digest, "digest": f"mlflow:{training_input.digest}"}
    assert len(stored["training"]["datasets"]) == 1  # the evaluation input is not training data
    # The artifact: the run's logged model, bound to the digest of its files as MLflow serves them.
    model_id = mlflow_run.outputs.model_outputs[0].model_id
    assert stored["artifact"]["uri"] == f"models:/{model_id}"
    local = mlflow.artifacts.download_artifacts(artifact_uri=f"models:/{model_id}", dst_path=str(tmp_path))
    lines = "".join(f"{p.relative_to(local).as_posix()}\0{hashlib.sha256(p.read_bytes()).hexdigest()}\n"
                    for p in sorted(Path(local).rglob("*")) if p.is_file())
    assert stored["artifact"]["digest"] == f"sha256:{hashlib.sha256(lines.encode()).hexdigest()}"
    assert version["version"] == "mlf1"
    with pytest.raises(modelrails.Rejected) as again:
        client.register_version(MODEL, "mlf1", run_id=run.info.run_id, tracking_uri=tracking)
    assert again.value.status == 409


# --- the client refuses exactly what the backend refuses --------------------------------------------

_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)
_values = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True, width=64),
                    _text, st.text(min_size=250, max_size=260), st.lists(st.integers(), max_size=2))
_keys = st.one_of(st.sampled_from(["age", "country", "__score", "x" * 129, "", "basket"]), _text)
_events = st.fixed_dictionaries({
    "model": st.sampled_from([MODEL, "python-client-test", "default/python-client-test", "component:default/x", "", "a:b:c"]),
    "version": st.one_of(st.sampled_from(["1", "v2", "", "x" * 129, "a\x00b"]), _text),
    "request_id": st.one_of(st.sampled_from(["r1", "", "y" * 128, "y" * 129]), _text),
    "features": st.one_of(st.none(), st.dictionaries(_keys, _values, max_size=4)),
    "score": st.one_of(st.none(), st.floats(width=64), st.just(True), st.just("0.3")),
    "latency_ms": st.one_of(st.none(), st.floats(width=64), st.just(-1.0), st.just(12)),
    "error": st.one_of(st.none(), st.booleans(), st.just(1)),
    "segment": st.one_of(st.none(), st.dictionaries(st.one_of(st.sampled_from(["platform", "9x", "a" * 65]), _text),
                                                    st.one_of(st.sampled_from(["ios", "", "z" * 65]), st.integers()), max_size=3)),
    "minutes_ahead": st.one_of(st.just(0.0), st.floats(-60, 4.5), st.floats(5.5, 60)),
    "input_tokens": st.one_of(st.none(), st.integers(-3, 2**60), st.floats(width=64), st.just(True), st.just("12")),
    "output_tokens": st.one_of(st.none(), st.integers(-3, 10**6), st.sampled_from([3.0, 2.5, -0.0])),
    "first_token_ms": st.one_of(st.none(), st.floats(width=64), st.just(-1.0), st.just(5), st.floats(0, 20)),
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(_events)
def test_the_client_refuses_exactly_what_the_backend_refuses(backend, generated):
    now = time.time() * 1000
    at = now + generated["minutes_ahead"] * 60_000
    try:
        llm = (generated["input_tokens"], generated["output_tokens"], generated["first_token_ms"])
        event = _validate.prediction(generated["model"], generated["version"], generated["request_id"], generated["features"],
                                     generated["score"], generated["latency_ms"], generated["error"], generated["segment"], None, at,
                                     llm=None if llm == (None, None, None) else llm)
        client_refusal = None
    except InvalidEvent as refused:
        client_refusal = refused.field
        # What the backend is sent when the client does not check: the event as given.
        event = {"model": generated["model"], "version": generated["version"], "requestId": generated["request_id"],
                 "time": at, "features": generated["features"], "score": generated["score"], "latencyMs": generated["latency_ms"],
                 "error": generated["error"], "segment": generated["segment"], "inputTokens": generated["input_tokens"],
                 "outputTokens": generated["output_tokens"], "timeToFirstTokenMs": generated["first_token_ms"]}
        event = {k: v for k, v in event.items() if v is not None}
    event["sequence"] = random.randrange(1, 2**52)
    body = json.dumps({"batchId": uuid.uuid4().hex, "source": "hypothesis", "events": [event]}, allow_nan=True)
    response = requests.post(f"{backend['url']}/telemetry/predictions", data=body,
                             headers={"Authorization": f"Bearer {backend['serving']}", "Content-Type": "application/json"}, timeout=30)
    assert response.status_code in (200, 400), response.text
    if client_refusal is None:
        assert response.status_code == 200, (event, response.text)
    else:
        assert response.status_code == 400, (client_refusal, event)
        message = response.json()["error"]["message"]
        # Both name the same field (the backend's JSON parser names none for NaN and Infinity).
        if message.startswith("events[0]."):
            assert message.split(":", 1)[0] == f"events[0].{client_refusal}", (message, client_refusal)


# --- SIGKILL mid-stream ------------------------------------------------------------------------------

def _sender(backend, spool, count, *, start=0):
    return subprocess.Popen(
        [sys.executable, str(HERE / "sender_process.py"), backend["url"], backend["serving"], "sigkill-pod", spool, MODEL, "k1",
         str(start), str(count)], stdout=subprocess.PIPE, text=True)


def test_sigkill_mid_stream_loses_no_acknowledged_event_and_duplicates_none(backend):
    spool = tempfile.mkdtemp(prefix="modelrails-spool-")
    first = _sender(backend, spool, 1_000_000)
    acknowledged = 0
    for line in first.stdout:
        if line.startswith("acknowledged "):
            acknowledged = int(line.split()[1])
            if acknowledged >= 3000:
                break
    first.send_signal(signal.SIGKILL)
    first.wait()
    # The restarted process sends what the spool holds, then a few new events, and exits normally.
    second = _sender(backend, spool, 500, start=10_000_000)
    out, _ = second.communicate(timeout=120)
    assert second.returncode == 0, out
    assert "acknowledged 500" in out

    database = glob.glob(os.path.join(backend["sqlite"], "*mlops*.sqlite"))
    assert database, os.listdir(backend["sqlite"])
    with sqlite3.connect(f"file:{database[0]}?mode=ro", uri=True) as db:
        rows = db.execute("select request_id, count(*) from mlops_prediction_events "
                          "where source = 'sigkill-pod' group by request_id").fetchall()
    counts = dict(rows)
    assert [r for r, n in counts.items() if n > 1] == []  # nothing twice
    first_run = sorted(int(r[1:]) for r in counts if int(r[1:]) < 10_000_000)
    # Every event acknowledged before the kill is there; the first run's events form one prefix
    # (nothing lost in between: what was batched came back from the spool).
    assert first_run[: acknowledged] == list(range(acknowledged))
    assert first_run == list(range(len(first_run)))
    assert sum(1 for r in counts if int(r[1:]) >= 10_000_000) == 500


def test_performance_estimated_before_labels_agrees_with_scikit_learn(backend):
    """Scores and held-out labels go up with the profile; the backend's CBPE estimate of a later
    window is what scikit-learn computes from the same isotonic calibration (soft-label AUC)."""
    from sklearn.isotonic import IsotonicRegression
    from sklearn.metrics import roc_auc_score

    client = register(backend, "cb1")
    rng = np.random.default_rng(5)
    x = rng.normal(0, 1, 20_000)
    labels = (rng.random(x.size) < 1 / (1 + np.exp(1.5 - 1.5 * x))).astype(int)
    scores = 1 / (1 + np.exp(-0.7 * x))  # ranks like the truth, but not calibrated
    client.upload_training_profile(MODEL, "cb1", pd.DataFrame({"age": 40 + 12 * x}), score=scores, target=("click", labels))

    # A window of shifted traffic, one hour back so one window holds it all.
    hour = (int(time.time() * 1000) // 3_600_000 - 1) * 3_600_000
    served = 1 / (1 + np.exp(-0.7 * rng.normal(0.8, 0.6, 3000)))
    with modelrails.Telemetry(backend["url"], backend["serving"], source="cbpe-test", registry=CollectorRegistry()) as t:
        for i, s in enumerate(served):
            t.log_prediction(MODEL, "cb1", f"cb1-{i}", {"age": 40.0}, score=float(s), time=hour + i * 1000)
        t.flush(60)

    report = get(backend, f"{PATH}/evaluation", step="1h", days="3")
    window = next(d for d in report["days"] if d["start"].startswith(time.strftime("%Y-%m-%dT%H", time.gmtime(hour / 1000))))
    estimated = window["estimated"]
    assert "cb1" in estimated["versions"] and estimated["n"] == 3000

    p = IsotonicRegression(out_of_bounds="clip").fit(scores, labels).predict(served)
    expected_auc = roc_auc_score(np.r_[np.ones(served.size), np.zeros(served.size)], np.r_[served, served], sample_weight=np.r_[p, 1 - p])
    above = served >= report["threshold"]
    assert estimated["auc"]["value"] == pytest.approx(expected_auc, rel=1e-9)
    assert estimated["precision"]["value"] == pytest.approx(p[above].sum() / above.sum(), rel=1e-9)
    assert estimated["recall"]["value"] == pytest.approx(p[above].sum() / p.sum(), rel=1e-9)
    assert estimated["auc"]["lower"] < expected_auc < estimated["auc"]["upper"]
