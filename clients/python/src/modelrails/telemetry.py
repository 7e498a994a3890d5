"""Telemetry from serving: predictions and outcomes to ModelRails, off the serving thread.

``log_prediction`` and ``log_outcome`` put a tuple on a bounded queue and return; a background thread
checks each event against the backend's rules, numbers it for this sender, batches, sends with the
backend's retry contract, and counts what became of every event. In ``mode="profiles"`` the thread
keeps mergeable summaries per model, version, segment and 5-minute bucket instead of sending events,
and posts them every ``profile_interval`` seconds: O(features) per process per interval, whatever the
traffic.
"""

from __future__ import annotations

import atexit
import logging
import os
import re
import socket
import threading
import time as _time
import weakref
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any, Callable, Deque, Dict, List, Mapping, Optional, Set, Tuple

import requests
from prometheus_client import REGISTRY
from prometheus_client.registry import CollectorRegistry

from . import _binning, _metrics, _validate
from ._http import Transport
from ._spool import Spool
from .errors import InvalidEvent, ModelRailsError, Rejected

log = logging.getLogger("modelrails")

_PREDICTION = 0
_OUTCOME = 1
_CHECKED_PREDICTION = 2
_CHECKED_OUTCOME = 3
_FLUSH = 4

_KIND = {"predictions": "prediction", "outcomes": "outcome", "profiles": "prediction"}
_LIST = {"predictions": "events", "outcomes": "outcomes", "profiles": "profiles"}
_INDEXED = re.compile(r"^(?:events|outcomes|profiles)\[(\d+)\]")
# Largest safe integer in JSON (2^53 - 1): the backend refuses sequences past it.
_MAX_SEQUENCE = 9_007_199_254_740_991


class UnknownModel(InvalidEvent):
    """The backend said the catalog holds no such Model (raised at the call site in strict mode)."""


@dataclass(frozen=True)
class TelemetryStats:
    """What became of the events handed to a sender so far.

    ``events[(kind, result)]``, kind ``prediction`` or ``outcome``; results: ``accepted`` (committed),
    ``duplicate`` (committed before under the same sequence), ``redelivered`` (the whole batch was
    committed before), ``expired`` (older than the backend's retention), and drops: ``queue_full``,
    ``invalid`` (refused by the client's checks), ``rejected`` (refused by the backend),
    ``unknown_model``, ``unauthorized``, ``not_sent`` (shutdown deadline passed; kept in the spool when
    there is one), ``closed`` (logged after close()).
    """

    queued: int
    events: Dict[Tuple[str, str], int] = field(default_factory=dict)
    batches: Dict[Tuple[str, str], int] = field(default_factory=dict)
    retries: int = 0

    def count(self, result: str, kind: Optional[str] = None) -> int:
        return sum(n for (k, r), n in self.events.items() if r == result and (kind is None or k == kind))

    @property
    def dropped(self) -> int:
        return sum(n for (_, r), n in self.events.items()
                   if r not in ("accepted", "duplicate", "redelivered", "expired"))


def default_source() -> str:
    """Host name and process id: unique among live senders, and new after a restart."""
    return f"{socket.gethostname()[:100]}-{os.getpid()}"


def _model_path(model_ref: str) -> str:
    namespace, name = model_ref.split(":", 1)[1].split("/", 1)
    return f"/models/{namespace}/{name}"


