"""Failed sign-ins, counted per account and per client over a sliding window (one process).

After `SPREADGRAPH_SIGN_IN_LIMIT` failures for one account name, or four times that from one
client address, within `WINDOW` seconds, sign-in answers 429 with Retry-After until the oldest
failure leaves the window. A success clears the account's count. The counts live in the web
process: they reset on restart and are not shared between workers.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque

from spreadgraph.errors import SpreadgraphError

WINDOW = 15 * 60.0
CLIENT_FACTOR = 4


class TooManyAttempts(SpreadgraphError):
    """Too many failed sign-ins: answered with 429 and Retry-After."""

    status = 429
    code = "too_many_attempts"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, hint=f"try again in {retry_after} s")
        self.retry_after = retry_after


class SignInLimiter:
    """Sliding-window failure counts by key ('account:NAME', 'client:ADDRESS')."""

    def __init__(self, window: float = WINDOW) -> None:
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def check(self, account: str, client: str, limit: int) -> None:
        """Raise TooManyAttempts when the account or the client is over its limit."""
        now = time.monotonic()
        with self._lock:
            for key, allowed in ((f"account:{account}", limit), (f"client:{client}", limit * CLIENT_FACTOR)):
                times = self._recent(key, now)
                if len(times) >= allowed:
                    wait = max(1, math.ceil(times[0] + self.window - now))
                    raise TooManyAttempts("too many failed sign-ins; wait before trying again", wait)

    def failed(self, account: str, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in (f"account:{account}", f"client:{client}"):
                self._recent(key, now).append(now)

    def succeeded(self, account: str) -> None:
        with self._lock:
            self._failures.pop(f"account:{account}", None)


sign_ins = SignInLimiter()
