"""Where the text-to-image model comes from, and the settings each kind of model wants. Imports nothing heavy,
so a demo can build its controls before torch and diffusers load.

The bundled model is trained here (`python -m core.diffusion.train`); on a GPU any `diffusers` text-to-image
model id works. SD-Turbo samples in 1 to 4 steps; an SD 1.5-class model takes many steps, which makes it the
one for watching the denoising.
"""

from dataclasses import dataclass
from pathlib import Path

NAME = "text-to-image"  # the registry name
MODEL_DIR = Path(__file__).resolve().parent / "weights" / "shapes-t2i"
BUNDLED = "bundled"  # the registry's word for the bundled copy (core.runtime.registry.BUNDLED)
TURBO = "stabilityai/sd-turbo"
SD15 = "stable-diffusion-v1-5/stable-diffusion-v1-5"
SOURCES = (BUNDLED, TURBO, SD15)
SCHEDULER_NAMES = ("DDPM", "DDIM", "DPM-Solver++", "Euler")
LCM = "LCM"  # a consistency-distilled student's own sampler (diffusers.LCMScheduler); no other model takes it
DEFAULT_SCHEDULER = "DPM-Solver++"
MAX_STEPS = 250  # a live demo's ceiling: 250 steps of 4 images take about half a minute on a laptop CPU
MAX_GUIDANCE = 20.0
MAX_BATCH = 8
MAX_TOGETHER = 2 * MAX_BATCH  # images of the requests that arrive together, sampled as one batch
TIMESTEPS = 1000  # T, the forward process's steps in both noise schedules
COSINE, SCALED_LINEAR = "cosine (bundled model)", "scaled linear (Stable Diffusion)"
NOISE_SCHEDULES = (COSINE, SCALED_LINEAR)  # the forward-process explorer's schedules


@dataclass(frozen=True)
class Settings:
    steps: int
    guidance: float  # classifier-free guidance scale w; w <= 1 turns guidance off, as in diffusers
    licence: str


BUNDLED_SETTINGS = Settings(
    steps=20, guidance=3.0, licence="trained by this project from rendered shapes; same licence as the code"
)
HUB_SETTINGS = {
    TURBO: Settings(
        steps=2,
        guidance=0.0,
        licence="Stability AI community licence (non-commercial research for SD-Turbo): check the model card",
    ),
    SD15: Settings(steps=30, guidance=7.5, licence="CreativeML OpenRAIL-M"),
}
OTHER_HUB = Settings(steps=25, guidance=7.0, licence="see the model card on the Hugging Face Hub")


def menu_source(source: object) -> str:
    """A model menu's entry without its surrounding spaces; "bundled" for an empty entry or one that is not text."""
    return source.strip() if isinstance(source, str) and source.strip() else BUNDLED


def settings_for(source: str) -> Settings:
    """Default steps, guidance and licence for a model menu entry."""
    if source == BUNDLED:
        return BUNDLED_SETTINGS
    return HUB_SETTINGS.get(source, OTHER_HUB)


# The "does it compose?" measurement (core.diffusion.claims): its table's columns, and the most samples per prompt
COMPOSE_HEADERS = ["prompts", "n", "shape", "colour", "place", "size", "all three"]
MAX_COMPOSE_SEEDS = 4  # 240 images: about 2.5 min on a free 2-core CPU, past the time limit on a busy one


# The few-step student (core.diffusion.distill): the bundled model distilled, or a distilled model from the hub
DISTILLED_NAME = "text-to-image-distilled"  # its registry name
DISTILLED_DIR = MODEL_DIR.parent / "shapes-t2i-lcm"
LCM_DREAMSHAPER = "SimianLuo/LCM_Dreamshaper_v7"  # latent consistency distillation of a Stable Diffusion 1.5 model
DISTILLED_SOURCES = (BUNDLED, TURBO, LCM_DREAMSHAPER)
MAX_DISTILLED_STEPS = 8  # consistency models are made for 1-4 steps; a few more show where it stops helping
FIDELITY_HEADERS = ["model", "steps", "n", "shape", "colour", "place", "size", "all three"]
DISTILLED_MARGIN = 0.05  # "as faithful as the original": all three attributes right within 5 points


@dataclass(frozen=True)
class FewSteps:
    steps: int
    guidance: float
    scheduler: str


DISTILLED_SETTINGS = {
    BUNDLED: FewSteps(steps=4, guidance=3.0, scheduler=LCM),  # guidance is an input of the student: one UNet call
    TURBO: FewSteps(steps=1, guidance=0.0, scheduler="Euler"),  # adversarial diffusion distillation, no guidance
    LCM_DREAMSHAPER: FewSteps(steps=4, guidance=8.0, scheduler=LCM),  # its pipeline's own LCM sampler
}
OTHER_DISTILLED = FewSteps(steps=4, guidance=0.0, scheduler="Euler")


def few_step_settings(source: str) -> FewSteps:
    """Default steps, guidance and sampler of a distilled model menu entry."""
    return DISTILLED_SETTINGS.get(source, OTHER_DISTILLED)


def distilled_steps(source: object) -> int:
    """The default steps of a distilled model menu entry (`menu_source`)."""
    return few_step_settings(menu_source(source)).steps