class _VersionProfiles:
    """One version's summaries in the making, binned with its telemetry layout.

    Checked events wait in a short list per bucket and are binned a chunk at a time (NumPy), then
    merged into the bucket's running summaries: memory stays O(chunk + features × bins).
    """

    CHUNK = 4096

    def __init__(self, layout: Mapping[str, Any], fetched_at: float) -> None:
        self.layout_version = layout.get("layoutVersion")
        self.specs: List[_binning.FeatureSpec] = [
            (f["name"], _binning.NumericLayout.from_json(f["layout"]) if f["kind"] == "numeric" else None)
            for f in layout.get("features", [])
        ]
        self.segments: List[str] = list(layout.get("segments", []))
        self.fetched_at = fetched_at
        self.buckets: Dict[int, Dict[str, _binning.Group]] = {}
        self.pending: Dict[int, List[Dict[str, Any]]] = {}
        self.events = 0

    def add(self, event: Dict[str, Any]) -> None:
        bucket = _binning.bucket_of(event["time"])
        waiting = self.pending.get(bucket)
        if waiting is None:
            waiting = self.pending[bucket] = []
        waiting.append(event)
        self.events += 1
        if len(waiting) >= self.CHUNK:
            self._bin(bucket)

    def _bin(self, bucket: int) -> None:
        events = self.pending.pop(bucket, None)
        if not events:
            return
        fresh = _binning.summarize(events, self.specs, self.segments)
        groups = self.buckets.get(bucket)
        if groups is None:
            self.buckets[bucket] = fresh
            return
        for key, group in fresh.items():
            if key in groups:
                groups[key].merge(group)
            else:
                groups[key] = group

    def take(self, model: str, version: str) -> List[Dict[str, Any]]:
        """The profiles to post (without sequence numbers), emptying the summaries."""
        for bucket in list(self.pending):
            self._bin(bucket)
        profiles = []
        for bucket, groups in sorted(self.buckets.items()):
            for key, group in groups.items():
                segment = {} if key == _binning.ALL_TRAFFIC else dict([key.split("=", 1)])
                profiles.append({"model": model, "version": version, "bucketStart": bucket, "segment": segment,
                                 **group.encode(self.specs)})
        self.buckets = {}
        self.events = 0
        return profiles

    def has_data(self) -> bool:
        return bool(self.buckets or self.pending)


