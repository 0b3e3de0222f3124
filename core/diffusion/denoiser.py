"""What the sampling loop needs from any text-to-image model: text states, the shape of x_T, and the way between
images and the space the UNet denoises (pixels for the bundled model, VAE latents for Stable Diffusion).
"""

import functools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

import core.diffusion.pipeline as pixels
from core.diffusion.choices import NAME, settings_for
from core.runtime import get_model

TEXT_CACHE = 256  # prompts whose encoder states each model keeps (a few MB for the bundled model)


@dataclass
class TextToImage:
    source: str  # "bundled" or a hub id / local folder
    pipe: Any  # a diffusers DiffusionPipeline
    latent: bool  # True: the UNet denoises VAE latents; False: pixels
    streams: bool  # True: the loop is written out here (previews, inpainting); False: the pipeline's own call
    name: str = NAME  # its registry name: NAME, or DISTILLED_NAME for a few-step student
    encoded: Any = field(init=False, repr=False)  # (prompt, guided, device) -> encoder states: a bounded LRU

    def __post_init__(self) -> None:
        self.encoded = functools.lru_cache(maxsize=TEXT_CACHE)(self._encode)

    @property
    def device(self) -> torch.device:
        return self.pipe.unet.device

    @property
    def dtype(self) -> torch.dtype:
        return self.pipe.unet.dtype

    @property
    def distilled(self) -> bool:
        """A consistency-distilled student: its UNet reads the guidance scale as an input (LCM's w embedding)."""
        return getattr(self.pipe.unet.config, "time_cond_proj_dim", None) is not None

    def guided(self, guidance: float) -> bool:
        """Whether sampling at `guidance` runs the empty caption too (classifier-free guidance, w > 1); a distilled
        student reads w as an input and never does."""
        return guidance > 1.0 and not self.distilled

    @property
    def licence(self) -> str:
        return settings_for(self.source).licence

    @property
    def size(self) -> int:
        """The image side the model was trained at, in pixels (32 bundled, 512 for SD-Turbo and SD 1.5)."""
        side = self.pipe.unet.config.sample_size
        return side * self.pipe.vae_scale_factor if self.latent else side

    def text_states(self, prompt: str, n: int, guided: bool) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(text, empty): the caption's and the empty caption's encoder states, (n, L, D) each, read-only views of
        one cached encoding per prompt: a class asking for the same prompt again skips the text encoder."""
        text, empty = self.encoded(prompt, guided, str(self.device))  # (1, L, D) each, on the model's device
        return text.expand(n, -1, -1), empty.expand(n, -1, -1) if empty is not None else None

    @torch.inference_mode()
    def _encode(self, prompt: str, guided: bool, device: str) -> tuple[torch.Tensor, torch.Tensor | None]:
        """One encoding of `prompt` (and of the empty caption when `guided`); `device` keys the cache, so a model
        moved to another device (a ZeroGPU call) encodes again there."""
        if not self.latent:
            return self.pipe.encode([prompt]), self.pipe.encode([""]) if guided else None
        return self.pipe.encode_prompt(prompt, self.device, 1, guided, "")

    def noise_shape(self, n: int, size: int) -> tuple[int, int, int, int]:
        """Shape of x_T for n images of size x size pixels."""
        channels = self.pipe.unet.config.in_channels
        side = size // self.pipe.vae_scale_factor if self.latent else size
        return (n, channels, side, side)

    @torch.inference_mode()
    def to_images(self, x: torch.Tensor) -> np.ndarray:
        """Denoiser space (N, C, h, w) -> (N, H, W, 3) uint8 images (VAE-decoded for latent models)."""
        if self.latent:
            x = self.pipe.vae.decode(x.to(self.dtype) / self.pipe.vae.config.scaling_factor).sample
        return pixels.to_images(x.float())

    @torch.inference_mode()
    def from_images(self, images: np.ndarray) -> torch.Tensor:
        """(N, H, W, 3) uint8 -> denoiser space (N, C, h, w) on the model's device."""
        x = pixels.from_images(images).to(self.device)
        if self.latent:
            x = self.pipe.vae.encode(x.to(self.dtype)).latent_dist.mean * self.pipe.vae.config.scaling_factor
        return x.to(self.dtype)

    def safe(self, images: np.ndarray) -> tuple[np.ndarray, list[bool]]:
        """Run the pipeline's safety checker where it has one: flagged images come back black."""
        checker = getattr(self.pipe, "safety_checker", None)
        if checker is None:
            return images, [False] * len(images)
        checked, flagged = self.pipe.run_safety_checker(images.astype(np.float32) / 255, self.device, self.dtype)
        return (np.asarray(checked) * 255).round().astype(np.uint8), [bool(f) for f in flagged]

    def __reduce__(self):
        """Pickle as a registry reference: a ZeroGPU worker finds the already loaded model by name."""
        return get_model, (self.name, self.source)
