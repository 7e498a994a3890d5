"""A serving process for the SIGKILL test: logs predictions k<start>, k<start+1>, … through a spooled
Telemetry, and prints "acknowledged N" whenever a flush confirmed that the first N were committed.

    python sender_process.py URL TOKEN SOURCE SPOOL MODEL VERSION START COUNT
"""

import sys
import time

from prometheus_client import CollectorRegistry

import modelrails

url, token, source, spool, model, version, start, count = sys.argv[1:9]
start, count = int(start), int(count)
telemetry = modelrails.Telemetry(url, token, source=source, spool_dir=spool, max_batch_age=0.01, batch_size=200,
                                 registry=CollectorRegistry())
for i in range(count):
    telemetry.log_prediction(model, version, f"k{start + i}", {"x": i % 100}, score=0.5, latency_ms=3)
    if (i + 1) % 250 == 0 or i + 1 == count:
        if not telemetry.flush(60):
            sys.exit(f"flush timed out at {i + 1}")
        stats = telemetry.stats()
        if stats.dropped:
            sys.exit(f"dropped: {stats.events}")
        print(f"acknowledged {i + 1}", flush=True)
    if i % 20 == 0:
        time.sleep(0.001)  # a serving process between requests: batches leave while events keep coming
telemetry.close()