class Telemetry:
    """Sends a serving process's predictions and outcomes to ModelRails.

    ``url`` is the plugin's base URL (``http://backstage:7007/api/mlops``), ``token`` a token with
    ``mlops.telemetry.ingest`` (the serving fleet's). ``source`` names this sender; two live processes
    must not share one (default: host name and process id). Events are numbered per sender from the
    clock in microseconds, so a restarted process never reuses a sequence.

    ``strict=True`` (development) checks each event on the calling thread and raises InvalidEvent, or
    UnknownModel once the backend said the Model does not exist. By default (production) nothing is ever
    raised or blocked on the serving path: such events are dropped and counted (``stats()``, and the
    ``modelrails_client_*`` Prometheus metrics), and each kind of refusal is logged once.

    ``spool_dir``: batches are written there before they are sent and removed once committed, so a
    process killed mid-send sends them again after a restart (same batch ids: never counted twice).
    """

    def __init__(self, url: str, token: Optional[str], source: Optional[str] = None, *, mode: str = "events",
                 batch_size: int = 1000, max_batch_age: float = 1.0, max_queue: int = 100_000, strict: bool = False,
                 spool_dir: Optional[str] = None, profile_interval: float = 60.0, layout_refresh: float = 600.0,
                 timeout: float = 10.0, flush_timeout: float = 10.0, registry: Optional[CollectorRegistry] = REGISTRY,
                 session: Optional[requests.Session] = None, transport: Optional[Transport] = None,
                 clock: Callable[[], float] = _time.time) -> None:
        if mode not in ("events", "profiles"):
            raise ValueError('mode must be "events" or "profiles"')
        self.source = _validate.ident(source or default_source(), "source")
        self.mode = mode
        self.batch_size = max(1, min(batch_size, _validate.EVENTS_PER_BATCH))
        self.max_batch_age = max_batch_age
        self.max_queue = max_queue
        self.strict = strict
        self.profile_interval = profile_interval
        self.layout_refresh = layout_refresh
        self.flush_timeout = flush_timeout
        self._clock = clock
        self._transport = transport or Transport(url, token, timeout=timeout, session=session)
        self._queue: Deque[Tuple[Any, ...]] = deque()
        self._wake = threading.Event()
        self._interrupt = threading.Event()
        self._closing = False
        self._closed = False
        self._deadline: Optional[float] = None
        self._counts_lock = threading.Lock()
        self._events: Counter[Tuple[str, str]] = Counter()
        self._batches: Counter[Tuple[str, str]] = Counter()
        self._retries = 0
        self._unknown_models: Set[str] = set()
        self._warned: Set[str] = set()
        # A run starts at the clock in microseconds: past any sequence an earlier run of this source
        # used, since no sender numbers a million events a second. With a spool, the highest sequence
        # ever used is kept there too, which also covers a clock set back.
        start = _time.time_ns() // 1000
        self._sequences = {"predictions": start, "outcomes": start, "profiles": start}
        self._unsent: List[Tuple[str, Dict[str, Any]]] = []
        self._versions: Dict[Tuple[str, str], _VersionProfiles] = {}
        self._waiting_for_layout: Dict[Tuple[str, str], List[Dict[str, Any]]] = {}
        self._layout_refused = False
        self._last_post = _time.monotonic()
        self._spool = Spool(spool_dir) if spool_dir else None
        if self._spool:
            for stream, used in self._spool.last_sequences().items():
                if stream in self._sequences:
                    self._sequences[stream] = max(self._sequences[stream], used)
        if registry is not None:
            _metrics.register(self, registry)
        self._thread = threading.Thread(target=self._run, name=f"modelrails-telemetry-{self.source}", daemon=True)
        self._thread.start()
        # Flushed at interpreter exit, without keeping the sender alive for that.
        ref = weakref.ref(self)
        atexit.register(lambda: (lambda t: t.close() if t is not None else None)(ref()))

    # --- the serving path ---------------------------------------------------------------------------

    def log_prediction(self, model: str, version: str, request_id: str, features: Optional[Mapping[str, Any]] = None,
                       score: Optional[float] = None, latency_ms: Optional[float] = None, error: Optional[bool] = None,
                       segment: Optional[Mapping[str, str]] = None, *, query_id: Optional[str] = None,
                       time: _validate.Time = None, input_tokens: Optional[int] = None,
                       output_tokens: Optional[int] = None, time_to_first_token_ms: Optional[float] = None) -> None:
        """Records one prediction; returns at once. ``time``: a datetime or epoch milliseconds (default: now).

        For LLM serving, ``input_tokens`` / ``output_tokens`` (OpenTelemetry's gen_ai.usage.*) and
        ``time_to_first_token_ms`` of a streamed answer; ``latency_ms`` is then until its last token.
        """
        llm = None
        if input_tokens is not None or output_tokens is not None or time_to_first_token_ms is not None:
            llm = (input_tokens, output_tokens, time_to_first_token_ms)
        if self.strict:
            event = _validate.prediction(model, version, request_id, features, score, latency_ms, error, segment,
                                         query_id, time, llm=llm)
            if event["model"] in self._unknown_models:
                raise UnknownModel("model", f"no Model entity {event['model']} in the catalog (the backend said so)")
            self._put((_CHECKED_PREDICTION, event), "prediction")
            return
        try:
            self._put((_PREDICTION, model, version, request_id, dict(features) if features else None, score,
                       latency_ms, error, segment, query_id, self._clock() * 1000 if time is None else time, None, llm),
                      "prediction")
        except Exception:  # never into the serving code path
            self._count("prediction", "invalid")

    def log_outcome(self, request_id: str, outcome: str = "click", value: Optional[float] = None, *,
                    time: _validate.Time = None) -> None:
        """Records an outcome (a delayed label) of an earlier prediction, joined by request id."""
        if self.strict:
            self._put((_CHECKED_OUTCOME, _validate.outcome(request_id, outcome, value, time)), "outcome")
            return
        try:
            self._put((_OUTCOME, request_id, outcome, value, self._clock() * 1000 if time is None else time), "outcome")
        except Exception:
            self._count("outcome", "invalid")

    def _put(self, item: Tuple[Any, ...], kind: str) -> None:
        queue = self._queue
        if self._closed:
            self._count(kind, "closed")
        elif len(queue) >= self.max_queue:
            self._count(kind, "queue_full")
        else:
            queue.append(item)
            if len(queue) >= self.batch_size:
                self._wake.set()

    # --- control ------------------------------------------------------------------------------------

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Waits until every event logged before the call is committed or dropped (profiles posted too)."""
        if self._closed or self._closing:
            return not self._thread.is_alive()
        done = threading.Event()
        self._queue.append((_FLUSH, done))
        self._wake.set()
        return done.wait(self.flush_timeout if timeout is None else timeout)

    def close(self, timeout: Optional[float] = None) -> None:
        """Sends what is queued (for up to ``timeout`` seconds, default flush_timeout) and stops the sender."""
        if self._closed:
            return
        self._deadline = _time.monotonic() + (self.flush_timeout if timeout is None else timeout)
        self._closing = True
        self._interrupt.set()
        self._wake.set()
        self._thread.join(max(0.0, self._deadline - _time.monotonic()) + 1.0)
        self._closed = True
        if self._spool:
            self._spool.close()

    def __enter__(self) -> Telemetry:
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()

    def stats(self) -> TelemetryStats:
        with self._counts_lock:
            return TelemetryStats(queued=len(self._queue), events=dict(self._events), batches=dict(self._batches),
                                  retries=self._retries)

    # --- counting and warnings ----------------------------------------------------------------------

    def _count(self, kind: str, result: str, n: int = 1) -> None:
        if n:
            with self._counts_lock:
                self._events[(kind, result)] += n

    def _count_batch(self, kind: str, result: str) -> None:
        with self._counts_lock:
            self._batches[(kind, result)] += 1

    def _on_retry(self, reason: str) -> None:
        with self._counts_lock:
            self._retries += 1
        self._warn_once(f"retry:{reason.split(':')[0]}", f"ModelRails did not commit a batch, retrying: {reason}")

    def _warn_once(self, key: str, message: str) -> None:
        # Once per kind of problem (per field the backend names, not per event): logs stay readable.
        if key not in self._warned and len(self._warned) < 1000:
            self._warned.add(key)
            log.warning("%s", message)

    def _next_sequence(self, stream: str) -> int:
        # Consecutive within a process and stream, so the backend keeps one idempotency range per
        # sender run (it stores runs of consecutive sequences, not one key per event).
        sequence = self._sequences[stream] = self._sequences[stream] + 1
        if sequence > _MAX_SEQUENCE:  # the year 2255
            raise OverflowError("sequence past 2^53")
        return sequence

    # --- the sender thread --------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            self._resend_spooled()
        except Exception as error:
            log.exception("ModelRails telemetry: could not read the spool: %s", error)
        while True:
            closing = self._closing
            try:
                self._drain()
                if self.mode == "profiles" and (closing or _time.monotonic() - self._last_post >= self.profile_interval):
                    self._post_profiles()
            except Exception as error:  # the sender must outlive any bug
                self._warn_once(f"bug:{type(error).__name__}", f"ModelRails telemetry sender: {error!r}")
                log.debug("sender error", exc_info=True)
            if closing:
                self._finish()
                return
            wait = self.max_batch_age
            if self.mode == "profiles":
                wait = min(wait, max(0.05, self.profile_interval - (_time.monotonic() - self._last_post)))
            self._wake.wait(wait)
            self._wake.clear()

    def _finish(self) -> None:
        """At close: whatever could not be sent in time is counted (and stays in the spool, if any)."""
        for kind, body in self._unsent:
            self._count(_KIND[kind], "not_sent", self._events_in(kind, body))
        self._unsent = []
        for waiting in self._waiting_for_layout.values():
            self._count("prediction", "not_sent", len(waiting))
        self._waiting_for_layout = {}
        while self._queue:
            item = self._queue.popleft()
            if item[0] == _FLUSH:
                item[1].set()
            else:
                self._count("outcome" if item[0] in (_OUTCOME, _CHECKED_OUTCOME) else "prediction", "not_sent")

    def _resend_spooled(self) -> None:
        if not self._spool:
            return
        for kind, body in self._spool.pending():
            if kind in _LIST:
                # The batch keeps its id and sequences: if it was committed before the crash, the
                # backend answers "redelivered" and nothing is counted twice.
                self._deliver(kind, body)

    def _drain(self) -> None:
        # Batches an interrupted delivery left behind go first.
        unsent, self._unsent = self._unsent, []
        for kind, body in unsent:
            self._deliver(kind, body)
        queue = self._queue
        while queue:
            predictions: List[Dict[str, Any]] = []
            outcomes: List[Dict[str, Any]] = []
            flushes: List[threading.Event] = []
            taken = 0
            while queue and len(predictions) + len(outcomes) < self.batch_size:
                taken += 1
                if taken % 64 == 0:
                    # Let serving threads run: without this they wait for the GIL's 5 ms switch interval.
                    _time.sleep(0)
                item = queue.popleft()
                tag = item[0]
                if tag == _FLUSH:
                    flushes.append(item[1])
                    break
                try:
                    if tag == _PREDICTION:
                        event = _validate.prediction(*item[1:])
                    elif tag == _OUTCOME:
                        event = _validate.outcome(*item[1:])
                    else:
                        event = item[1]
                except InvalidEvent as error:
                    kind = "outcome" if tag == _OUTCOME else "prediction"
                    self._count(kind, "invalid")
                    self._warn_once(f"invalid:{kind}:{error.field}",
                                    f"ModelRails telemetry: dropping {kind}s with an invalid {error} (counted as invalid)")
                    continue
                if tag in (_PREDICTION, _CHECKED_PREDICTION):
                    if event["model"] in self._unknown_models:
                        self._count("prediction", "unknown_model")
                        continue
                    if self.mode == "profiles":
                        self._profile(event)
                    else:
                        event["sequence"] = self._next_sequence("predictions")
                        predictions.append(event)
                else:
                    event["sequence"] = self._next_sequence("outcomes")
                    outcomes.append(event)
            if predictions:
                self._send("predictions", predictions)
            if outcomes:
                self._send("outcomes", outcomes)
            if flushes:
                if self.mode == "profiles":
                    self._post_profiles()
                for done in flushes:
                    done.set()

    def _send(self, kind: str, items: List[Dict[str, Any]]) -> None:
        body = {"batchId": f"{self.source}-{kind[0]}{items[0]['sequence']}", "source": self.source, _LIST[kind]: items}
        if self._spool:
            self._spool.save(kind, body, last_sequences=self._sequences)
        self._deliver(kind, body)

    @staticmethod
    def _events_in(kind: str, body: Mapping[str, Any]) -> int:
        items = body[_LIST[kind]]
        if kind == "profiles":
            return sum(p.get("events", 0) for p in items if not p.get("segment"))
        return len(items)

    def _deliver(self, kind: str, body: Dict[str, Any]) -> None:
        """Sends one batch until committed, dropping what the backend refuses and sending the rest."""
        list_key = _LIST[kind]
        event_kind = _KIND[kind]
        while body[list_key]:
            try:
                result = self._transport.call(
                    "POST", f"/telemetry/{kind}", body, deadline=self._deadline,
                    stop=None if self._closing else self._interrupt, on_retry=self._on_retry)
            except Rejected as rejected:
                if not self._handle_rejection(kind, body, rejected):
                    break
                if self._spool and body[list_key]:
                    self._spool.save(kind, body)
                continue
            except ModelRailsError:
                # close() cut a retry's wait short: try again until its deadline.
                if self._closing and self._deadline is not None and _time.monotonic() < self._deadline:
                    continue
                # Past the deadline: counted as not sent at the end (and left in the spool, if any).
                self._unsent.append((kind, body))
                return
            n = self._events_in(kind, body)
            if result.get("redelivered"):
                self._count(event_kind, "redelivered", n)
                self._count_batch(kind, "redelivered")
            elif kind == "profiles":
                self._count(event_kind, "accepted" if not result.get("duplicates") else "duplicate", n)
                self._count_batch(kind, "committed")
            else:
                self._count(event_kind, "duplicate", int(result.get("duplicates", 0)))
                self._count(event_kind, "expired", int(result.get("dropped", 0)))
                self._count(event_kind, "accepted", int(result.get("accepted", 0)))
                self._count_batch(kind, "committed")
            break
        if self._spool:
            self._spool.remove(kind, body["batchId"])

    def _handle_rejection(self, kind: str, body: Dict[str, Any], rejected: Rejected) -> bool:
        """Drops what the backend refused from the batch; True when the rest should be sent again."""
        list_key = _LIST[kind]
        items: List[Dict[str, Any]] = body[list_key]
        event_kind = _KIND[kind]
        self._count_batch(kind, "rejected")
        if rejected.status == 413 and len(items) > 1:
            # Too large: the halves go separately, each under a batch id of its own.
            half = len(items) // 2
            for suffix, part in (("a", items[:half]), ("b", items[half:])):
                part_body = {**body, "batchId": f"{body['batchId']}{suffix}", list_key: part}
                if self._spool:
                    self._spool.save(kind, part_body)
                self._deliver(kind, part_body)
            body[list_key] = []
            return False
        if rejected.status in (401, 403):
            self._count(event_kind, "unauthorized", self._events_in(kind, body))
            self._warn_once(f"auth:{rejected.status}", f"ModelRails refused the token ({rejected}); "
                            "telemetry needs a token with mlops.telemetry.ingest. Events are dropped and counted.")
            body[list_key] = []
            return False
        match = _INDEXED.match(rejected.message) if rejected.status == 400 else None
        if match is None or int(match.group(1)) >= len(items):
            self._count(event_kind, "rejected", self._events_in(kind, body))
            self._warn_once(f"rejected:{kind}:{rejected.status}:{rejected.message[:80]}",
                            f"ModelRails refused a {kind} batch: {rejected}")
            body[list_key] = []
            return False
        index = int(match.group(1))
        bad = items[index]
        if "no Model entity" in rejected.message and "model" in bad:
            # The catalog has no such Model: its events go nowhere, now and until restart.
            model = bad["model"]
            self._unknown_models.add(model)
            keep = [e for e in items if e.get("model") != model]
            gone = {**body, list_key: [e for e in items if e.get("model") == model]}
            self._count(event_kind, "unknown_model", self._events_in(kind, gone))
            self._warn_once(f"unknown:{model}", f"ModelRails has no Model entity {model}: its telemetry is dropped "
                            "and counted as unknown_model (register the Model in the catalog).")
        else:
            keep = items[:index] + items[index + 1:]
            self._count(event_kind, "rejected", self._events_in(kind, {list_key: [bad]}) if kind == "profiles" else 1)
            field_pattern = re.sub(r"\[\d+\]", "[]", rejected.message.split(":", 1)[0])
            self._warn_once(f"field:{kind}:{field_pattern}", f"ModelRails refused a {kind[:-1]}: {rejected.message} "
                            "(logged once per field; the rest of the batch was sent)")
        body[list_key] = keep
        return True

    # --- profiles mode ------------------------------------------------------------------------------

    def _layout(self, model: str, version: str) -> Optional[_VersionProfiles]:
        key = (model, version)
        current = self._versions.get(key)
        now = _time.monotonic()
        if current is not None and now - current.fetched_at < self.layout_refresh:
            return current
        try:
            layout = self._transport.call("GET", f"{_model_path(model)}/versions/{version}/telemetry-layout",
                                          deadline=now + 2 * self._transport.timeout, stop=self._interrupt)
        except Rejected as rejected:
            if rejected.status == 404:
                self._unknown_models.add(model)
                self._warn_once(f"unknown:{model}", f"ModelRails has no Model entity {model}: its telemetry is "
                                "dropped and counted as unknown_model (register the Model in the catalog).")
            elif rejected.status in (401, 403):
                self._layout_refused = True
                self._warn_once(f"auth:{rejected.status}", f"ModelRails refused the token ({rejected}); profiles need a "
                                "token with mlops.telemetry.ingest. Events are dropped and counted.")
            else:
                self._warn_once(f"layout:{rejected.status}", f"ModelRails refused the telemetry layout: {rejected}")
            return current
        except ModelRailsError:
            return current
        fresh = _VersionProfiles(layout, now)
        if current is None:
            self._versions[key] = fresh
            return fresh
        same = (fresh.layout_version == current.layout_version and fresh.segments == current.segments
                and [(n, la.edges if la else None) for n, la in fresh.specs]
                == [(n, la.edges if la else None) for n, la in current.specs])
        if same:
            current.fetched_at = now
            return current
        # New bins (a training profile arrived): what was summarised with the old ones goes first.
        self._post_profiles()
        self._versions[key] = fresh
        return fresh

    def _profile(self, event: Dict[str, Any]) -> None:
        model, version = event["model"], event["version"]
        profiles = self._layout(model, version)
        if profiles is None:
            if model in self._unknown_models:
                self._count("prediction", "unknown_model")
                return
            if self._layout_refused:
                self._count("prediction", "unauthorized")
                return
            # No layout yet (the backend is unreachable): kept raw, within the queue's bound, until it is.
            waiting = self._waiting_for_layout.setdefault((model, version), [])
            if sum(len(w) for w in self._waiting_for_layout.values()) >= self.max_queue:
                self._count("prediction", "queue_full")
            else:
                waiting.append(event)
            return
        for earlier in self._waiting_for_layout.pop((model, version), []):
            profiles.add(earlier)
        profiles.add(event)

    def _post_profiles(self) -> None:
        self._last_post = _time.monotonic()
        for key in list(self._waiting_for_layout):
            profiles = self._layout(*key)
            if profiles is not None:
                for event in self._waiting_for_layout.pop(key):
                    profiles.add(event)
        batch: List[Dict[str, Any]] = []
        for (model, version), profiles in self._versions.items():
            if not profiles.has_data():
                continue
            for profile in profiles.take(model, version):
                profile["sequence"] = self._next_sequence("profiles")
                batch.append(profile)
                if len(batch) >= 1000:
                    self._send("profiles", batch)
                    batch = []
        if batch:
            self._send("profiles", batch)
