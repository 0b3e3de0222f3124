"""The reverse process written out: start from noise x_T and denoise step by step, guided by the text.

One loop serves generation and inpainting. At each step the UNet predicts the noise eps in x_t for the caption
and for the empty caption; classifier-free guidance (Ho & Salimans 2022) extrapolates between them,
eps = eps_uncond + w (eps_text - eps_uncond); `scheduler.step` then gives x_{t-1}. Each step also yields the
predicted clean image x_0 = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t) (Ho et al. 2020, eq. 15), so a student
can watch the image appear. Inpainting follows RePaint (Lugmayr et al. 2022): after every step the known pixels
are replaced by the original image noised to the same step, q(x_{t-1} | x_0), so only the masked region is generated.
"""

import math
from collections.abc import Iterator
from dataclasses import dataclass

import torch
from diffusers import EulerDiscreteScheduler
from diffusers.schedulers.scheduling_utils import SchedulerMixin

from core.diffusion.schedulers import set_timesteps

W_EMBEDDING = 64  # width of a distilled student's guidance embedding (`core.diffusion.distill`)


@dataclass
class Step:
    index: int  # 0 .. steps - 1
    steps: int
    timestep: int  # t, from T - 1 down to 0
    x_t: torch.Tensor  # (N, C, H, W), in the variance-preserving scale, before this step
    x0_pred: torch.Tensor  # (N, C, H, W), the clean image predicted at this step
    sample: torch.Tensor  # (N, C, H, W), x_{t-1}: the sample after this step


def predict_start_from_noise(x_t: torch.Tensor, eps: torch.Tensor, alpha_bar: torch.Tensor) -> torch.Tensor:
    """x_0 = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t), the clean image implied by the predicted noise."""
    return (x_t - (1 - alpha_bar).sqrt() * eps) / alpha_bar.sqrt()


def guidance_embedding(guidance: torch.Tensor, dim: int = W_EMBEDDING) -> torch.Tensor:
    """(N,) guidance scales -> (N, dim) sinusoidal embedding of w = guidance - 1, as LCM pipelines compute it."""
    w = (guidance - 1.0) * 1000.0
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) / (half - 1) * torch.arange(half, dtype=torch.float32))
    angles = w.float()[:, None] * freqs[None, :]  # (N, half)
    return torch.cat([angles.sin(), angles.cos()], dim=1)  # (N, dim)


def guided_noise(
    unet, x: torch.Tensor, t: torch.Tensor, text: torch.Tensor, empty: torch.Tensor | None, guidance: float
) -> torch.Tensor:
    """eps for (N, C, H, W) x at step t with text states (N, L, D); guidance w > 1 uses the empty caption too.
    A distilled student (a UNet with `time_cond_proj_dim`) reads the guidance as an input: one call, no empty caption."""
    width = getattr(getattr(unet, "config", None), "time_cond_proj_dim", None)
    if width:
        w_emb = guidance_embedding(torch.full((len(x),), float(guidance)), width)
        return unet(x, t, encoder_hidden_states=text, timestep_cond=w_emb.to(x.device, x.dtype)).sample
    if empty is None or guidance <= 1.0:
        return unet(x, t, encoder_hidden_states=text).sample
    both = unet(torch.cat([x, x]), t, encoder_hidden_states=torch.cat([empty, text])).sample  # (2N, C, H, W)
    eps_uncond, eps_text = both.chunk(2)
    return eps_uncond + guidance * (eps_text - eps_uncond)


@torch.inference_mode()
def denoise(
    unet,
    scheduler: SchedulerMixin,
    text: torch.Tensor,  # (N, L, D) encoder states of the caption
    empty: torch.Tensor | None,  # (N, L, D) encoder states of the empty caption, for guidance
    noise: torch.Tensor,  # (N, C, H, W) standard normal x_T
    steps: int,
    guidance: float,
    generator: torch.Generator | list[torch.Generator],  # one, or one per image (N)
    known: torch.Tensor | None = None,  # (N, C, H, W) image whose pixels are kept where `keep` is 1
    keep: torch.Tensor | None = None,  # (N, 1, H, W) 1 = keep the known pixel, 0 = generate it
) -> Iterator[Step]:
    """Run the reverse process for `steps` steps, yielding every step."""
    set_timesteps(scheduler, steps, device=noise.device)
    timesteps = scheduler.timesteps
    alpha_bars = scheduler.alphas_cumprod.to(noise.device)
    x = noise * scheduler.init_noise_sigma  # Euler works in sigma scale, the others in variance-preserving scale
    for i, t in enumerate(timesteps):
        x_in = scheduler.scale_model_input(x, t)  # variance-preserving x_t for every scheduler
        eps = guided_noise(unet, x_in, t, text, empty, guidance)  # a distilled student's output is v, not eps
        out = scheduler.step(eps, t, x, generator=generator)
        x = out.prev_sample
        x0_pred = getattr(out, "denoised", None)  # LCMScheduler's clean image: the student's own answer
        if x0_pred is None:
            x0_pred = predict_start_from_noise(x_in, eps, alpha_bars[int(round(float(t)))])
        if known is not None and keep is not None:
            x = keep * _known_at_next_step(scheduler, known, timesteps, i, generator) + (1 - keep) * x
        yield Step(index=i, steps=len(timesteps), timestep=int(round(float(t))), x_t=x_in, x0_pred=x0_pred, sample=x)


def _known_at_next_step(
    scheduler: SchedulerMixin, known: torch.Tensor, timesteps: torch.Tensor, i: int, generator: torch.Generator
) -> torch.Tensor:
    """The known image noised to the step after i, in the scheduler's own scale (exact at the final step)."""
    if i + 1 == len(timesteps):
        return known
    t_next = timesteps[i + 1]
    noise = torch.randn(known.shape, generator=generator).to(known.device)
    if isinstance(scheduler, EulerDiscreteScheduler):  # Euler works in sigma scale: x = x_0 + sigma eps
        return known + scheduler.sigmas[i + 1].to(known.device) * noise
    return scheduler.add_noise(known, noise, t_next.reshape(1).long())
