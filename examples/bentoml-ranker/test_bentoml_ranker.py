"""End to end: train and register the re-ranker (MLflow run, training profile), serve it with BentoML,
send search traffic whose query length drifts and whose country arrives re-encoded as ISO numbers (the
field report's bug), and find both in ModelRails' drift report for that model and version.

Run by npm test (scripts/python/client-tests.mjs), which starts the backend and MLflow.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from data import NUMERIC_CODES, traffic  # noqa: E402

PATH = "/models/default/product-search-reranker"


@pytest.fixture()
def backend():
    url = os.environ.get("MODELRAILS_TEST_URL")
    if not url:
        pytest.skip("needs the backend npm test starts (MODELRAILS_TEST_URL)")
    return {"url": url, "serving": os.environ["MODELRAILS_TEST_SERVING_TOKEN"], "ci": os.environ["MODELRAILS_TEST_CI_TOKEN"],
            "reader": os.environ["MODELRAILS_TEST_READ_TOKEN"], "mlflow": os.environ["MODELRAILS_TEST_MLFLOW_URL"]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read(backend, path, **params):
    response = requests.get(f"{backend['url']}{path}", params=params, headers={"Authorization": f"Bearer {backend['reader']}"},
                            timeout=30)
    response.raise_for_status()
    return response.json()


def test_drift_and_the_re_encoded_country_reach_modelrails(backend, tmp_path):
    env = {**os.environ, "MODELRAILS_URL": backend["url"], "MODELRAILS_CI_TOKEN": backend["ci"],
           "MLFLOW_TRACKING_URI": backend["mlflow"]}
    trained = subprocess.run([sys.executable, "train.py", "--version", "1", "--out", str(tmp_path / "1")], cwd=HERE, env=env,
                             capture_output=True, text=True, timeout=300)
    assert trained.returncode == 0, trained.stderr[-3000:]
    version = read(backend, f"{PATH}/versions/1")
    assert version["metrics"]["auc"] > 0.6
    assert version["training"]["datasets"][0]["ref"] == "resource:default/search-logs"
    assert version["artifact"]["uri"].startswith("models:/")

    port = free_port()
    bentoml = Path(sys.executable).parent / "bentoml"
    serving = subprocess.Popen(
        [str(bentoml), "serve", "service:Ranker", "--host", "127.0.0.1", "--port", str(port)], cwd=HERE,
        env={**env, "RANKER_MODEL": str(tmp_path / "1" / "model.joblib"), "RANKER_VERSION": "1",
             "MODELRAILS_SERVING_TOKEN": backend["serving"], "BENTOML_DO_NOT_TRACK": "true"},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while True:
            assert serving.poll() is None, serving.stderr.read()[-3000:]
            try:
                if requests.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "BentoML did not get ready in 180 s"
            time.sleep(0.5)

        # An upstream release starts suggesting long queries and sends countries as ISO numbers.
        rows = traffic(1500, seed=7, query_shift=0.8)
        http = requests.Session()
        scores = []
        for i, row in enumerate(rows.itertuples()):
            body = {"query_length": row.query_length, "item_price": row.item_price, "position": int(row.position),
                    "user_country": NUMERIC_CODES[row.user_country], "platform": row.platform, "request_id": f"bento-{i}"}
            answer = http.post(f"http://127.0.0.1:{port}/rank", json=body, timeout=10)
            assert answer.status_code == 200, answer.text
            scores.append(answer.json()["score"])
            if row.click:
                assert http.post(f"http://127.0.0.1:{port}/click", json={"request_id": f"bento-{i}"}, timeout=10).status_code == 200
        assert min(scores) > 0 and max(scores) < 1

        # The service's sender ships within a second or two; the report counts every prediction.
        deadline = time.monotonic() + 60
        while (report := read(backend, f"{PATH}/drift", version="1"))["events"] < 1500:
            assert time.monotonic() < deadline, report["events"]
            time.sleep(1)
    finally:
        os.killpg(serving.pid, signal.SIGTERM)
        try:
            serving.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(serving.pid, signal.SIGKILL)

    assert report["events"] == 1500 and report["version"] == "1"
    everywhere = {f["feature"]: f for f in report["features"] if f["segment"] == "*"}
    assert everywhere["query_length"]["flagged"], everywhere["query_length"]
    assert everywhere["query_length"]["severity"] in ("warning", "critical")
    # Prices and positions did not move.
    assert not everywhere["item_price"]["flagged"] and not everywhere["position"]["flagged"]
    violations = [(v["feature"], v["check"], v["open"]) for v in report["violations"] if v["segment"] == "*"]
    assert ("user_country", "type-change", True) in violations
    assert report["status"]["openViolations"] >= 1
