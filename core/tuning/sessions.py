"""Tuned models kept per browser session: the page holds a key (in `gr.State`), this store holds the weights.

The store is bounded, so a public demo cannot run out of memory: a model is dropped after `TTL_S` seconds
or when `MAX_SESSIONS` newer ones exist, and a later request with its key gets a message saying so.
"""

import secrets
import threading
import time
from collections import OrderedDict
from typing import Any

TTL_S = 30 * 60
MAX_SESSIONS = 16


class Expired(ValueError):
    """The session's tuned model is gone; the message says how to get it back."""


class SessionStore:
    def __init__(self, ttl_s: float = TTL_S, max_sessions: int = MAX_SESSIONS):
        self.ttl_s, self.max_sessions = ttl_s, max_sessions
        self._items: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def _evict(self, now: float) -> None:
        for key in [k for k, (made, _) in self._items.items() if now - made > self.ttl_s]:
            del self._items[key]
        while len(self._items) > self.max_sessions:
            self._items.popitem(last=False)

    def put(self, key: str | None, name: str, value: Any) -> str:
        """Store `value` as `name` in session `key` (a new session when None or gone); the session's key."""
        now = time.monotonic()
        with self._lock:
            self._evict(now)
            if not key or key not in self._items:
                key = secrets.token_hex(8)
                self._items[key] = (now, {})
            made, values = self._items.pop(key)
            values[name] = value
            self._items[key] = (now, values)
            return key

    def get(self, key: str | None, name: str, what_to_run: str) -> Any:
        """The value stored as `name`, or `Expired` saying to run `what_to_run` (first, or again)."""
        with self._lock:
            self._evict(time.monotonic())
            if not key:
                raise Expired(f"this session has no {name.replace('_', ' ')} yet: run {what_to_run} first")
            if key not in self._items:
                raise Expired(
                    f"this session's tuned models have expired (they are kept {self.ttl_s // 60:.0f} minutes): "
                    f"run {what_to_run} again"
                )
            values = self._items[key][1]
            if name not in values:
                raise Expired(f"this session has no {name.replace('_', ' ')} yet: run {what_to_run} first")
            return values[name]


STORE = SessionStore()
