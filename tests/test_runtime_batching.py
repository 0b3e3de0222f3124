"""Dynamic batching: requests that arrive together run as one batch, each caller gets its own answer, and one
item's failure stays its own."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from core.runtime.batching import Batcher

LONG_WINDOW_S = 60.0  # a batch in these tests runs when it is full, never because its window ran out


def doubled(batches: list):
    """A batch function that doubles each number and records every batch it was given; odd numbers are a bad
    input that fails the whole batch, as a tensor of the wrong shape would."""

    def run(items: list) -> list:
        batches.append(list(items))
        if any(item % 2 for item in items):
            raise ValueError(f"odd numbers are not allowed: {[i for i in items if i % 2]}")
        return [2 * item for item in items]

    return run


def submit_all(batcher: Batcher, asks: list[tuple]) -> list:
    """Submit each (key, item, size) from a thread of its own, all at once: each answer or the exception raised."""

    def one(ask):
        try:
            return batcher.submit(*ask)
        except ValueError as err:
            return err

    with ThreadPoolExecutor(len(asks)) as pool:
        return list(pool.map(one, asks))


def test_requests_that_arrive_together_run_as_one_batch_and_each_gets_its_own_answer():
    batches = []
    batcher = Batcher(doubled(batches), window_s=LONG_WINDOW_S, most=3)
    answers = submit_all(batcher, [("a", 10, 1), ("b", 6, 3), ("a", 20, 1), ("a", 30, 1)])
    assert answers == [20, 12, 40, 60]
    assert sorted(sorted(batch) for batch in batches) == [[6], [10, 20, 30]]  # "b" is another key: its own batch


def test_a_batch_mates_bad_input_never_fails_a_valid_request():
    batches = []
    batcher = Batcher(doubled(batches), window_s=LONG_WINDOW_S, most=3)
    answers = submit_all(batcher, [("a", 10, 1), ("a", 7, 1), ("a", 20, 1)])
    assert answers[0] == 20 and answers[2] == 40
    assert isinstance(answers[1], ValueError) and str(answers[1]) == "odd numbers are not allowed: [7]"
    together, *alone = batches
    assert sorted(together) == [7, 10, 20] and sorted(alone) == [[7], [10], [20]]  # the failed batch, item by item


def test_while_one_batch_runs_the_next_one_fills():
    release, started, batches = threading.Event(), threading.Event(), []

    def run(items: list) -> list:
        batches.append(list(items))
        started.set()
        release.wait(60)
        return items

    batcher = Batcher(run, window_s=LONG_WINDOW_S, most=3)
    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(batcher.submit, "a", 1, 3)  # full at once: it runs without waiting for the window
        assert started.wait(60)
        rest = [pool.submit(batcher.submit, "a", n) for n in (2, 3, 4)]
        release.set()
        assert first.result(60) == 1 and [job.result(60) for job in rest] == [2, 3, 4]
    assert [sorted(batch) for batch in batches] == [[1], [2, 3, 4]]


def test_a_batch_that_gives_the_wrong_number_of_answers_says_so():
    batcher = Batcher(lambda items: items[:1], window_s=LONG_WINDOW_S, most=2)
    answers = submit_all(batcher, [("a", 1, 1), ("a", 2, 1)])
    assert all(isinstance(a, ValueError) for a in answers)
    assert str(answers[0]) == "a batch of 2 items gave 1 answers: give one answer per item"


@pytest.mark.parametrize("size", [1, 3])
def test_an_item_alone_gets_its_answer(size):
    batcher = Batcher(lambda items: [item.upper() for item in items], window_s=0.01, most=3)
    assert batcher.submit("a", "alone", size) == "ALONE"
