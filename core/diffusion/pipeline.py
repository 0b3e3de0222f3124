"""The bundled text-to-image model: Stable Diffusion's parts at toy scale, in pixel space.

A `diffusers.DiffusionPipeline` of four components, saved with `save_pretrained` and loaded with
`from_pretrained` like any hub pipeline: a word-level tokenizer, a CLIP text encoder, a
`UNet2DConditionModel` whose cross-attention reads the text, and a noise scheduler. There is no VAE:
at 32x32 the UNet denoises the pixels themselves, scaled to [-1, 1].
"""

import numpy as np
import torch
from diffusers import DiffusionPipeline, UNet2DConditionModel
from diffusers.schedulers.scheduling_utils import SchedulerMixin
from transformers import CLIPTextModel, PreTrainedTokenizerFast

from core.diffusion.sampling import denoise
from core.diffusion.shapes import SIZE
from core.diffusion.text import MAX_TOKENS


def build_unet(cross_attention_dim: int) -> UNet2DConditionModel:
    """About 1.6M parameters: 32 -> 16 -> 8 pixels, cross-attention to the text at 16x16 and 8x8."""
    return UNet2DConditionModel(
        sample_size=SIZE,
        in_channels=3,
        out_channels=3,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
        block_out_channels=(32, 64, 64),
        layers_per_block=1,
        norm_num_groups=8,
        cross_attention_dim=cross_attention_dim,
        attention_head_dim=4,  # diffusers reads this as the number of heads
    )


def to_images(x: torch.Tensor) -> np.ndarray:
    """(N, 3, H, W) in [-1, 1] -> (N, H, W, 3) uint8."""
    x = ((x.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    return x.permute(0, 2, 3, 1).cpu().numpy()


def from_images(images: np.ndarray) -> torch.Tensor:
    """(N, H, W, 3) uint8 -> (N, 3, H, W) float in [-1, 1]."""
    return torch.from_numpy(images).permute(0, 3, 1, 2).float() / 127.5 - 1


class ShapesPipeline(DiffusionPipeline):
    """Caption -> 32x32 image by classifier-free-guided denoising; see `core.diffusion.sampling` for the loop."""

    def __init__(
        self,
        unet: UNet2DConditionModel,
        text_encoder: CLIPTextModel,
        tokenizer: PreTrainedTokenizerFast,
        scheduler: SchedulerMixin,
    ) -> None:
        super().__init__()
        self.register_modules(unet=unet, text_encoder=text_encoder, tokenizer=tokenizer, scheduler=scheduler)

    def encode(self, captions: list[str]) -> torch.Tensor:
        """Per-token text states (N, 16, 64) that the UNet cross-attends to; "" is the unconditional caption."""
        ids = self.tokenizer(
            captions, padding="max_length", max_length=MAX_TOKENS, truncation=True, return_tensors="pt"
        ).input_ids  # (N, 16)
        return self.text_encoder(ids.to(self.text_encoder.device)).last_hidden_state

    @torch.inference_mode()
    def __call__(
        self, prompt: str, noise: torch.Tensor, steps: int, guidance: float, generator: torch.Generator
    ) -> np.ndarray:
        """The final images, (N, 32, 32, 3) uint8, for `noise` (N, 3, 32, 32) drawn from a standard normal."""
        n = len(noise)
        text = self.encode([prompt]).expand(n, -1, -1)  # (N, 16, 64): one encoding serves every image
        empty = self.encode([""]).expand(n, -1, -1) if guidance > 1.0 else None
        loop = denoise(self.unet, self.scheduler, text, empty, noise, steps, guidance, generator)
        *_, last = self.progress_bar(loop, total=steps)
        return to_images(last.sample)
