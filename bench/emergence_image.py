"""The README's picture of the shipped ladder's abilities: the scale demo's curves under exact match and under
the log-probability of the right reply, drawn by Debian's chromium.

    python bench/emergence_image.py [--out docs/images/emergence.png]
"""

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.scale.emergence_charts import ability_curves  # noqa: E402
from core.scale.ladder_files import LADDER_DIR, read_ladder, read_results  # noqa: E402

CHROMIUM = "/usr/bin/chromium"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("docs/images/emergence.png"))
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    ladder, results = read_ladder(LADDER_DIR), read_results(LADDER_DIR)
    if results is None:
        raise SystemExit(f"no abilities.json in {LADDER_DIR}: run python -m core.scale.abilities first")
    with tempfile.TemporaryDirectory() as folder:
        page_file = Path(folder) / "curves.html"
        parts = [ability_curves(ladder, results, metric).to_html(include_plotlyjs=i == 0, full_html=False)
                 for i, metric in enumerate(("exact", "logprob"))]  # fmt: skip
        page_file.write_text("<html><body style='margin:0;background:white'>" + "".join(parts) + "</body></html>")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.goto(page_file.as_uri())
            page.wait_for_timeout(1500)
            page.screenshot(path=str(args.out), full_page=True)
            browser.close()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
