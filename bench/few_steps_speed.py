"""How much faster the distilled text-to-image student samples than the original, measured in one run.

    python bench/few_steps_speed.py [--threads 1] [--repeat 10] [--hub]

Milliseconds per image (median of `--repeat` requests, after a warm-up) at batch 1 and batch 8, for the original
at the demo's default (DPM-Solver++, 20 steps, guidance 3: 40 network evaluations per image) and for the student at
1, 2 and 4 LCM steps, each as a speed-up over the original at the same batch, against the targets (300 ms per
image at batch 1, 100 ms at batch 8). `--hub` adds SD-Turbo at 512x512, 1 step (a GPU and the hub needed).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.diffusion import models as _registered  # noqa: E402, F401 - registers both text-to-image models
from core.diffusion.choices import (  # noqa: E402
    BUNDLED,
    BUNDLED_SETTINGS,
    DEFAULT_SCHEDULER,
    DISTILLED_NAME,
    LCM,
    NAME,
    TURBO,
)
from core.diffusion.generate import check_request, final  # noqa: E402
from core.runtime import get_model  # noqa: E402

PROMPT = "a small red circle on the left"
TARGET_MS = {1: 300, 8: 100}  # per image, distilled


def ms_per_image(model, steps: int, guidance: float, scheduler: str, batch: int, repeat: int) -> float:
    request = check_request(model, PROMPT, 0, steps, guidance, scheduler, batch)
    final(model, request)  # warm-up: first calls allocate, and the prompt's text states get cached
    times = []
    for seed in range(repeat):
        request.seed = seed
        start = time.perf_counter()
        final(model, request)
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times) / batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--hub", action="store_true", help="also SD-Turbo at 512x512, 1 step (GPU, hub access)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} thread(s); milliseconds per image, median of {args.repeat}")
    original, student = get_model(NAME, BUNDLED), get_model(DISTILLED_NAME, BUNDLED)
    print(f"{'model':34s} {'batch':>5s} {'ms/image':>9s} {'speed-up':>9s} {'target':>7s}")
    for batch in (1, 8):
        s = BUNDLED_SETTINGS
        base = ms_per_image(original, s.steps, s.guidance, DEFAULT_SCHEDULER, batch, args.repeat)
        print(f"{'original, DPM-Solver++ 20 steps':34s} {batch:5d} {base:9.1f} {'1.0x':>9s} {'':>7s}")
        for steps in (1, 2, 4):
            ms = ms_per_image(student, steps, s.guidance, LCM, batch, args.repeat)
            label = f"distilled, LCM {steps} step{'s' * (steps > 1)}"
            print(f"{label:34s} {batch:5d} {ms:9.1f} {base / ms:8.1f}x {TARGET_MS[batch]:7d}")
    if args.hub:
        turbo = get_model(DISTILLED_NAME, TURBO)
        for batch in (1, 8):
            ms = ms_per_image(turbo, 1, 0.0, "Euler", batch, args.repeat)
            print(f"{'SD-Turbo 512x512, 1 step':34s} {batch:5d} {ms:9.1f}")


if __name__ == "__main__":
    main()
