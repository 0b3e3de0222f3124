"""Does a result table fit the page? What a student sees of a Gradio Dataframe, measured in the browser."""

from dataclasses import dataclass

CELL = "td:visible, [role=gridcell]:visible"  # a body cell: Gradio 6 draws rows as divs (and keeps a hidden <td> copy)

# Every visible cell's right edge, the table's own sideways scroll, and the words that wrap across two lines (a line
# may end after a hyphen: "fine-" and "tuning" are two words here).
MEASURE_JS = """root => {
    const shown = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
    const isHeader = el => el.tagName === 'TH' || el.getAttribute('role') === 'columnheader';
    const cells = [...root.querySelectorAll('th, td, [role=gridcell], [role=columnheader]')].filter(shown);
    const scroller = root.querySelector('.virtual-table-viewport, .table-wrap') || root;
    const split = [];
    for (const cell of cells) {
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (const word of node.textContent.matchAll(/[^\\s-]+-?/g)) {
                const range = document.createRange();
                range.setStart(node, word.index);
                range.setEnd(node, word.index + word[0].length);
                const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                if (tops.size > 1) split.push(word[0]);
            }
        }
    }
    return {
        viewport: document.documentElement.clientWidth,
        right: Math.max(...cells.map(c => c.getBoundingClientRect().right)),
        sideways: scroller.scrollWidth - scroller.clientWidth,
        headers: cells.filter(isHeader).map(c => c.innerText.trim()),
        overflowing: cells.filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.innerText.trim()),
        split,
    };
}"""


@dataclass(frozen=True)
class TableFit:
    viewport: float  # px, the page's visible width
    right: float  # px, the rightmost visible cell's right edge
    sideways: float  # px the table scrolls sideways inside its frame (0 when every column shows)
    headers: list[str]
    overflowing: list[str]  # cells whose text is wider than the cell (spilled or clipped)
    split: list[str]  # words broken across two lines inside a cell


def measure_table(table) -> TableFit:
    """`table`: a Playwright locator of the Dataframe's container (its elem_id)."""
    return TableFit(**table.evaluate(MEASURE_JS))


def assert_table_fits(table) -> TableFit:
    """Every column on screen, no sideways scroll inside the table, no text spilling out of its cell, and no word
    broken mid-word."""
    fit = measure_table(table)
    assert fit.right <= fit.viewport + 1, f"the last column ends at {fit.right:.0f} px, past the page's {fit.viewport}"
    assert fit.sideways <= 1, f"the table scrolls {fit.sideways:.0f} px sideways: columns {fit.headers} do not fit"
    assert fit.overflowing == [], f"text wider than its cell: {fit.overflowing}"
    assert fit.split == [], f"words broken across lines: {fit.split}"
    return fit
