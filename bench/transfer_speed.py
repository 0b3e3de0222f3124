"""Speed of the transfer lab on this machine: one fine-tuning run at the defaults (target: at most 10 s on a
laptop CPU), every mode, teaching a new symbol, and the text comparison.

    python bench/transfer_speed.py
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.runtime import pick_device  # noqa: E402
from core.transfer.data import target_split  # noqa: E402
from core.transfer.finetune import DEFAULT_EPOCHS, finetune  # noqa: E402
from core.transfer.modes import MODES  # noqa: E402
from core.transfer.new_class import MIN_DRAWINGS, teach  # noqa: E402
from core.transfer.text_transfer import compare_text, missing_encoder  # noqa: E402

TARGET_S = 10.0
REPEATS = 5


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    print(f"device: {pick_device()}")
    list(finetune("full", 5, epochs=1))  # load the bundled weights once
    runs = [timed(lambda s=s: list(finetune("full", 5, DEFAULT_EPOCHS, seed=s))) for s in range(REPEATS)]
    worst = max(runs)
    verdict = "OK" if worst <= TARGET_S else "TOO SLOW"
    print(
        f"one run at the defaults (full, 5 shots, {DEFAULT_EPOCHS} epochs): median {statistics.median(runs):.2f} s, "
        f"worst {worst:.2f} s of {REPEATS} (target <= {TARGET_S:.0f} s): {verdict}"
    )
    for key in MODES:
        for shots in (5, 50):
            print(f"  {key:10s} {shots:2d} shots: {timed(lambda k=key, n=shots: list(finetune(k, n))):.2f} s")
    cards = target_split()[0].x[:MIN_DRAWINGS, 0]  # (5, 12, 12): digits 5-9 standing in for drawings
    digits = [card[2:10, 2:10] for card in cards]
    print(f"teach a new symbol from {MIN_DRAWINGS} drawings: {timed(lambda: teach(digits)):.2f} s")
    if missing_encoder() is None:
        print(f"text comparison, 1 seed (loads the encoder): {timed(lambda: list(compare_text(1))):.2f} s")
        print(f"text comparison, 3 seeds (encoder loaded): {timed(lambda: list(compare_text(3))):.2f} s")
    else:
        print(f"text comparison skipped: {missing_encoder()}")


if __name__ == "__main__":
    main()
