"""A long run as a student sees it in the browser: Gradio's "k/N" progress count, and its Stop button."""

import sys
import time

from playwright.sync_api import expect

# The largest k of any "k/N" progress count on the page, or null while none shows. Gradio writes counts above
# 1000 in thousands ("1.3k/5k"), as `si` below does.
COUNT_JS = r"""([total, after]) => {
    const si = n => { let i = 0; while (n > 1000 && i < 2) { n /= 1000; i++; }
                      return (Number.isInteger(n) ? n : n.toFixed(1)) + ['', 'k', 'M'][i]; };
    const pattern = new RegExp('([\\d.]+)(k?)/' + si(total).replace('.', '\\.') + '(?![\\w.])', 'g');
    const counts = [...document.querySelectorAll('.progress-text, .progress-level')]
        .flatMap(el => [...el.innerText.matchAll(pattern)])
        .map(m => Number(m[1]) * (m[2] ? 1000 : 1));
    const k = counts.length ? Math.max(...counts) : null;
    return k !== null && k > after ? k : null;
}"""


def count_now(page, total: int) -> int | None:
    """The "k/total" progress count showing now, or None."""
    return page.evaluate(COUNT_JS, [total, -1])


def wait_for_count(page, total: int, after: int = 0, timeout_ms: float = 180_000) -> int:
    """Wait until a progress count "k/total" with k > `after` shows; return k."""
    return page.wait_for_function(COUNT_JS, arg=[total, after], timeout=timeout_ms).json_value()


def stop_after_progress(page, run, stop, total: int) -> int:
    """Click `run`, see the "k/total" count advance, click `stop` and see the progress go; return the last k seen."""
    run.click()
    first = wait_for_count(page, total)
    seen = wait_for_count(page, total, after=first)  # real progress: the count moves on
    assert 0 < first < seen < total
    stop.click()
    expect(page.locator(".progress-text, .progress-level")).to_have_count(0, timeout=60_000)
    return seen


def running(function_name: str) -> int:
    """How many threads of this process are inside a function of that name now."""
    count = 0
    for frame in sys._current_frames().values():
        while frame is not None and frame.f_code.co_name != function_name:
            frame = frame.f_back
        count += frame is not None
    return count


def wait_until_not_running(function_name: str, timeout_s: float = 60) -> None:
    """Wait until no thread of this process (the test's server) runs `function_name`: the work really stopped."""
    end = time.monotonic() + timeout_s
    while running(function_name) and time.monotonic() < end:
        time.sleep(0.2)
    assert running(function_name) == 0, f"{function_name} still runs {timeout_s:g} s after Stop"


def stop_and_see_it_end(page, run, stop, total: int, runs_in: str, timeout_s: float) -> None:
    """Click `run`, see the "k/total" count advance, click `stop`; then no server thread is left inside the
    function `runs_in` (the work stopped, not just the page) and no count shows again."""
    stop_after_progress(page, run, stop, total)
    wait_until_not_running(runs_in, timeout_s)
    page.wait_for_timeout(2_000)  # a run still going would show its count again
    assert count_now(page, total) is None
