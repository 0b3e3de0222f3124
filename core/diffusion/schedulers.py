"""Noise schedulers: the same trained denoiser, sampled with different solvers of the reverse process.

All are `diffusers` schedulers built from one training config with `from_config`, so switching is free:
DDPM (Ho et al. 2020) is the ancestral sampler the model was trained for; DDIM (Song et al. 2021) is its
deterministic shortcut; DPM-Solver++ (Lu et al. 2022) a second-order ODE solver; Euler (Karras et al. 2022)
the first-order one. A consistency-distilled student (`core.diffusion.distill`) brings its own `LCMScheduler`
(Luo et al. 2023), which jumps to the predicted clean image and re-noises it, 1-8 steps. The schedule's
alpha-bar and signal-to-noise ratio are read from the same config.
"""

import numpy as np
from diffusers import (
    DDIMScheduler,
    DDPMScheduler,
    DPMSolverMultistepScheduler,
    EulerDiscreteScheduler,
    LCMScheduler,
)
from diffusers.schedulers.scheduling_utils import SchedulerMixin

from core.diffusion.choices import LCM, SCHEDULER_NAMES, TIMESTEPS
from core.runtime.validate import shown

SCHEDULERS = dict(
    zip(
        SCHEDULER_NAMES,
        [
            (DDPMScheduler, {}),
            (DDIMScheduler, {"thresholding": False}),  # its update reuses the raw noise estimate: keep x_0 raw too
            (DPMSolverMultistepScheduler, {"algorithm_type": "dpmsolver++"}),
            (EulerDiscreteScheduler, {}),
        ],
        strict=True,
    )
)


def training_scheduler() -> DDPMScheduler:
    """The forward process the bundled model is trained on: 1000 steps of the cosine schedule (Nichol & Dhariwal).

    Sampling in pixel space keeps each predicted x_0 inside the image range [-1, 1] (dynamic thresholding,
    Saharia et al. 2022). Sampling starts one stride below T ("leading" spacing, as Stable Diffusion 1.5 does):
    at t = T - 1 the cosine schedule leaves almost no signal, and x_0 predicted from the noise is ill-conditioned.
    Schedulers built from this config with `make_scheduler` inherit both.
    """
    return DDPMScheduler(
        num_train_timesteps=TIMESTEPS,
        beta_schedule="squaredcos_cap_v2",
        clip_sample=False,
        thresholding=True,
        sample_max_value=1.0,
        timestep_spacing="leading",
        steps_offset=0,
    )


def make_scheduler(name: str, base: SchedulerMixin) -> SchedulerMixin:
    """Scheduler `name` with `base`'s training schedule and timestep spacing (each model's own config). LCM is a
    distilled student's own sampler: `base` must be its LCMScheduler, and no other model samples with it."""
    distilled = isinstance(base, LCMScheduler)
    if (name == LCM) != distilled:
        raise ValueError(
            "the LCM sampler belongs to a consistency-distilled model and a distilled model samples only with it: "
            f"pick {LCM} for the distilled model and another scheduler for the original"
        )
    if distilled:
        return LCMScheduler.from_config(base.config)
    if name not in SCHEDULERS:
        raise ValueError(f"unknown scheduler {shown(name)}: choose one of {', '.join(SCHEDULERS)}")
    cls, extra = SCHEDULERS[name]
    return cls.from_config(base.config, **extra)


def snr(scheduler: SchedulerMixin):
    """Signal-to-noise ratio alpha-bar_t / (1 - alpha-bar_t), (T,)."""
    abar = scheduler.alphas_cumprod
    return abar / (1 - abar)


def set_timesteps(scheduler: SchedulerMixin, steps: int, device=None) -> None:
    """Give `scheduler` `steps` timesteps from near T down to 0, spaced as its config says.

    DPM-Solver++'s own "leading" spacing strides by T // (steps + 1): from 500 steps on the stride is 1 and
    sampling starts at t = steps instead of near T, and at 1000 steps the stride is 0, every timestep is 0 and
    the solver reads past its last sigma. It gets the stride T // steps that DDPM, DDIM and Euler use.
    """
    config = scheduler.config
    if isinstance(scheduler, DPMSolverMultistepScheduler) and config.timestep_spacing == "leading":
        stride = config.num_train_timesteps // steps
        timesteps = np.arange(steps)[::-1] * stride + config.steps_offset  # (steps,), e.g. 999, 998, ..., 0
        scheduler.set_timesteps(timesteps=timesteps.tolist(), device=device)
    else:
        scheduler.set_timesteps(steps, device=device)
