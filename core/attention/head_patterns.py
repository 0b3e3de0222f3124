"""Head patterns, measured ("each head looks for different patterns"): the share of a head's attention that lands where a
simple rule points (the previous token, the first token, the same token, or the diagonal between source
and target), averaged over the query positions. A head is labelled by its best rule when that share is high.
"""

from dataclasses import dataclass

import torch

SELF_PATTERNS = ("previous token", "first token", "same token")
CROSS_PATTERNS = ("diagonal alignment",)
LABEL_THRESHOLD = 0.5  # a head is named after a pattern that takes at least half of its attention


def pattern_masks(stack: str, q_ids: list[int], k_ids: list[int]) -> dict[str, torch.Tensor]:
    """pattern -> (Tq, Tk) boolean mask of the keys the rule points at for each query."""
    Tq, Tk = len(q_ids), len(k_ids)
    if stack == "cross":
        target = torch.arange(Tq) * (Tk - 1) / max(Tq - 1, 1)  # the source position on the straight diagonal
        dist = (torch.arange(Tk)[None, :] - target[:, None]).abs()  # (Tq, Tk)
        return {"diagonal alignment": dist <= 1.0}
    q = torch.tensor(q_ids)
    k = torch.tensor(k_ids)
    i, j = torch.arange(Tq)[:, None], torch.arange(Tk)[None, :]
    return {
        "previous token": j == i - 1,
        "first token": (j == 0).expand(Tq, Tk),
        "same token": q[:, None] == k[None, :],
    }


@dataclass(frozen=True)
class HeadLabel:
    layer: int
    head: int
    label: str  # the best pattern, or "mixed" when none reaches LABEL_THRESHOLD
    scores: dict[str, float]  # pattern -> mean attention share in [0, 1]


def label_heads(attn: torch.Tensor, stack: str, q_ids: list[int], k_ids: list[int]) -> list[HeadLabel]:
    """Score every head of `attn` (L, nh, Tq, Tk) against each pattern of its stack."""
    masks = pattern_masks(stack, q_ids, k_ids)
    first_query = 1 if stack != "cross" else 0  # the first query has no previous token and only itself to see
    labels = []
    for layer in range(attn.shape[0]):
        for head in range(attn.shape[1]):
            a = attn[layer, head]  # (Tq, Tk)
            scores = {name: (a * m)[first_query:].sum(-1).mean().item() for name, m in masks.items()}
            best = max(scores, key=scores.get)
            labels.append(HeadLabel(layer, head, best if scores[best] >= LABEL_THRESHOLD else "mixed", scores))
    return labels
