"""Hub models: which files of a repository a loader reads, and their download into the local Hugging Face cache,
failing within seconds, with the bundled alternative named, when the Hub cannot be reached."""

import os
from collections.abc import Iterable

from core.runtime.specs import ModelUnavailable

HUB_PROBE_TIMEOUT_S = 4.0


def in_hub_cache(hub_id: str) -> bool:
    """Whether `hub_id` is in the local Hugging Face cache (its config is there), looked up without the network."""
    from huggingface_hub import try_to_load_from_cache

    try:
        return any(isinstance(try_to_load_from_cache(hub_id, f), str) for f in ("config.json", "model_index.json"))
    except ValueError:  # not a hub id at all (a path, say)
        return False


WEIGHTS = (".safetensors", ".bin", ".ckpt", ".pt", ".pth", ".h5", ".msgpack", ".ot", ".onnx", ".onnx_data",
           ".tflite", ".gguf")  # fmt: skip


def files_to_fetch(files: Iterable[str]) -> list[str]:
    """The files of a hub repository that `from_pretrained` reads: every file but weights, and in each folder the
    PyTorch weights (safetensors rather than .bin; no precision variant such as `model.fp16.safetensors`; in a
    diffusers pipeline, none of the single-file checkpoints beside its folders)."""
    files = list(files)
    pipeline = "model_index.json" in files
    chosen = [f for f in files if not f.endswith(WEIGHTS)]
    folders: dict[str, list[str]] = {}
    for f in files:
        folder, _, file = f.rpartition("/")
        if f.endswith(WEIGHTS) and file.count(".") == 1 and (folder or not pipeline):
            folders.setdefault(folder, []).append(f)
    for weights in folders.values():
        safetensors = [f for f in weights if f.endswith(".safetensors")]
        chosen += safetensors or [f for f in weights if f.endswith(".bin") and "pytorch_model" in f]
    return chosen


def download(hub_id: str) -> None:
    """Fetch what a loader reads of `hub_id` into the local Hugging Face cache, unless it is there already; fail
    fast, with the bundled alternative named, when the Hub cannot be reached."""
    from huggingface_hub import model_info, snapshot_download
    from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError

    alternative = "pick one of the bundled models in the model menu instead"
    if in_hub_cache(hub_id):
        return
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes"):
        raise ModelUnavailable(f"{hub_id!r} is not downloaded on this server, which works offline: {alternative}")
    try:
        info = model_info(hub_id, timeout=HUB_PROBE_TIMEOUT_S)
    except RepositoryNotFoundError:
        raise ModelUnavailable(
            f"{hub_id!r} does not exist on the Hugging Face Hub (check the id): {alternative}"
        ) from None
    except Exception as err:  # noqa: BLE001 - any failure of the probe (DNS, TLS, HTTP, timeout) means unreachable
        raise ModelUnavailable(
            f"the Hugging Face Hub could not be reached for {hub_id!r} ({_what_failed(err)}): {alternative}"
        ) from None
    try:
        snapshot_download(hub_id, allow_patterns=files_to_fetch(s.rfilename for s in info.siblings or ()))
    except GatedRepoError:
        raise ModelUnavailable(
            f"{hub_id!r} is gated on the Hub and this server has no access token: {alternative}"
        ) from None
    except Exception as err:  # noqa: BLE001 - a dropped connection or a full disk: the model is not there either way
        raise ModelUnavailable(
            f"the download of {hub_id!r} stopped ({_what_failed(err)}, or no room for its files): try again, or "
            f"{alternative}"
        ) from None


def _what_failed(err: Exception) -> str:
    """A failed request to the Hub in words, for a visitor (no class names, no server paths)."""
    status = getattr(getattr(err, "response", None), "status_code", None)
    if status:
        return f"it answered with HTTP status {status}"
    return f"no network, or no answer within {HUB_PROBE_TIMEOUT_S:g} s"
