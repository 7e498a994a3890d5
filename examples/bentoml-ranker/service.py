"""A BentoML service serving the re-ranker, instrumented with the ModelRails Python client.

    RANKER_MODEL=build/1/model.joblib RANKER_VERSION=1 MODELRAILS_URL=http://localhost:7007/api/mlops \
    MODELRAILS_SERVING_TOKEN=modelrails-demo-serving-token bentoml serve service:Ranker --port 3005

Every prediction is logged with its features as the request sent them (what serving saw, not what
training expected), its score and latency; the client sends them from a background thread.
"""

from __future__ import annotations

import os
import time
import uuid
from typing import Optional, Union

import bentoml
import joblib
import pandas as pd

import modelrails

from data import FEATURES

MODEL = os.environ.get("RANKER_ENTITY", "model:default/product-search-reranker")


@bentoml.service(traffic={"timeout": 10})
class Ranker:
    def __init__(self) -> None:
        self.pipeline = joblib.load(os.environ["RANKER_MODEL"])
        self.version = os.environ["RANKER_VERSION"]
        # One sender per worker process; events mode unless MODELRAILS_MODE=profiles.
        self.telemetry = modelrails.Telemetry(
            os.environ["MODELRAILS_URL"], os.environ["MODELRAILS_SERVING_TOKEN"],
            mode=os.environ.get("MODELRAILS_MODE", "events"),
            spool_dir=os.environ.get("MODELRAILS_SPOOL"),
        )

    @bentoml.api
    def rank(self, query_length: float, item_price: float, position: int, user_country: Union[str, int],
             platform: str = "web", request_id: Optional[str] = None) -> dict:
        """The click probability of one search result."""
        started = time.perf_counter()
        request_id = request_id or uuid.uuid4().hex
        features = {"query_length": query_length, "item_price": item_price, "position": position,
                    "user_country": user_country}
        # The model reads countries as text; a number is an unknown category to it (one-hot ignores it).
        frame = pd.DataFrame([{**features, "user_country": str(user_country)}])[FEATURES]
        score = float(self.pipeline.predict_proba(frame)[0, 1])
        self.telemetry.log_prediction(MODEL, self.version, request_id, features, score=score,
                                      latency_ms=(time.perf_counter() - started) * 1000, segment={"platform": platform})
        return {"requestId": request_id, "score": score}

    @bentoml.api
    def click(self, request_id: str) -> dict:
        """A click on a ranked result: the outcome that judges the prediction."""
        self.telemetry.log_outcome(request_id, "click")
        return {"ok": True}
