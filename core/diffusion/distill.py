"""Distil the bundled text-to-image model into a student that samples in 1-4 steps: consistency distillation
with the guidance folded in, as in Latent Consistency Models (Luo et al. 2023) and diffusers' LCM training
scripts, here in pixel space.

A consistency model f(x_t, t) maps any point of a sampling trajectory straight to its end, the clean image
(Song et al. 2023), so one call can replace the whole reverse process. Training pairs two neighbouring points of
one trajectory of the *teacher*: a training image noised to t_{n+k}, and the point at t_n that one DDIM step of
the guided teacher reaches from it. The student's answer at t_{n+k} is pulled towards the answer at t_n of a
slowly moving copy of itself (the target network, an exponential moving average). Boundary conditions make f the
identity at t = 0: f = c_skip(t) x_t + c_out(t) x0_pred(x_t, t). The guidance scale w is drawn per image and given
to the student as an extra embedding (`time_cond_proj_dim`), so a sample needs one UNet call per step, not two.

The student predicts v (Salimans & Ho 2022) rather than the noise: on the cosine schedule alpha-bar at t = 999 is
almost 0, and a clean image computed from predicted noise there is ill-conditioned, while x_0 = sqrt(abar) x_t -
sqrt(1 - abar) v stays well-behaved. It samples with `diffusers.LCMScheduler`, whose 50 "original" timesteps are the
DDIM solver's here.

    python -m core.diffusion.distill   # 1600 steps of 32: about 45 minutes on 2 idle CPU cores
"""

import argparse
import copy
import inspect
import json
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from diffusers import LCMScheduler, UNet2DConditionModel
from tqdm import tqdm

from core.diffusion.choices import DISTILLED_DIR, MODEL_DIR
from core.diffusion.pipeline import ShapesPipeline
from core.diffusion.sampling import W_EMBEDDING, guidance_embedding
from core.diffusion.train import checkpoint_due, clean_batch, gradient_step, loss_record, show_loss
from core.runtime.training import Training

SOLVER_STEPS = 50  # DDIM steps that split the teacher's trajectory; LCMScheduler's original_inference_steps
GUIDANCE_RANGE = (2.0, 6.0)  # guidance scales the student learns, drawn uniformly per image
TRAINING = Training(steps=1600, batch_size=32, learning_rate=1e-4)  # the bundled student's run


def student_unet(teacher: UNet2DConditionModel) -> UNet2DConditionModel:
    """The teacher's UNet with a guidance input added, its weights copied (the new projection starts random)."""
    student = UNet2DConditionModel.from_config(teacher.config, time_cond_proj_dim=W_EMBEDDING)
    missing, unexpected = student.load_state_dict(teacher.state_dict(), strict=False)
    assert not unexpected and all("cond_proj" in key for key in missing), (missing, unexpected)
    return student


def student_scheduler(teacher_scheduler) -> LCMScheduler:
    """LCMScheduler on the teacher's noise schedule (the teacher's DDPM-only settings left out)."""
    known = inspect.signature(LCMScheduler.__init__).parameters
    config = {key: value for key, value in teacher_scheduler.config.items() if key in known}
    return LCMScheduler(**{**config, "prediction_type": "v_prediction", "original_inference_steps": SOLVER_STEPS})


def x0_from_v(x_t: torch.Tensor, v: torch.Tensor, abar: torch.Tensor) -> torch.Tensor:
    """x_0 = sqrt(abar) x_t - sqrt(1 - abar) v; abar is (N, 1, 1, 1)."""
    return abar.sqrt() * x_t - (1 - abar).sqrt() * v


def consistency_output(scheduler: LCMScheduler, unet, x_t, t, text, w_emb, abar) -> torch.Tensor:
    """f(x_t, t) = c_skip x_t + c_out x0_pred: the trajectory's end as the network sees it, (N, C, H, W)."""
    v = unet(x_t, t, encoder_hidden_states=text, timestep_cond=w_emb).sample
    c_skip, c_out = scheduler.get_scalings_for_boundary_condition_discrete(t.float())
    return c_skip[:, None, None, None] * x_t + c_out[:, None, None, None] * x0_from_v(x_t, v, abar)


