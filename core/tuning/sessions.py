"""Tuned models kept per browser session: the page holds a key (in `gr.State`), this store holds the weights.

The store is bounded by memory, so a public demo cannot run out of it: the bytes of what each session keeps (the
parameters, gradients and buffers of its models, and its texts) are counted, and when they pass the budget
(`GENAI_SESSION_MEMORY_MB`) the least recently used sessions are dropped first. A session is also dropped
`TTL_S` seconds after its last use. A later request with a dropped key gets a message that says which of the two
happened and how to get the models back (`MODELS` can be downloaded and uploaded again, `core.tuning.weights_file`).
"""

import dataclasses
import os
import secrets
import threading
import time
from collections import OrderedDict
from typing import Any

TTL_S = 30 * 60
MEMORY_ENV = "GENAI_SESSION_MEMORY_MB"
# A session that ran every step of the lab on the bundled base keeps 33.4 MB (instruction-, PPO- and DPO-tuned
# models and a reward model, 8.35 MB each; tests/test_tuning_sessions.py), so 2048 MB keeps 61 such sessions: a
# class of 30 twice over. A hub base model of 0.5 B parameters is 2 GB a copy: set the budget for it.
DEFAULT_MEMORY_MB = 2048
MAX_GONE = 10_000  # dropped keys remembered, to say why their models are gone
MODELS = {  # what a session keeps that a student can download and upload again
    "instruction_tuned_model": "instruction-tuned model",
    "ppo_tuned_model": "PPO-tuned model",
    "dpo_tuned_model": "DPO-tuned model",
}
UPLOAD_HINT = "upload the weights you downloaded ('Keep your tuned models')"


class Expired(ValueError):
    """The session's tuned model is gone; the message says how to get it back."""


def memory_budget_bytes() -> int:
    """The bytes all sessions may keep together: `GENAI_SESSION_MEMORY_MB` megabytes, else 2048 MB."""
    try:
        megabytes = float(os.environ.get(MEMORY_ENV, "") or DEFAULT_MEMORY_MB)
    except ValueError:
        raise ValueError(f"{MEMORY_ENV} must be a number of megabytes, e.g. {DEFAULT_MEMORY_MB}") from None
    return int((megabytes if megabytes > 0 else DEFAULT_MEMORY_MB) * 2**20)


