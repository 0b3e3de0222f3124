"""Train the bundled digit models: a neural spline flow and a DDPM on the same dequantized 8x8 digits.

    python -m core.flows.train_digits            # writes core/flows/weights/digits-flow and digits-ddpm

The flow keeps the epoch with the best validation bits/dim (200 training digits held back); the DDPM
trains for a fixed number of steps. Both record their measured training time in config.json.
"""

import argparse
import copy
import time
from pathlib import Path

import torch

from core.flows import ddpm
from core.flows.digits import LogitScaling, SignedScaling, bits_per_dim, dequantize, load_split
from core.flows.flow import SPLINE, FlowConfig, build_flow, log_prob, save_flow
from core.runtime.seeding import make_generator

WEIGHTS = Path(__file__).resolve().parent / "weights"
FLOW_DIR = WEIGHTS / "digits-flow"
DDPM_DIR = WEIGHTS / "digits-ddpm"
FLOW_CONFIG = FlowConfig(kind=SPLINE, features=64, transforms=4, hidden=64, bins=8)
DDPM_CONFIG = ddpm.DenoiserConfig(features=64, hidden=256, depth=3, timesteps=1000, clip_sample=True)
VALIDATION = 200


def train_flow(seed: int, epochs: int, batch: int = 100) -> dict:
    """Maximum likelihood with AdamW; returns the saved metadata."""
    start = time.perf_counter()
    x_train, _, _, _ = load_split()
    x_fit, x_val = x_train[VALIDATION:], x_train[:VALIDATION]
    generator = make_generator(seed)
    torch.manual_seed(seed)
    scaling = LogitScaling.fit(dequantize(x_fit, generator))
    y_val, ladj_val = scaling.forward(dequantize(x_val, make_generator(seed + 1)))
    flow = build_flow(FLOW_CONFIG)
    optimizer = torch.optim.AdamW(flow.parameters(), lr=1e-3, weight_decay=1e-2)
    best_bpd, best_state, best_epoch = float("inf"), None, 0
    for epoch in range(1, epochs + 1):
        flow.train()
        order = torch.randperm(len(x_fit), generator=generator)
        for i in range(0, len(x_fit), batch):
            y, _ = scaling.forward(dequantize(x_fit[order[i : i + batch]], generator))  # (B, 64)
            nll = -log_prob(flow, y).mean()
            optimizer.zero_grad()
            nll.backward()
            optimizer.step()
        flow.eval()
        with torch.no_grad():
            val_bpd = bits_per_dim(log_prob(flow, y_val), ladj_val).mean().item()
        if val_bpd < best_bpd:
            best_bpd, best_state, best_epoch = val_bpd, copy.deepcopy(flow.state_dict()), epoch
        print(f"flow epoch {epoch:3d}  validation {val_bpd:.3f} bits/dim  (best {best_bpd:.3f} at {best_epoch})")
    flow.load_state_dict(best_state)
    meta = {
        "alpha": scaling.alpha,
        "mean": scaling.mean.tolist(),
        "std": scaling.std.tolist(),
        "epochs": best_epoch,
        "validation_bits_per_dim": best_bpd,
        "train_seconds": time.perf_counter() - start,
        "seed": seed,
    }
    save_flow(flow, FLOW_CONFIG, FLOW_DIR, extra=meta)
    return meta


def train_ddpm(seed: int, steps: int, batch: int = 128) -> dict:
    """The simple DDPM loss on digits scaled to [-1, 1]; returns the saved metadata."""
    start = time.perf_counter()
    x_train, _, _, _ = load_split()
    model = ddpm.Denoiser(DDPM_CONFIG)
    scheduler = ddpm.make_scheduler(DDPM_CONFIG)
    scaling = SignedScaling()

    def draw_batch(generator: torch.Generator) -> torch.Tensor:
        rows = torch.randint(0, len(x_train), (batch,), generator=generator)
        return scaling.forward(dequantize(x_train[rows], generator))[0]  # (batch, 64) in [-1, 1)

    for step, value in ddpm.train(model, scheduler, draw_batch, steps, seed, lr=1e-3):
        if step % 1000 == 0:
            print(f"ddpm step {step:6d}  loss {value:.4f}")
    meta = {"steps": steps, "train_seconds": time.perf_counter() - start, "seed": seed}
    ddpm.save(model, scheduler, DDPM_DIR, extra=meta)
    return meta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--flow-epochs", type=int, default=120)
    parser.add_argument("--ddpm-steps", type=int, default=30_000)
    args = parser.parse_args()
    flow_meta = train_flow(args.seed, args.flow_epochs)
    print(
        f"flow: {flow_meta['validation_bits_per_dim']:.3f} bits/dim in {flow_meta['train_seconds']:.0f} s -> {FLOW_DIR}"
    )
    ddpm_meta = train_ddpm(args.seed, args.ddpm_steps)
    print(f"ddpm: {ddpm_meta['steps']} steps in {ddpm_meta['train_seconds']:.0f} s -> {DDPM_DIR}")


if __name__ == "__main__":
    main()
