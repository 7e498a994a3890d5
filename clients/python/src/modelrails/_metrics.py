"""The client's own counters as Prometheus metrics (prometheus_client), one series per sender.

A collector reads every live Telemetry's numbers at scrape time, so the serving path only bumps
plain integers, and several senders in one process share the metric names without clashing.
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING, Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

if TYPE_CHECKING:
    from .telemetry import Telemetry


class _TelemetryCollector(Collector):
    def __init__(self) -> None:
        self.senders: weakref.WeakSet[Telemetry] = weakref.WeakSet()

    def collect(self) -> Iterator[Metric]:
        events = CounterMetricFamily(
            "modelrails_client_events", "Events handed to the client, by what became of them.",
            labels=["source", "kind", "result"])
        batches = CounterMetricFamily(
            "modelrails_client_batches", "Batches sent to ModelRails, by the answer.",
            labels=["source", "kind", "result"])
        retries = CounterMetricFamily(
            "modelrails_client_retries", "Attempts that failed and were retried (5xx, 429, network).", labels=["source"])
        queued = GaugeMetricFamily(
            "modelrails_client_queued_events", "Events waiting to be sent.", labels=["source"])
        capacity = GaugeMetricFamily(
            "modelrails_client_queue_capacity_events", "Events the queue holds before dropping.", labels=["source"])
        for sender in list(self.senders):
            stats = sender.stats()
            for (kind, result), n in sorted(stats.events.items()):
                events.add_metric([sender.source, kind, result], n)
            for (kind, result), n in sorted(stats.batches.items()):
                batches.add_metric([sender.source, kind, result], n)
            retries.add_metric([sender.source], stats.retries)
            queued.add_metric([sender.source], stats.queued)
            capacity.add_metric([sender.source], sender.max_queue)
        yield from (events, batches, retries, queued, capacity)


# Per registry object (not its id: a new registry may reuse a collected one's id).
_collectors: weakref.WeakKeyDictionary[CollectorRegistry, _TelemetryCollector] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def register(sender: Telemetry, registry: CollectorRegistry) -> None:
    """Adds the sender to the registry's one collector (made on first use)."""
    with _lock:
        collector = _collectors.get(registry)
        if collector is None:
            collector = _collectors[registry] = _TelemetryCollector()
            registry.register(collector)
        collector.senders.add(sender)
