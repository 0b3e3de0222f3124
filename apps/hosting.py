"""Which model a demo runs where: the small bundled model on a CPU, the real hub model on a GPU Space,
and one line in the page that says which. A Space's `app.py` calls `prefer_hub_models` before it imports
the demo and `load_models` after."""

import os

from core.runtime import default_source, get_model, gpu_available, on_zerogpu, spec_for
from core.runtime.registry import BUNDLED


def prefer_hub_models(names: tuple[str, ...]) -> list[str]:
    """On a GPU, make each model's hub default the default (unless `GENAI_MODEL_<NAME>` is set); the names switched.

    On ZeroGPU, `spaces` is imported first, before torch, so that it can take over CUDA in this process.
    """
    if on_zerogpu():
        import spaces  # noqa: F401 - the PyPI package of ZeroGPU Spaces

    if not names or not gpu_available():
        return []
    switched = []
    for name in names:
        spec = spec_for(name)
        if spec.hub_default and not os.environ.get(spec.env_var):
            os.environ[spec.env_var] = spec.hub_default
            switched.append(name)
    return switched


def load_models(names: tuple[str, ...]) -> None:
    """Load every model now, before the Space serves its first request.

    On ZeroGPU this must happen at import, so that the weights are placed on CUDA before any `gpu` function runs
    (ZeroGPU moves them to the GPU it lends for each call). Elsewhere it means a visitor never waits for a load,
    and a request never imports a library while a background thread is still importing it.
    """
    for name in names:
        get_model(name)


def model_line(name: str) -> str:
    """One Markdown line: which model the menu starts on, and where it runs."""
    spec = spec_for(name)
    source = default_source(name)
    if source == BUNDLED:
        hub = f"; on a GPU Space it is `{spec.hub_default}` from the Hugging Face Hub" if spec.hub_default else ""
        return f"Model: the small model bundled with this demo, fast enough on a CPU{hub}."
    where = "on the GPU" if gpu_available() else "on the CPU (slow: no GPU found)"
    return f"Model: `{source}` from the Hugging Face Hub, {where}; choose `{BUNDLED}` for the small model trained here."


def family_line() -> str:
    """One Markdown line naming the one base model that the prompting lab, the tuning lab and the transformer
    explorer share, and its model card."""
    return (
        "One model family: `lab-lm`, the base model pre-trained here (model card: `core/prompting/model/README.md`), "
        "is the model the prompting lab prompts, the transformer explorer opens and the tuning lab tunes, into `lab-lm-sft` "
        "(instruction-tuned) and `lab-lm-ppo` (then feedback-tuned)."
    )
