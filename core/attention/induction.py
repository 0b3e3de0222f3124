"""The induction head at the query (Olsson et al. 2022): at "Bob likes" after a line "Bob likes 7.", the head
that reads "7", the token that followed the earlier copy of the last two tokens, and how far the model's
probability of "7" falls when that head is removed. The induction score of `head_patterns` averages the same
share over every position whose last two tokens occurred earlier, so repeated pairs such as "." then a line
break count as much there as the answer does here.
"""

from dataclasses import dataclass

import torch

from core.attention.ablation import head_removed
from core.attention.extract import AttentionView, run, token_strings
from core.attention.head_patterns import INDUCTION, induction_mask, label_heads
from core.attention.models import Transformer
from core.runtime import gpu


@dataclass(frozen=True)
class InductionHead:
    layer: int
    head: int
    answer: str  # the token that followed the earlier copy of the last two tokens: the one to copy
    attention: float  # the head's share of attention on that token, at the last position
    p_full: float  # the model's probability of the answer as the next token
    p_ablated: float  # the same with this head removed
    score: float  # the head's induction score: its mean share over every position where two tokens repeat


def answer_positions(ids: list[int]) -> list[int]:
    """Positions of the tokens that followed an earlier copy of the last two tokens."""
    t = torch.tensor(ids)
    return induction_mask(t, t)[-1].nonzero().flatten().tolist()


def next_token_probability(tf: Transformer, ids: list[int], token: int) -> float:
    x = torch.tensor([ids], device=tf.device)  # (1, T)
    return run(tf, x).logits[0, -1].float().softmax(-1)[token].item()


@gpu(duration=30)
def induction_at_query(tf: Transformer, view: AttentionView) -> InductionHead | None:
    """The decoder head that puts most attention on the answer at the last position, or None when the last two
    tokens never occurred earlier (there is nothing to copy)."""
    ids = view.query_ids("decoder")
    keys = answer_positions(ids)
    if not keys:
        return None
    last = view.maps["decoder"][:, :, -1, :]  # (L, nh, T): what the last position reads
    on_answer = last[:, :, keys].sum(-1)  # (L, nh)
    layer, head = divmod(int(on_answer.argmax()), on_answer.shape[1])
    answer = ids[keys[int(last[layer, head, keys].argmax())]]
    with head_removed(tf, "decoder", layer, head):
        p_ablated = next_token_probability(tf, ids, answer)
    labels = label_heads(view.maps["decoder"], "decoder", ids, ids)
    return InductionHead(
        layer=layer,
        head=head,
        answer=token_strings(tf, [answer])[0],
        attention=on_answer[layer, head].item(),
        p_full=next_token_probability(tf, ids, answer),
        p_ablated=p_ablated,
        score=labels[layer * on_answer.shape[1] + head].scores[INDUCTION],
    )
