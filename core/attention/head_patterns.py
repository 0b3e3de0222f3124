"""Head patterns, measured ("each head looks for different patterns"): the share of a head's attention that lands where a
simple rule points (the previous token, the first token, the same token, the token that followed an earlier
copy of the last two tokens, or the diagonal between source and target), averaged over the query positions
where the rule points somewhere. A head is labelled by its best rule when that share is high.

The fourth rule finds induction heads (Olsson et al. 2022): at "Bob likes" after a line "Bob likes 7.", such a
head looks at "7", the answer its example gave, which is how a model copies an answer from a matching example.
"""

from dataclasses import dataclass

import torch

INDUCTION = "induction"
SELF_PATTERNS = ("previous token", "first token", "same token", INDUCTION)
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
        INDUCTION: induction_mask(q, k),
    }


def induction_mask(q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    """(Tq, Tk): key j follows an earlier copy of the query's last two tokens, k[j-2:j] == q[i-1:i+1], j <= i."""
    Tq, Tk = len(q), len(k)
    mask = torch.zeros(Tq, Tk, dtype=torch.bool)
    for i in range(1, Tq):
        for j in range(2, min(i, Tk - 1) + 1):
            mask[i, j] = bool(k[j - 1] == q[i]) and bool(k[j - 2] == q[i - 1])
    return mask


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
    rows = {name: m[first_query:].any(-1) for name, m in masks.items()}  # queries where the rule points somewhere
    labels = []
    for layer in range(attn.shape[0]):
        for head in range(attn.shape[1]):
            a = attn[layer, head]  # (Tq, Tk)
            scores = {
                name: (a * m)[first_query:].sum(-1)[rows[name]].mean().item() if rows[name].any() else 0.0
                for name, m in masks.items()
            }
            best = max(scores, key=scores.get)
            labels.append(HeadLabel(layer, head, best if scores[best] >= LABEL_THRESHOLD else "mixed", scores))
    return labels


def strongest(labels: list[HeadLabel], pattern: str) -> HeadLabel:
    """The head whose attention follows `pattern` most."""
    return max(labels, key=lambda h: h.scores.get(pattern, 0.0))
