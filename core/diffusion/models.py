"""The text-to-image model in the registry as "text-to-image": the bundled pixel-space pipeline, or any
`diffusers` text-to-image pipeline from the hub, loaded with `AutoPipelineForText2Image` (half precision on CUDA,
with the model's own safety checker where it ships one). Both come back wrapped in
`core.diffusion.denoiser.TextToImage`. Importing this module is cheap: torch and diffusers load in `load`.
"""

import json
from pathlib import Path

from core.diffusion.choices import (
    BUNDLED,
    DISTILLED_DIR,
    DISTILLED_NAME,
    LCM_DREAMSHAPER,
    MODEL_DIR,
    NAME,
    SD15,
    TURBO,
)
from core.runtime import ModelSpec, register


def _class_name(folder: Path) -> str | None:
    index = folder / "model_index.json"
    return json.loads(index.read_text())["_class_name"] if index.is_file() else None


def load(source: str, name: str = NAME):
    """The bundled pipeline from its folder, or any diffusers text-to-image pipeline from a folder or hub id."""
    from core.diffusion.denoiser import TextToImage
    from core.runtime import pick_device, pick_dtype

    device = pick_device()
    folder = Path(source)
    if folder.is_dir() and _class_name(folder) == "ShapesPipeline":
        from core.diffusion.pipeline import ShapesPipeline

        pipe = ShapesPipeline.from_pretrained(source).to(device)
        pipe.set_progress_bar_config(disable=True)
        bundled = folder.resolve() in (MODEL_DIR, DISTILLED_DIR)
        return TextToImage(BUNDLED if bundled else source, pipe, latent=False, streams=True, name=name)
    from diffusers import AutoPipelineForText2Image, StableDiffusionPipeline

    pipe = AutoPipelineForText2Image.from_pretrained(source, dtype=pick_dtype(device)).to(device)
    pipe.set_progress_bar_config(disable=True)
    streams = isinstance(pipe, StableDiffusionPipeline)  # SD 1.x/2.x and Turbo: the loop here knows their parts
    return TextToImage(source, pipe, latent=True, streams=streams, name=name)


def load_distilled(source: str):
    """A few-step model: the bundled student, or a distilled pipeline from the hub (SD-Turbo, an LCM). A hub model
    that the main menu has loaded already (SD-Turbo on a GPU Space) is that same object, not a second copy."""
    from core.runtime import get_model
    from core.runtime.registry import is_loaded

    if not Path(source).is_dir() and is_loaded(NAME, source):
        return get_model(NAME, source)
    return load(source, DISTILLED_NAME)


# A 1.7 M-parameter text-conditioned pixel-space diffusion model trained on captioned shapes
SPEC = register(ModelSpec(name=NAME, bundled=MODEL_DIR, load=load, hub=(TURBO, SD15)))

# The bundled model distilled into a 1-4 step student (consistency distillation)
DISTILLED_SPEC = register(
    ModelSpec(name=DISTILLED_NAME, bundled=DISTILLED_DIR, load=load_distilled, hub=(TURBO, LCM_DREAMSHAPER))
)
