"""The forward process, explored: q(x_t | x_0) = N(sqrt(abar_t) x_0, (1 - abar_t) I) (Ho et al. 2020, eq. 4).

Any image can be noised to any step t with `scheduler.add_noise`; by the last step almost no signal is left and
x_T is close to N(0, I). Two schedules are compared: the cosine one the bundled model is trained with (Nichol &
Dhariwal 2021) and Stable Diffusion's "scaled linear" one.
"""

from dataclasses import dataclass

import numpy as np
import torch
from diffusers import DDPMScheduler

from core.diffusion.choices import COSINE, SCALED_LINEAR, TIMESTEPS
from core.diffusion.schedulers import snr, training_scheduler
from core.runtime.seeding import randn
from core.runtime.validate import shown

SCHEDULES = {
    COSINE: training_scheduler,
    SCALED_LINEAR: lambda: DDPMScheduler(
        num_train_timesteps=TIMESTEPS, beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012
    ),
}
DEFAULT_SCHEDULE = COSINE


def schedule(name: str) -> DDPMScheduler:
    if name not in SCHEDULES:
        raise ValueError(f"unknown schedule {shown(name)}: choose one of {', '.join(SCHEDULES)}")
    return SCHEDULES[name]()


def q_sample(image: np.ndarray, t: int, seed: int, schedule_name: str) -> torch.Tensor:
    """x_t ~ q(x_t | x_0) for an (H, W, 3) uint8 image x_0: sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps, a (1, 3, H, W)
    float tensor in the model's [-1, 1] scale, unclipped."""
    scheduler = schedule(schedule_name)
    last = scheduler.config.num_train_timesteps - 1
    if not 0 <= int(t) <= last:
        raise ValueError(f"timestep must be from 0 to {last}, got {shown(t)}")
    x_0 = torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1)[None].float() / 127.5 - 1  # (1, 3, H, W)
    noise = randn(tuple(x_0.shape), seed, x_0.device)
    return scheduler.add_noise(x_0, noise, torch.tensor([int(t)]))


def q_sample_picture(image: np.ndarray, t: int, seed: int, schedule_name: str) -> np.ndarray:
    """`q_sample` for display: the (H, W, 3) uint8 picture of x_t, clipped to [-1, 1]."""
    x_t = q_sample(image, t, seed, schedule_name)  # (1, 3, H, W)
    return ((x_t.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)[0].permute(1, 2, 0).numpy()


def curves(schedule_name: str) -> dict[str, np.ndarray]:
    """t, alpha-bar_t and log10 SNR(t) of one schedule, (T,) each."""
    scheduler = schedule(schedule_name)
    abar = scheduler.alphas_cumprod
    return {
        "t": np.arange(len(abar)),
        "alpha_bar": abar.numpy(),
        "log10_snr": torch.log10(snr(scheduler)).numpy(),
    }


@dataclass(frozen=True)
class Noised:
    t: int
    x_t: np.ndarray  # (H, W, 3) uint8 picture of x_t
    alpha_bar: float  # abar_t: the share of the signal's variance left at t

    def line(self) -> str:
        return (
            f"t = {self.t}: sqrt(alpha-bar) = {self.alpha_bar**0.5:.3f} of the signal is left, "
            f"noise std {(1 - self.alpha_bar) ** 0.5:.3f}"
        )


def noised(image: np.ndarray, t: int, seed: int, schedule_name: str) -> Noised:
    """The (H, W, 3) uint8 image x_0 noised to step t, and how much of it is left."""
    x_t = q_sample_picture(image, t, seed, schedule_name)
    return Noised(int(t), x_t, float(schedule(schedule_name).alphas_cumprod[int(t)]))