def stored_bytes(value: Any, seen: set[int] | None = None) -> int:
    """The memory `value` holds: tensors (a module's parameters, their gradients and its buffers, each shared
    tensor once) and texts, found through containers and dataclasses. A tokenizer or a number counts 0."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return 0
    seen.add(id(value))
    if isinstance(value, str):
        return len(value.encode("utf-8", "surrogatepass"))
    if isinstance(value, dict):
        return sum(stored_bytes(v, seen) for v in value.values())
    if isinstance(value, list | tuple | set | frozenset):
        return sum(stored_bytes(v, seen) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sum(stored_bytes(getattr(value, f.name), seen) for f in dataclasses.fields(value))
    return _tensor_bytes(value, seen)


def _tensor_bytes(value: Any, seen: set[int]) -> int:
    """The bytes of a tensor or a torch module (its parameters, their gradients, its buffers), else 0."""
    import torch

    if isinstance(value, torch.nn.Module):
        tensors = [*value.parameters(), *(p.grad for p in value.parameters() if p.grad is not None), *value.buffers()]
        return sum(_tensor_bytes(t, seen) for t in tensors)
    if isinstance(value, torch.Tensor):
        storage = value.untyped_storage()
        if storage.data_ptr() in seen:  # a tied weight, or a view of a tensor already counted
            return 0
        seen.add(storage.data_ptr())
        return storage.nbytes()
    return 0


@dataclasses.dataclass
class _Session:
    used: float  # time.monotonic() of the last put or get
    values: dict[str, Any]
    nbytes: int


class SessionStore:
    def __init__(self, ttl_s: float = TTL_S, budget_bytes: int | None = None):
        self.ttl_s = ttl_s
        self.budget_bytes = budget_bytes  # None: read GENAI_SESSION_MEMORY_MB at each put
        self._items: OrderedDict[str, _Session] = OrderedDict()  # least recently used first
        self._gone: OrderedDict[str, str] = OrderedDict()  # dropped key -> "memory" or "expired"
        self._lock = threading.Lock()

    def budget(self) -> int:
        return memory_budget_bytes() if self.budget_bytes is None else self.budget_bytes

    def bytes_used(self) -> int:
        with self._lock:
            return sum(s.nbytes for s in self._items.values())

    def _drop(self, key: str, reason: str) -> None:
        del self._items[key]
        self._gone[key] = reason
        while len(self._gone) > MAX_GONE:
            self._gone.popitem(last=False)

    def _expire(self, now: float) -> None:
        for key in [k for k, s in self._items.items() if now - s.used > self.ttl_s]:
            self._drop(key, "expired")

    def _fit(self, keep: str) -> None:
        """Drop the least recently used sessions other than `keep` until the rest fit the budget."""
        budget, used = self.budget(), sum(s.nbytes for s in self._items.values())
        for key in [k for k in self._items if k != keep]:
            if used <= budget:
                break
            used -= self._items[key].nbytes
            self._drop(key, "memory")

    def put(self, key: str | None, **values: Any) -> str:
        """Store `values` (name=value) in session `key` (a new session when None or gone); the session's key.
        The session becomes the most recently used; older ones are dropped if the store is over its budget."""
        now = time.monotonic()
        with self._lock:
            self._expire(now)
            if not key or key not in self._items:
                key = secrets.token_hex(8)
                self._items[key] = _Session(now, {}, 0)
            session = self._items[key]
            session.values.update(values)
            session.used, session.nbytes = now, stored_bytes(session.values)
            self._items.move_to_end(key)
            self._fit(keep=key)
            return key

    def _use(self, key: str | None) -> dict[str, Any] | None:
        """The values of session `key`, which becomes the most recently used; None if the store has none."""
        now = time.monotonic()
        self._expire(now)
        if not key or key not in self._items:
            return None
        self._items[key].used = now
        self._items.move_to_end(key)
        return self._items[key].values

    def session(self, key: str | None, what_to_run: str) -> dict[str, Any]:
        """A copy of everything session `key` keeps ({} for no key), now used; `Expired` if the session is gone."""
        with self._lock:
            values = self._use(key)
            if values is None and key:
                raise Expired(self._gone_message(key, what_to_run, restorable=True))
            return dict(values or {})

    def get(self, key: str | None, name: str, what_to_run: str) -> Any:
        """The value stored as `name`, now used; or `Expired` saying why it is missing and to run `what_to_run`."""
        restorable = name in MODELS
        with self._lock:
            values = self._use(key)
            if values is None and key:
                raise Expired(self._gone_message(key, what_to_run, restorable))
        if not values or name not in values:
            also = f", or {UPLOAD_HINT}" if restorable else ""
            raise Expired(f"this session has no {name.replace('_', ' ')} yet: run {what_to_run} first{also}")
        return values[name]

    def _gone_message(self, key: str, what_to_run: str, restorable: bool) -> str:
        todo = f"{UPLOAD_HINT}, or run {what_to_run} again" if restorable else f"run {what_to_run} again"
        reason = self._gone.get(key)
        if reason == "memory":
            return (
                f"this session's tuned models were removed to make room: the server keeps {self.budget() / 2**20:g} MB "
                f"of tuned models, and other visitors have tuned since this session last used them. To go on, {todo}"
            )
        if reason == "expired":
            return (
                f"this session's tuned models have expired (they are kept {self.ttl_s / 60:g} minutes after their "
                f"last use): {todo}"
            )
        return f"the server holds no tuned models for this session (it may have restarted since): {todo}"


STORE = SessionStore()
