"""A long run as a student sees it in the browser: Gradio's "k/N" progress count, and its Stop button."""

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
