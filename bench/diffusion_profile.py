"""Where the time of one text-to-image request goes, for the bundled model at the default settings.

    python bench/diffusion_profile.py [--threads 2] [--repeat 5] [--batch 1]

Times one `final` request (DPM-Solver++, 20 steps, guidance 3) with hooks on its parts, median of the runs:
the text encoder (first request for a prompt, then cached), the UNet (one call per step on 2N images: the caption's
and the empty caption's), the scheduler's step, image conversion, and the rest of the loop (guidance arithmetic,
x_0 prediction, bookkeeping). Then the cost of guidance itself: one UNet call on N images against one on 2N, and
two separate calls on N (what batched guidance saves); whether channels_last memory helps the UNet; and, with
`--compile`, what `torch.compile` costs once (the first call) and saves per call, for the original's guided UNet
call and the distilled student's single one; with `--onnx`, the same for ONNX Runtime (export with
`torch.onnx.export`, then an `InferenceSession`; needs `pip install onnxruntime onnx onnxscript`).
"""

import argparse
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.diffusion import generate  # noqa: E402
from core.diffusion import models as _registered  # noqa: E402, F401 - registers "text-to-image"
from core.diffusion.choices import BUNDLED_SETTINGS, DISTILLED_NAME, NAME  # noqa: E402
from core.runtime import get_model  # noqa: E402

PROMPT = "a small red circle on the left"


class Timers:
    """Seconds spent per part, summed over one request."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    @contextmanager
    def part(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - start
            self.calls[name] += 1

    def hook(self, module: torch.nn.Module, name: str) -> None:
        """Time every forward call of `module` as `name`."""
        starts = []
        module.register_forward_pre_hook(lambda *_: starts.append(time.perf_counter()))

        def done(*_):
            self.seconds[name] += time.perf_counter() - starts.pop()
            self.calls[name] += 1

        module.register_forward_hook(done)

    def wrap(self, owner, attribute: str, name: str) -> None:
        """Time every call of `owner.attribute` as `name`."""
        original = getattr(owner, attribute)

        def timed(*args, **kwargs):
            with self.part(name):
                return original(*args, **kwargs)

        setattr(owner, attribute, timed)


def profile_request(model, batch: int, repeat: int) -> None:
    timers = Timers()
    timers.hook(model.pipe.unet, "UNet")
    timers.hook(model.pipe.text_encoder, "text encoder")
    timers.wrap(model, "to_images", "image conversion")
    make_scheduler = generate.make_scheduler

    def timed_scheduler(name, base):
        scheduler = make_scheduler(name, base)
        timers.wrap(scheduler, "step", "scheduler step")
        return scheduler

    generate.make_scheduler = timed_scheduler
    steps, guidance = BUNDLED_SETTINGS.steps, BUNDLED_SETTINGS.guidance
    runs = []
    for i in range(repeat + 1):  # the first request encodes the prompt; the others find it cached
        request = generate.check_request(model, PROMPT, i, steps, guidance, "DPM-Solver++", batch)
        timers.seconds.clear()
        timers.calls.clear()
        with timers.part("whole request"):
            generate.final(model, request)
        runs.append((dict(timers.seconds), dict(timers.calls)))
    generate.make_scheduler = make_scheduler
    first, cached = runs[0], runs[1:]
    total = statistics.median(r[0]["whole request"] for r in cached)
    print(f"One request, {batch} image(s), DPM-Solver++ {steps} steps, guidance {guidance}: median of {repeat}")
    print(f"  {'whole request':28s} {1000 * total:8.1f} ms")
    accounted = 0.0
    for name in ("UNet", "scheduler step", "image conversion", "text encoder"):
        ms = 1000 * statistics.median(r[0].get(name, 0.0) for r in cached)
        calls = statistics.median(r[1].get(name, 0) for r in cached)
        accounted += ms
        print(f"  {name:28s} {ms:8.1f} ms  {100 * ms / (1000 * total):5.1f}%  ({calls:.0f} calls)")
    rest = 1000 * total - accounted
    print(f"  {'rest of the loop':28s} {rest:8.1f} ms  {100 * rest / (1000 * total):5.1f}%")
    encoder_first = 1000 * first[0].get("text encoder", 0.0)
    print(f"  text encoder, first request for the prompt (not cached): {encoder_first:.1f} ms")


def median_ms(fn, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


@torch.no_grad()  # not inference_mode: the channels_last round trip would leave the UNet's weights inference tensors
def guidance_cost(model, batch: int, repeat: int) -> None:
    unet = model.pipe.unet
    text, empty = model.text_states(PROMPT, batch, guided=True)
    x = torch.randn(model.noise_shape(batch, model.size))
    t = torch.tensor(500)
    one = median_ms(lambda: unet(x, t, encoder_hidden_states=text), repeat * 4)
    both = median_ms(lambda: unet(torch.cat([x, x]), t, encoder_hidden_states=torch.cat([empty, text])), repeat * 4)
    print(f"Guidance: UNet on {batch} image(s) {one:.2f} ms; on {2 * batch} (caption + empty, batched) {both:.2f} ms")
    print(f"  batched guidance costs {both / one:.2f}x an unguided step; two separate calls would cost 2.00x")
    unet.to(memory_format=torch.channels_last)
    x_cl = x.contiguous(memory_format=torch.channels_last)
    both_cl = median_ms(
        lambda: unet(torch.cat([x_cl, x_cl]), t, encoder_hidden_states=torch.cat([empty, text])), repeat * 4
    )
    unet.to(memory_format=torch.contiguous_format)
    print(f"channels_last: guided UNet call {both_cl:.2f} ms against {both:.2f} ms ({both / both_cl:.2f}x)")


class _Positional(torch.nn.Module):
    """The UNet with positional inputs and a tensor output, as the ONNX exporter and `torch.compile` take it."""

    def __init__(self, unet) -> None:
        super().__init__()
        self.unet = unet

    def forward(self, x, t, states, *cond):
        return self.unet(x, t, encoder_hidden_states=states, timestep_cond=cond[0] if cond else None).sample


def one_call(model, batch: int) -> tuple[str, _Positional, tuple[torch.Tensor, ...]]:
    """What one sampling step of `model` runs: the original's guided call on 2N images (caption + empty caption), or
    the student's single call with its w input; as (label, positional UNet, inputs)."""
    unet = model.pipe.unet.eval()
    guided = model.guided(BUNDLED_SETTINGS.guidance)
    text, empty = model.text_states(PROMPT, batch, guided=guided)
    x = torch.randn(model.noise_shape(batch, model.size))
    if guided:
        inputs = (torch.cat([x, x]), torch.tensor(499), torch.cat([empty, text]))
    else:
        inputs = (x, torch.tensor(499), text, torch.zeros(batch, unet.config.time_cond_proj_dim))
    inputs = tuple(tensor.clone() for tensor in inputs)  # the cached text states are inference tensors: copy them
    return ("guided UNet call" if guided else "student UNet call"), _Positional(unet), inputs


