"""Fair shares of a demo's queue, so that one visitor cannot lock a demo for a class.

Before a request joins a demo's queue it is counted against three shares:
- its visitor: at most `PER_VISITOR` requests waiting or running. A visitor is a browser page (Gradio's session
  hash, one per open page); a request that names no session (a plain `POST /call/<api>`) is its address's;
- its address: at most `PER_ADDRESS` (a class behind one school router shares an address, so this is larger);
- long jobs of the shared group (sweeps, evaluations: `apps.serving.is_long_job` in no group of their own): at
  most `LONG_WAITING` waiting per demo, so a pile of long jobs never fills the room that quick clicks need. A
  lesson's clicks (a fine-tune, sampling: groups of their own) count against the visitor's share only.
A request over its share is refused at once with a message that says why and what to do; nothing else waits.

Behind a proxy the socket's peer is the proxy: `GENAI_PROXY_DEPTH` (1 on Hugging Face Spaces, else 0) says how many
proxies append to `X-Forwarded-For`, and the address is the entry that many from its right end, the one the
outermost trusted proxy saw (entries further left are whatever the client wrote, and are ignored).
"""

import asyncio
import functools
import os
import threading
import time

from core.runtime.registry import on_spaces

PER_VISITOR = 4  # requests one page (or one address without a page) may have waiting or running in one demo
PER_ADDRESS = 48  # requests one network address may have waiting or running in one demo
PROXY_DEPTH_ENV = "GENAI_PROXY_DEPTH"
ACTIVE_S = 60.0  # a visitor who joined a queue this recently counts as active (`active_visitors`)
_last_seen: dict[str, float] = {}  # visitor -> when they last joined any demo's queue in this process
_seen_lock = threading.Lock()


def saw(visitor: str, now: float | None = None) -> None:
    """Note that `visitor` joined a queue (and forget visitors gone longer than ACTIVE_S)."""
    now = time.monotonic() if now is None else now
    with _seen_lock:
        _last_seen[visitor] = now
        for gone in [v for v, t in _last_seen.items() if now - t > ACTIVE_S]:
            del _last_seen[gone]


def active_visitors(now: float | None = None) -> set[str]:
    """The visitors who joined a queue of any demo in this process within the last ACTIVE_S seconds."""
    now = time.monotonic() if now is None else now
    with _seen_lock:
        return {v for v, t in _last_seen.items() if now - t <= ACTIVE_S}


def proxy_depth() -> int:
    """How many proxies in front of this server append to X-Forwarded-For: `GENAI_PROXY_DEPTH`, else 1 on Spaces."""
    try:
        return max(0, int(os.environ.get(PROXY_DEPTH_ENV, "") or (1 if on_spaces() else 0)))
    except ValueError:
        raise ValueError(f"{PROXY_DEPTH_ENV} must be a whole number of proxies, e.g. 1") from None


def client_address(request) -> str:
    """The address a request came from, as the outermost trusted proxy saw it (see the module's docstring)."""
    peer = request.client.host if getattr(request, "client", None) else "unknown"
    depth = proxy_depth()
    if depth == 0:
        return peer
    forwarded = [a.strip() for a in request.headers.get("x-forwarded-for", "").split(",") if a.strip()]
    return forwarded[-depth] if len(forwarded) >= depth else peer


def live_events(queue) -> tuple[list, list]:
    """The events of a Gradio queue that are (waiting, running)."""
    waiting = [event for line in queue.event_queue_per_concurrency_id.values() for event in line.queue]
    running = [event for job in queue.active_jobs if job for event in job]
    return waiting, running


def visitor_of(body, request) -> tuple[str, str]:
    """(visitor, address) of a request: its page where it names one, else its address."""
    address = client_address(request)
    return (f"page:{body.session_hash}" if body.session_hash else f"address:{address}"), address


def refusal(visitor: str, address: str, owners: dict[str, tuple[str, str]], long_job: bool, long_jobs_waiting: int,
            long_waiting: int) -> str | None:  # fmt: skip
    """Why a request of `visitor` at `address` may not join the queue now (None: it may). `owners`: the live
    events' (visitor, address); `long_job`: whether it is one; `long_jobs_waiting`: how many wait already."""
    mine = sum(owner[0] == visitor for owner in owners.values())
    if mine >= PER_VISITOR:
        return (
            f"you already have {mine} requests waiting or running in this demo (at most {PER_VISITOR}): wait for "
            "one to finish, or press Stop, before you send another"
        )
    if sum(owner[1] == address for owner in owners.values()) >= PER_ADDRESS:
        return (
            f"your network address already has {PER_ADDRESS} requests waiting or running in this demo: wait a "
            "moment and try again"
        )
    if long_job and long_jobs_waiting >= long_waiting:
        return (
            f"the server is busy: {long_jobs_waiting} long jobs (training runs, evaluations, sweeps) are already "
            "waiting in this demo: try again in a minute, or ask for a smaller one"
        )
    return None


def admit_fairly(queue, long_ids: set, long_waiting: int) -> None:
    """Make `queue` (a demo's `gradio.queueing.Queue`) refuse requests over their share (idempotent). `long_ids`:
    the ids of the demo's capped long-job functions, of which at most `long_waiting` requests may wait."""
    if getattr(queue.push, "fair", False):
        return
    push, owners, lock = queue.push, {}, asyncio.Lock()

    @functools.wraps(push)
    async def fair_push(body, request, username):
        visitor, address = visitor_of(body, request)
        async with lock:  # counting and joining are one step: forty requests at once are counted one by one
            waiting, running = live_events(queue)
            live = {event._id for event in waiting + running}
            for event_id in [e for e in owners if e not in live]:
                del owners[event_id]
            long_jobs_waiting = sum(event.fn._id in long_ids for event in waiting)
            reason = refusal(visitor, address, owners, body.fn_index in long_ids, long_jobs_waiting, long_waiting)
            if reason is not None:
                return False, reason, "queue_full"
            joined, event_id, state = await push(body, request, username)
            if joined:
                owners[event_id] = (visitor, address)
                saw(visitor)
            return joined, event_id, state

    fair_push.fair = True
    queue.push = fair_push
