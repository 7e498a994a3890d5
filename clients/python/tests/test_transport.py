"""The retry contract: 2xx committed; 4xx never retried; 5xx, 429 and network errors retried with the
same body, after Retry-After when given, else after a jittered backoff."""

import json
import random
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modelrails._http import Transport, retry_after_seconds
from modelrails.errors import ModelRailsError, Rejected

from conftest import error


def transport(url, waits):
    t = Transport(url, "token-1", timeout=5, rng=random.Random(1))
    t.pause = lambda seconds, stop: waits.append(seconds) or False
    return t


def test_retries_5xx_and_network_errors_with_the_same_body(scripted):
    waits = []
    scripted.reply(error(503, "database unavailable"), "drop", error(500, "boom"))
    result = transport(scripted.url, waits).call("POST", "/telemetry/predictions", {"batchId": "b1", "events": [{"x": 1}]})
    assert result["accepted"] == 1
    assert len(scripted.requests) == 4
    assert len({r["raw"] for r in scripted.requests}) == 1  # byte for byte the same batch
    assert all(r["headers"]["Authorization"] == "Bearer token-1" for r in scripted.requests)
    # Full jitter: each wait within its doubling cap.
    assert len(waits) == 3 and all(0 <= w <= 0.5 * 2 ** (i + 1) for i, w in enumerate(waits))


def test_honours_retry_after_on_429_and_503(scripted):
    waits = []
    later = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=20), usegmt=True)
    scripted.reply(error(429, "slow down", {"Retry-After": "7"}), error(503, "busy", {"Retry-After": later}))
    transport(scripted.url, waits).call("POST", "/telemetry/outcomes", {"batchId": "b2", "outcomes": []})
    assert waits[0] == 7
    assert 17 <= waits[1] <= 20


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 413])
def test_never_retries_4xx(scripted, status):
    scripted.reply(error(status, "events[3].score: must be a finite number"))
    with pytest.raises(Rejected) as raised:
        transport(scripted.url, []).call("POST", "/telemetry/predictions", {"batchId": "b3", "events": []})
    assert raised.value.status == status
    assert raised.value.field == "events[3].score"
    assert len(scripted.requests) == 1


def test_gives_up_at_the_deadline_without_committing(scripted):
    scripted.default = lambda req: error(503, "down")
    t = Transport(scripted.url, None, timeout=5)
    t.pause = lambda seconds, stop: False
    import time

    with pytest.raises(ModelRailsError) as raised:
        t.call("POST", "/telemetry/predictions", {"batchId": "b4", "events": []}, deadline=time.monotonic() - 1)
    assert not isinstance(raised.value, Rejected)


def test_refuses_non_finite_numbers_before_sending(scripted):
    with pytest.raises(ValueError):
        transport(scripted.url, []).call("POST", "/x", {"v": float("nan")})
    assert scripted.requests == []


@given(st.one_of(st.integers(min_value=0, max_value=10**6).map(str), st.text(max_size=20)))
def test_retry_after_reads_seconds_or_gives_none(value):
    seconds = retry_after_seconds(value)
    if value.strip().isdigit() and value.strip().isascii():
        assert seconds == float(value.strip())
    else:
        assert seconds is None or seconds >= 0


def test_schema_errors_name_their_field():
    rejected = Rejected(400, "Request body validation failed: /body/training/datasets/0/digest must match pattern")
    assert rejected.field == "/body/training/datasets/0/digest"
    assert json.loads(json.dumps({"m": rejected.message}))
