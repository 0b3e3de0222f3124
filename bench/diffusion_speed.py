"""How fast the bundled text-to-image model samples on this machine.

    python bench/diffusion_speed.py [--threads 2] [--skip-ddpm]

1. One 32x32 image at the default settings (DPM-Solver++, 20 steps, guidance 3): median of 10 runs.
2. DDPM with 1000 steps against DPM-Solver++ with 20: time per image and prompt fidelity (12 of the 60
   single-shape prompts, 2 seeds each, judged by the attribute classifier).
3. Throughput when 8 requests arrive at once through the Gradio API: `/generate` one by one (its batches held to
   one request), `/generate` batching the requests that arrive within its window (`core.runtime.batching`), and
   `/generate_batched` (Gradio batching, up to 8 per batch).
"""

import argparse
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.diffusion import attributes, fidelity  # noqa: E402
from core.diffusion import models as _registered  # noqa: E402, F401 - registers "text-to-image"
from core.diffusion.choices import BUNDLED_SETTINGS, MAX_TOGETHER, NAME  # noqa: E402
from core.diffusion.generate import check_request, final, together  # noqa: E402
from core.runtime import get_model  # noqa: E402

PROMPT = "a small red circle on the left"


def one_image(model) -> None:
    request = check_request(model, PROMPT, 0, BUNDLED_SETTINGS.steps, BUNDLED_SETTINGS.guidance, "DPM-Solver++", 1)
    final(model, request)  # warm-up
    times = []
    for seed in range(10):
        request.seed = seed
        start = time.perf_counter()
        final(model, request)
        times.append(time.perf_counter() - start)
    print(f"1. one 32x32 image, DPM-Solver++ 20 steps: median {statistics.median(times) * 1000:.0f} ms (target 500 ms)")


def ddpm_vs_dpm(model) -> None:
    judge = attributes.load()
    print("2. sampler comparison (12 prompts x 2 seeds):")
    for scheduler, steps in (("DPM-Solver++", 20), ("DDPM", 1000)):
        f = fidelity.single_shape_fidelity(
            model, judge, steps, BUNDLED_SETTINGS.guidance, scheduler, seeds_per_prompt=2, every=5
        )
        print(
            f"   {scheduler:13s} {steps:4d} steps: {f.seconds / f.samples:6.2f} s per image, "
            f"all three attributes right {f.rate('all_three'):.3f} (shape {f.rate('shape'):.3f}, "
            f"colour {f.rate('colour'):.3f}, place {f.rate('place'):.3f})"
        )


def throughput() -> None:
    from gradio_client import Client

    from apps.text_to_image import demo
    from tests.conftest import free_port

    demo.queue()
    _, url, _ = demo.launch(prevent_thread_lock=True, server_port=free_port(), quiet=True)
    try:
        client = Client(url, verbose=False, download_files=False)  # timing only: leave the images on the server
        args = dict(seed=0, steps=BUNDLED_SETTINGS.steps, guidance_scale=BUNDLED_SETTINGS.guidance)
        client.predict(prompt=PROMPT, **args, batch_size=1, api_name="/generate")  # warm-up
        print("3. 8 requests at once:")
        for label, api, extra, most in (
            ("batching off (/generate)", "/generate", {"batch_size": 1}, 1),  # one image per request in all three
            ("window batching (/generate)", "/generate", {"batch_size": 1}, MAX_TOGETHER),
            ("Gradio batching (/generate_batched)", "/generate_batched", {}, MAX_TOGETHER),
        ):
            together.most = most
            start = time.perf_counter()
            with ThreadPoolExecutor(8) as pool:
                jobs = [
                    pool.submit(client.predict, prompt=PROMPT, **{**args, "seed": s, **extra}, api_name=api)
                    for s in range(8)
                ]
                for job in jobs:
                    job.result()
            seconds = time.perf_counter() - start
            print(f"   {label:36s} {8 / seconds:5.2f} images/s ({seconds:.1f} s for 8)")
    finally:
        together.most = MAX_TOGETHER
        demo.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--skip-ddpm", action="store_true", help="leave out the slow DDPM-1000 comparison")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_grad_enabled(False)
    print(f"torch threads: {args.threads}")
    model = get_model(NAME)
    one_image(model)
    if not args.skip_ddpm:
        ddpm_vs_dpm(model)
    throughput()


if __name__ == "__main__":
    main()
