"""Search traffic for the running service, for the demo: half of the upstream's pods run a release that
suggests longer queries and sends countries as ISO 3166 numbers (840 for US); the other half are fine.
Clicked results are reported as outcomes.

    python traffic.py --url http://127.0.0.1:5057 --rate 3
"""

from __future__ import annotations

import argparse
import itertools
import time
import uuid

import requests

from data import NUMERIC_CODES, traffic


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--rate", type=float, default=3.0, help="requests per second")
    args = parser.parse_args()
    http = requests.Session()
    healthy, released = traffic(10_000, seed=11), traffic(10_000, seed=12, query_shift=0.8)
    for i in itertools.count():
        started = time.monotonic()
        new_release = i % 2 == 1
        row = (released if new_release else healthy).iloc[i // 2 % 10_000]
        request_id = uuid.uuid4().hex
        body = {"query_length": float(row.query_length), "item_price": float(row.item_price), "position": int(row.position),
                "user_country": NUMERIC_CODES[row.user_country] if new_release else row.user_country,
                "platform": row.platform, "request_id": request_id}
        try:
            http.post(f"{args.url}/rank", json=body, timeout=10)
            if row.click:
                http.post(f"{args.url}/click", json={"request_id": request_id}, timeout=10)
        except requests.RequestException:
            time.sleep(1)  # the service restarts or stops: try again later
        time.sleep(max(0.0, 1 / args.rate - (time.monotonic() - started)))


if __name__ == "__main__":
    main()
