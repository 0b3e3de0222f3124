"""Input embeddings: each token id picks one row of a learned matrix. Projected to 2-D with PCA, words
used alike (colours, nouns, verbs) sit together; the input's tokens are drawn over the vocabulary.
"""

from dataclasses import dataclass

import numpy as np
import torch

from core.attention.extract import token_strings
from core.attention.models import Transformer

MAX_BACKGROUND = 3000  # vocabulary rows fitted and drawn; large vocabularies are subsampled


@dataclass(frozen=True)
class EmbeddingMap:
    points: np.ndarray  # (T, 2) the input's tokens
    background: np.ndarray  # (N, 2) a sample of the vocabulary
    background_tokens: list[str]
    explained: tuple[float, float]  # variance share of each principal component


def embedding_map(tf: Transformer, ids: list[int], seed: int = 0) -> EmbeddingMap:
    """PCA of the token-embedding matrix, fitted on (a sample of) the vocabulary plus the input's tokens."""
    from sklearn.decomposition import PCA

    table = tf.model.get_input_embeddings().weight.detach().float().cpu()  # (vocab, d)
    vocab = table.shape[0]
    rows = torch.randperm(vocab, generator=torch.Generator().manual_seed(seed))[:MAX_BACKGROUND].sort().values
    pca = PCA(n_components=2, random_state=seed).fit(torch.cat([table[rows], table[ids]]).numpy())
    return EmbeddingMap(
        points=pca.transform(table[ids].numpy()),
        background=pca.transform(table[rows].numpy()),
        background_tokens=token_strings(tf, rows.tolist()),
        explained=tuple(float(v) for v in pca.explained_variance_ratio_),
    )
