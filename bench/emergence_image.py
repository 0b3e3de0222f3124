"""The README's pictures of the scale demo's measurements, drawn by Debian's chromium: the shipped ladder's
abilities under exact match and under the log-probability of the right reply, or (--phase) the phase-change runs.

    python bench/emergence_image.py [--out docs/images/emergence.png]
    python bench/emergence_image.py --phase [--out docs/images/phase_change.png]
"""

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.scale.emergence_charts import ability_curves  # noqa: E402
from core.scale.ladder_files import LADDER_DIR, PHASE_DIR, read_ladder, read_results  # noqa: E402

CHROMIUM = "/usr/bin/chromium"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--phase", action="store_true", help="draw the phase-change runs instead")
    parser.add_argument("--out", type=Path, help="docs/images/emergence.png, or phase_change.png with --phase")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    if args.phase:
        from core.scale.phase_charts import phase_curves
        from core.scale.phase_report import read_run, read_runs

        figures = [phase_curves([read_run(result) for result in read_runs(PHASE_DIR)])]
    else:
        ladder, results = read_ladder(LADDER_DIR), read_results(LADDER_DIR)
        if results is None:
            raise SystemExit(f"no abilities.json in {LADDER_DIR}: run python -m core.scale.abilities first")
        figures = [ability_curves(ladder, results, metric) for metric in ("exact", "logprob")]
    out = args.out or Path("docs/images") / ("phase_change.png" if args.phase else "emergence.png")
    with tempfile.TemporaryDirectory() as folder:
        page_file = Path(folder) / "curves.html"
        parts = [figure.to_html(include_plotlyjs=i == 0, full_html=False) for i, figure in enumerate(figures)]
        page_file.write_text("<html><body style='margin:0;background:white'>" + "".join(parts) + "</body></html>")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1100, "height": 760 if args.phase else 900})
            page.goto(page_file.as_uri())
            page.wait_for_timeout(1500)
            page.screenshot(path=str(out), full_page=True)
            browser.close()
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