@torch.inference_mode()
def compile_cost(model, batch: int, repeat: int) -> None:
    """torch.compile (inductor) of the UNet: seconds until the first compiled call returns, then ms per call."""
    label, wrapped, inputs = one_call(model, batch)
    eager = median_ms(lambda: wrapped(*inputs), repeat * 4)
    compiled = torch.compile(wrapped)
    start = time.perf_counter()
    compiled(*inputs)
    first = time.perf_counter() - start
    fast = median_ms(lambda: compiled(*inputs), repeat * 4)
    print(
        f"torch.compile, {label}: first call {first:.1f} s (compilation), then {fast:.2f} ms against "
        f"{eager:.2f} ms eager ({eager / fast:.2f}x); pays back after {first * 1000 / max(eager - fast, 1e-9):.0f} calls"
    )


def onnx_cost(model, batch: int, repeat: int, folder: Path) -> None:
    """Export the UNet to ONNX, load it in ONNX Runtime on this many threads, and time one call against eager."""
    import onnxruntime

    label, wrapped, inputs = one_call(model, batch)
    path = folder / f"unet-{label.split()[0]}.onnx"
    names = ["x", "t", "states", "cond"][: len(inputs)]
    start = time.perf_counter()
    torch.onnx.export(wrapped, inputs, str(path), dynamo=True, input_names=names, output_names=["out"])
    export_s = time.perf_counter() - start
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = torch.get_num_threads()
    start = time.perf_counter()
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    session_s = time.perf_counter() - start
    feed = {name: tensor.numpy() for name, tensor in zip(names, inputs, strict=True)}
    with torch.inference_mode():
        eager_out = wrapped(*inputs)
        eager = median_ms(lambda: wrapped(*inputs), repeat * 4)
    difference = float(abs(session.run(None, feed)[0] - eager_out.numpy()).max())
    fast = median_ms(lambda: session.run(None, feed), repeat * 4)
    print(
        f"ONNX Runtime, {label}: export {export_s:.1f} s, session {session_s:.2f} s, then {fast:.2f} ms against "
        f"{eager:.2f} ms eager ({eager / fast:.2f}x); largest output difference {difference:.1e}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--compile", action="store_true", help="also measure torch.compile (takes a minute or more)")
    parser.add_argument("--onnx", action="store_true", help="also measure ONNX Runtime (export about 20 s each)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} thread(s)")
    model = get_model(NAME)
    profile_request(model, args.batch, args.repeat)
    guidance_cost(model, args.batch, args.repeat)
    if args.compile:
        compile_cost(model, args.batch, args.repeat)
        compile_cost(get_model(DISTILLED_NAME), args.batch, args.repeat)
    if args.onnx:
        with tempfile.TemporaryDirectory() as folder:
            onnx_cost(model, args.batch, args.repeat, Path(folder))
            onnx_cost(get_model(DISTILLED_NAME), args.batch, args.repeat, Path(folder))


if __name__ == "__main__":
    main()
