"""Dynamic batching, as model servers do it (Triton's dynamic batcher, Clipper's adaptive batching): requests that
arrive within a short window and can share one forward pass are run as one batch, and each caller gets its own
answer. Under load the batches grow by themselves: while one batch runs, the next one fills.

Each caller checks its own input before it joins, so a batch holds valid items only; and a batch that fails anyway
is run again item by item, so an item's failure is its own and never its batch-mates'.
"""

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field


@dataclass
class Batch:
    items: list = field(default_factory=list)
    size: int = 0  # the items' sizes added up (images, tokens ...)
    full: threading.Event = field(default_factory=threading.Event)  # no room left: run without waiting the window
    done: threading.Event = field(default_factory=threading.Event)
    answers: list = field(default_factory=list)  # one per item: its answer, or the exception it raised


class Batcher:
    """Runs `run(items) -> answers` (one answer per item, in order) on the compatible items that callers of
    `submit` hand in within `window_s` of the first, at most `most` in size, one batch at a time."""

    def __init__(self, run: Callable[[list], list], window_s: float = 0.05, most: int = 8):
        self.run, self.window_s, self.most = run, window_s, most
        self._joining = threading.Lock()  # guards `_open`
        self._running = threading.Lock()  # one batch at a time: the cores are shared, not split
        self._open: dict[Hashable, Batch] = {}  # key -> the batch that items with that key join now

    def submit(self, key: Hashable, item, size: int = 1):
        """`item`'s answer, computed in one batch with the items submitted under the same `key` (items that can be
        run together) around the same time; raises what `item` alone raised."""
        with self._joining:
            batch = self._open.get(key)
            leads = batch is None or batch.size + size > self.most
            if leads:
                batch = self._open[key] = Batch()
            index = len(batch.items)
            batch.items.append(item)
            batch.size += size
            if batch.size >= self.most:
                batch.full.set()
        if leads:
            self._lead(key, batch)
        batch.done.wait()
        answer = batch.answers[index]
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def _lead(self, key: Hashable, batch: Batch) -> None:
        """Wait out the window (or until the batch is full), wait for the batch before to finish, close this one to
        newcomers and run it."""
        batch.full.wait(self.window_s)
        with self._running:
            with self._joining:
                if self._open.get(key) is batch:
                    del self._open[key]
            try:
                batch.answers = self._answers(batch.items)
            except BaseException as err:  # an interrupt: every caller hears of it, none waits forever
                batch.answers = [err] * len(batch.items)
                raise
            finally:
                batch.done.set()

    def _answers(self, items: list) -> list:
        try:
            answers = list(self.run(items))
        except Exception as err:  # noqa: BLE001 - one item's failure: found below by running each alone
            if len(items) == 1:
                return [err]
            return [self._answers([item])[0] for item in items]
        if len(answers) != len(items):
            raise ValueError(f"a batch of {len(items)} items gave {len(answers)} answers: give one answer per item")
        return answers
