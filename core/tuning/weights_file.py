"""A tuned model as a file a student keeps: its weights in safetensors (tensors and a text header, no code that runs
on loading), and the checks that let such a file be uploaded again: the right kind of file, of the base model's
size, holding every weight of the base model under its name and shape, all of them finite.
"""

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from core.prompting.models import LanguageModel
from core.runtime.validate import shown
from core.tuning.sessions import MODELS

SUFFIX = ".safetensors"
FORMAT = "genai-demos tuning lab"  # the header's "format"; "model" says which of `MODELS` the file holds
HEADER_ALLOWANCE = 2**20  # bytes a file may hold beyond its tensors: the header of names, shapes and offsets
SHOWN_NAMES = 3  # weight names an error message lists
UPLOAD_THESE = "upload the tuned weights that 'Download my tuned models' gave you"
DOWNLOADS = Path(tempfile.gettempdir()) / "genai-tuning-downloads"
DOWNLOAD_KEEP_S = 600  # the page copies a download at once; older download folders are removed


def expected_weights(base: LanguageModel) -> dict[str, Any]:
    """The tensors a file of `base`'s architecture holds: every parameter once (a tied weight under its first
    name), by name."""
    return dict(base.model.named_parameters())


def describe(lm: LanguageModel) -> str:
    """The base model a file is for, in words: its architecture and size (no path of this server)."""
    return f"{type(lm.model).__name__} of {sum(p.numel() for p in expected_weights(lm).values()):,} parameters"


def download_folder(parent: Path = DOWNLOADS) -> Path:
    """A new folder under `parent` for files about to go to the page; folders older than DOWNLOAD_KEEP_S go."""
    parent.mkdir(parents=True, exist_ok=True)
    for old in parent.iterdir():
        if time.time() - old.stat().st_mtime > DOWNLOAD_KEEP_S:
            shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(dir=parent))


def save_weights(lm: LanguageModel, model: str, folder: Path) -> Path:
    """Write `lm`'s weights to `folder`/<model>.safetensors, `model` being which of `MODELS` it is."""
    from safetensors.torch import save_file

    if model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}, got {model!r}")
    path = Path(folder) / f"{model}{SUFFIX}"
    tensors = {name: p.detach().cpu().contiguous() for name, p in expected_weights(lm).items()}
    save_file(tensors, path, metadata={"format": FORMAT, "model": model, "base": describe(lm)})
    return path


def _listed(names: set[str]) -> str:
    first = sorted(names)[:SHOWN_NAMES]
    return ", ".join(first) + (f" and {len(names) - len(first)} more" if len(names) > len(first) else "")


def _checked_file(path: object, base: LanguageModel) -> Path:
    """`path` as an existing .safetensors file no larger than a tuned copy of `base` can be."""
    if not isinstance(path, str | Path) or not str(path).strip():
        raise ValueError(f"the tuned weights to restore must be a {SUFFIX} file, got {shown(path)}: {UPLOAD_THESE}")
    path = Path(path)
    if path.suffix.lower() != SUFFIX:
        raise ValueError(f"{path.name} is not a {SUFFIX} file: {UPLOAD_THESE}")
    if not path.is_file():
        raise ValueError(f"{path.name} could not be read: upload the tuned weights again")
    largest = sum(p.numel() * p.element_size() for p in expected_weights(base).values()) + HEADER_ALLOWANCE
    size = path.stat().st_size
    if size > largest:
        raise ValueError(
            f"{path.name} is {size / 2**20:.1f} MB, more than a tuned copy of this lab's base model can be "
            f"({largest / 2**20:.1f} MB): {UPLOAD_THESE}"
        )
    return path


def _check_header(name_of_file: str, header: dict[str, str], names: set[str], base: LanguageModel) -> str:
    """Which of `MODELS` the file holds, from its header, after checking that it names every weight of `base`."""
    model = header.get("model")
    if header.get("format") != FORMAT or model not in MODELS:
        raise ValueError(
            f"{name_of_file} is a safetensors file, but not one of this lab's tuned models: {UPLOAD_THESE}"
        )
    expected = set(expected_weights(base))
    missing, extra = expected - names, names - expected
    if missing or extra:
        faults = ([f"lacks {_listed(missing)}"] if missing else []) + ([f"has {_listed(extra)}"] if extra else [])
        raise ValueError(
            f"{name_of_file} {' and '.join(faults)}: it holds the weights of another base model "
            f"({header.get('base', 'not named')}; this lab tunes a {describe(base)}): {UPLOAD_THESE}"
        )
    return model


def _read(path: Path, base: LanguageModel) -> tuple[str, dict[str, Any]]:
    """The model a checked file holds (one of `MODELS`) and its tensors, or a ValueError that says what is wrong."""
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(path), framework="pt") as file:
            names = set(file.keys())
            model = _check_header(path.name, file.metadata() or {}, names, base)
            return model, {name: file.get_tensor(name) for name in names}
    except SafetensorError as err:
        raise ValueError(f"{path.name} is not a readable safetensors file ({err}): {UPLOAD_THESE}") from None


def _check_tensors(name_of_file: str, tensors: dict[str, Any], base: LanguageModel) -> None:
    import torch

    for name, p in expected_weights(base).items():
        t = tensors[name]
        if tuple(t.shape) != tuple(p.shape) or t.dtype != p.dtype:
            raise ValueError(
                f"{name_of_file}: {name} is {t.dtype} of shape {tuple(t.shape)}, but this lab's base model has "
                f"{p.dtype} of shape {tuple(p.shape)}: {UPLOAD_THESE}"
            )
        if not bool(torch.isfinite(t).all()):
            raise ValueError(
                f"{name_of_file}: {name} holds NaN or infinite values, so the model could not answer: "
                "upload the tuned weights as they were downloaded, or tune again"
            )


def load_weights(path: object, base: LanguageModel) -> tuple[str, LanguageModel]:
    """Which of `MODELS` the file at `path` holds, and that model: a private copy of `base` with the file's weights.
    A ValueError says what is wrong with a file that is not a tuned copy of `base`."""
    import torch

    from core.tuning.policy import private_copy

    path = _checked_file(path, base)
    model, tensors = _read(path, base)
    _check_tensors(path.name, tensors, base)
    tuned = private_copy(base)
    with torch.no_grad():
        for name, p in expected_weights(tuned).items():
            p.copy_(tensors[name])
    tuned.model.eval()
    return model, tuned