@torch.no_grad()
def teacher_ddim_step(teacher, x_t, t, t_prev, text, empty, guidance, abar_t, abar_prev) -> torch.Tensor:
    """One DDIM step (Song et al. 2021) of the classifier-free-guided teacher from t to t_prev, (N, C, H, W)."""
    both = teacher(torch.cat([x_t, x_t]), torch.cat([t, t]), encoder_hidden_states=torch.cat([empty, text])).sample
    eps_uncond, eps_text = both.chunk(2)
    eps = eps_uncond + guidance[:, None, None, None] * (eps_text - eps_uncond)
    x0 = ((x_t - (1 - abar_t).sqrt() * eps) / abar_t.sqrt()).clamp(-1, 1)  # the teacher's sampler thresholds x_0
    eps = (x_t - abar_t.sqrt() * x0) / (1 - abar_t).sqrt()  # the noise consistent with the clamped x_0
    return abar_prev.sqrt() * x0 + (1 - abar_prev).sqrt() * eps


def distill(
    out: Path,
    teacher_dir: Path = MODEL_DIR,
    training: Training = TRAINING,
    target_decay: float = 0.95,
    save_every: int = 200,
) -> dict:
    steps, batch, lr, seed = training.steps, training.batch_size, training.learning_rate, training.seed
    generator = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    pipe = ShapesPipeline.from_pretrained(teacher_dir)
    teacher, encoder = pipe.unet.eval().requires_grad_(False), pipe.text_encoder.eval().requires_grad_(False)
    unet = student_unet(teacher).train()
    target = copy.deepcopy(unet).requires_grad_(False)
    scheduler = student_scheduler(pipe.scheduler)
    abar = pipe.scheduler.alphas_cumprod  # (T,)
    T = pipe.scheduler.config.num_train_timesteps
    skip = T // SOLVER_STEPS
    solver_t = torch.arange(1, SOLVER_STEPS + 1) * skip - 1  # (50,) 19, 39, ..., 999: LCMScheduler's own
    optimizer = torch.optim.AdamW(unet.parameters(), lr=lr, weight_decay=0.0)
    empty_states = pipe.encode([""])  # (1, 16, 64)
    losses: list[float] = []
    start = time.perf_counter()
    bar = tqdm(range(steps), desc="distilling", unit="step")
    for step in bar:
        x_0, scenes = clean_batch(rng, batch)
        with torch.no_grad():
            text = pipe.encode([s.caption for s in scenes])  # (B, 16, 64)
        empty = empty_states.expand(batch, -1, -1)
        index = torch.randint(0, SOLVER_STEPS, (batch,), generator=generator)
        t = solver_t[index]  # (B,) t_{n+k}
        t_prev = (t - skip).clamp(min=0)  # (B,) t_n
        guidance = torch.empty(batch).uniform_(*GUIDANCE_RANGE, generator=generator)
        w_emb = guidance_embedding(guidance)  # (B, 64)
        noise = torch.randn(x_0.shape, generator=generator)
        x_t = pipe.scheduler.add_noise(x_0, noise, t)
        abar_t, abar_prev = abar[t][:, None, None, None], abar[t_prev][:, None, None, None]
        prediction = consistency_output(scheduler, unet, x_t, t, text, w_emb, abar_t)
        x_prev = teacher_ddim_step(teacher, x_t, t, t_prev, text, empty, guidance, abar_t, abar_prev)
        with torch.no_grad():
            aim = consistency_output(scheduler, target, x_prev, t_prev, text, w_emb, abar_prev)
        losses.append(gradient_step(optimizer, torch.nn.functional.mse_loss(prediction, aim), unet.parameters()))
        with torch.no_grad():  # the target network trails the student
            for p_target, p in zip(target.parameters(), unet.parameters(), strict=True):
                p_target.lerp_(p, 1 - target_decay)
        show_loss(bar, losses, step, digits=5)
        if checkpoint_due(step, steps, save_every):
            meta = {
                "teacher": str(teacher_dir.name),
                "steps": step + 1,
                "batch": batch,
                "lr": lr,
                "target_decay": target_decay,
                "guidance_range": list(GUIDANCE_RANGE),
                "seed": seed,
                **loss_record(losses, start, digits=6),
            }
            student = ShapesPipeline(unet=target, text_encoder=encoder, tokenizer=pipe.tokenizer, scheduler=scheduler)
            student.save_pretrained(out)
            (out / "training.json").write_text(json.dumps(meta, indent=1) + "\n")
    return meta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DISTILLED_DIR)
    parser.add_argument("--teacher", type=Path, default=MODEL_DIR)
    parser.add_argument("--steps", type=int, default=TRAINING.steps)
    parser.add_argument("--batch", type=int, default=TRAINING.batch_size)
    parser.add_argument("--seed", type=int, default=TRAINING.seed)
    args = parser.parse_args()
    meta = distill(args.out, args.teacher, replace(TRAINING, steps=args.steps, batch_size=args.batch, seed=args.seed))
    print(f"distilled {meta['steps']} steps in {meta['train_seconds']:.0f} s; student in {args.out}")


if __name__ == "__main__":
    main()
