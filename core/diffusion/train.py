"""Train the bundled text-to-image model on freshly rendered captioned shapes.

The DDPM objective (Ho et al. 2020, eq. 14): noise a clean image to a random step t with the forward process,
ask the UNet for the noise given the caption, and regress it. The text encoder learns jointly. One caption in
ten is replaced by "" so the same network also learns the unconditional model that classifier-free guidance needs.
Scenes with a held-out colour-shape-place combination (core.diffusion.held_out) never appear, so the evaluation
can measure composition on combinations the model has not seen. The weights kept are an exponential moving
average of the trained ones (`diffusers.training_utils.EMAModel`).

    python -m core.diffusion.train --out core/diffusion/weights/shapes-t2i   # about an hour on 2 CPU cores
"""

import argparse
import json
import math
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from diffusers.training_utils import EMAModel
from tqdm import tqdm

from core.diffusion.held_out import HELD_OUT, training_batch
from core.diffusion.pipeline import ShapesPipeline, build_unet, from_images
from core.diffusion.schedulers import training_scheduler
from core.diffusion.text import build_text_encoder, build_tokenizer
from core.runtime.training import Training

WEIGHTS = Path(__file__).resolve().parent / "weights" / "shapes-t2i"
TRAINING = Training(steps=7000, batch_size=32, learning_rate=1e-3)  # the bundled model's run


def learning_rate(step: int, steps: int, peak: float, warmup: int = 200) -> float:
    """Linear warm-up, then cosine decay to zero."""
    if step < warmup:
        return peak * (step + 1) / warmup
    return peak * 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, steps - warmup)))


def clean_batch(rng: np.random.Generator, batch: int) -> tuple[torch.Tensor, list]:
    """x_0 for a batch of fresh training scenes (no held-out combination), (B, 3, 32, 32) in [-1, 1], and the scenes."""
    images, scenes = training_batch(rng, batch)
    return from_images(images), scenes


def gradient_step(optimizer: torch.optim.Optimizer, loss: torch.Tensor, params) -> float:
    """Backpropagate `loss`, clip the gradients of `params` to norm 1 and take one optimizer step; the loss."""
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 1.0)
    optimizer.step()
    return loss.item()


def show_loss(bar: tqdm, losses: list[float], step: int, digits: int) -> None:
    """Every 50 steps, the mean of the last 50 losses on the progress bar."""
    if step % 50 == 0:
        bar.set_postfix(loss=f"{np.mean(losses[-50:]):.{digits}f}")


def checkpoint_due(step: int, steps: int, save_every: int) -> bool:
    """Whether to save after `step` (0-based): every `save_every` steps, and after the last."""
    return (step + 1) % save_every == 0 or step + 1 == steps


def loss_record(losses: list[float], start: float, digits: int) -> dict:
    """The training record's time since `start` (perf_counter seconds) and its loss curve, 100 steps a point."""
    return {
        "train_seconds": round(time.perf_counter() - start, 1),
        "loss_every_100": [round(float(np.mean(losses[i : i + 100])), digits) for i in range(0, len(losses), 100)],
    }


def train(
    out: Path,
    training: Training = TRAINING,
    drop_caption: float = 0.1,
    ema_decay: float = 0.999,
    save_every: int = 1000,
) -> dict:
    steps, batch, lr, seed = training.steps, training.batch_size, training.learning_rate, training.seed
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    generator = torch.Generator().manual_seed(seed)
    tokenizer = build_tokenizer()
    text_encoder = build_text_encoder(tokenizer)
    unet = build_unet(text_encoder.config.hidden_size)
    scheduler = training_scheduler()
    params = [*unet.parameters(), *text_encoder.parameters()]
    optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    ema = EMAModel(params, decay=ema_decay)
    pipe = ShapesPipeline(unet=unet, text_encoder=text_encoder, tokenizer=tokenizer, scheduler=scheduler)
    losses: list[float] = []
    start = time.perf_counter()
    bar = tqdm(range(steps), desc="training", unit="step")
    for step in bar:
        x_0, scenes = clean_batch(rng, batch)
        captions = ["" if rng.random() < drop_caption else s.caption for s in scenes]
        noise = torch.randn(x_0.shape, generator=generator)
        t = torch.randint(0, scheduler.config.num_train_timesteps, (batch,), generator=generator)
        x_t = scheduler.add_noise(x_0, noise, t)  # forward process q(x_t | x_0)
        loss = torch.nn.functional.mse_loss(unet(x_t, t, encoder_hidden_states=pipe.encode(captions)).sample, noise)
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, steps, lr)
        losses.append(gradient_step(optimizer, loss, params))
        ema.step(params)
        show_loss(bar, losses, step, digits=4)
        if checkpoint_due(step, steps, save_every):
            meta = {
                "steps": step + 1,
                "batch": batch,
                "lr": lr,
                "drop_caption": drop_caption,
                "ema_decay": ema_decay,
                "seed": seed,
                "held_out": [list(c) for c in HELD_OUT],
                **loss_record(losses, start, digits=5),
            }
            save(pipe, ema, params, out, meta)
    return meta


def save(pipe: ShapesPipeline, ema: EMAModel, params: list[torch.nn.Parameter], out: Path, meta: dict) -> None:
    """Write the pipeline with the EMA weights swapped in, then restore the trained ones."""
    ema.store(params)
    ema.copy_to(params)
    pipe.save_pretrained(out)
    ema.restore(params)
    (out / "training.json").write_text(json.dumps(meta, indent=1) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    parser.add_argument("--steps", type=int, default=TRAINING.steps)
    parser.add_argument("--batch", type=int, default=TRAINING.batch_size)
    parser.add_argument("--seed", type=int, default=TRAINING.seed)
    args = parser.parse_args()
    meta = train(args.out, replace(TRAINING, steps=args.steps, batch_size=args.batch, seed=args.seed))
    print(f"trained {meta['steps']} steps in {meta['train_seconds']:.0f} s; weights in {args.out}")


if __name__ == "__main__":
    main()
