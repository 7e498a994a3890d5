"""HTTP to the ModelRails backend, with its retry contract.

2xx: committed. 4xx: the input is wrong and is never retried (the caller decides what to drop).
5xx, 429 and network errors: retried with the same body, after ``Retry-After`` when the server gives
one, else after a jittered exponential backoff.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Dict, Optional

import requests

from .errors import ModelRailsError, Rejected

USER_AGENT = "modelrails-python/0.1"


def retry_after_seconds(value: Optional[str], now: Optional[float] = None) -> Optional[float]:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+", value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def error_message(response: requests.Response) -> str:
    """The backend's error message (Backstage's ``{"error": {"message": …}}``), else the body's start."""
    try:
        body = response.json()
        message = body.get("error", {}).get("message") if isinstance(body, dict) else None
        if isinstance(message, str):
            return message
    except ValueError:
        pass
    return (response.text or response.reason or "")[:500]


class Transport:
    """One backend: its base URL (``…/api/mlops``), the token, a pooled session, and the backoff policy."""

    def __init__(self, url: str, token: Optional[str], *, timeout: float = 10.0, session: Optional[requests.Session] = None,
                 backoff_base: float = 0.5, backoff_max: float = 30.0, rng: Optional[random.Random] = None) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()
        self.headers = {"User-Agent": USER_AGENT, "Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.rng = rng or random.Random()

    def backoff(self, attempt: int) -> float:
        """Full jitter (uniform in [0, min(max, base·2^attempt)]): senders that failed together do not retry together."""
        return self.rng.uniform(0, min(self.backoff_max, self.backoff_base * (2 ** attempt)))

    def request(self, method: str, path: str, body: Any = None, *, data: Optional[bytes] = None) -> requests.Response:
        """One attempt; raises requests' exceptions for network errors."""
        if data is None and body is not None:
            data = json.dumps(body, separators=(",", ":"), allow_nan=False).encode()
        return self.session.request(method, f"{self.url}{path}", data=data, headers=self.headers, timeout=self.timeout)

    def call(self, method: str, path: str, body: Any = None, *, data: Optional[bytes] = None,
             stop: Optional[threading.Event] = None, deadline: Optional[float] = None,
             on_retry: Optional[Callable[[str], None]] = None) -> Dict[str, Any]:
        """Sends until the server commits (returns its JSON) or refuses (raises Rejected).

        Retries 5xx, 429 and network errors until ``deadline`` (time.monotonic()) passes or ``stop``
        is set, then raises ModelRailsError: the body was not committed and may be sent again as is.
        """
        if data is None and body is not None:
            data = json.dumps(body, separators=(",", ":"), allow_nan=False).encode()
        attempt = 0
        while True:
            try:
                response = self.request(method, path, data=data)
            except requests.RequestException as error:
                reason, wait = f"network: {type(error).__name__}", self.backoff(attempt)
            else:
                status = response.status_code
                if 200 <= status < 300:
                    return response.json() if response.content else {}
                if status != 429 and 400 <= status < 500:
                    raise Rejected(status, error_message(response))
                server_wait = retry_after_seconds(response.headers.get("Retry-After"))
                wait = min(self.backoff_max, server_wait) if server_wait is not None else self.backoff(attempt)
                reason = f"HTTP {status}: {error_message(response)[:200]}"
            attempt += 1
            if on_retry:
                on_retry(reason)
            if deadline is not None and time.monotonic() + wait > deadline:
                raise ModelRailsError(f"not committed before the deadline ({reason})")
            if self.pause(wait, stop):
                raise ModelRailsError(f"not committed before shutdown ({reason})")

    def pause(self, seconds: float, stop: Optional[threading.Event]) -> bool:
        """Waits before a retry; True when ``stop`` was set meanwhile."""
        if stop is None:
            time.sleep(seconds)
            return False
        return stop.wait(seconds)
