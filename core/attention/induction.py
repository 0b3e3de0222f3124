"""The induction head at the query (Olsson et al. 2022): at "Bob likes" after a line "Bob likes 7.", the head
that reads "7", the token that followed the earlier copy of the last two tokens, and how far the model's
probability of "7" falls when that head is removed. The induction score of `head_patterns` averages the same
share over every position whose last two tokens occurred earlier, so repeated pairs such as "." then a line
break count as much there as the answer does here. `head_to_open` picks the head a page shows first.
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


INDUCTION_SHOWN = 0.3  # open the induction head first when, at the last position, it puts this share on the answer


@dataclass(frozen=True)
class OpeningHead:
    """The decoder head a page shows first, and why: the induction head at the query when there is a clear one."""

    layer: int
    head: int
    note: str  # markdown: what was found at the query, "" when the last two tokens never occurred earlier


def head_to_open(tf: Transformer, view: AttentionView) -> OpeningHead:
    """The induction head at the query when it puts at least INDUCTION_SHOWN of its attention on the answer, else
    layer 0, head 0; with a note that says which, and what removing the head does."""
    found = induction_at_query(tf, view)
    if found is None:
        return OpeningHead(0, 0, "")  # the last two tokens never occurred earlier: no head can copy
    where = f"layer {found.layer}, head {found.head}"
    if found.attention < INDUCTION_SHOWN:
        return OpeningHead(
            0,
            0,
            f"**No induction head here:** at the last position, the head that reads '{found.answer}' most "
            f"({where}) puts only {found.attention:.0%} of its attention on it, the token that followed an earlier "
            "copy of the last two tokens. An induction head is how a model copies an answer from the matching "
            "example of a few-shot prompt (Olsson et al. 2022); without one, the prompting lab's bundled model does "
            "not learn a new task from its examples.",
        )
    return OpeningHead(
        found.layer,
        found.head,
        f"**Induction head:** at the last position, {where} puts {found.attention:.0%} of its attention on "
        f"'{found.answer}', the token that followed the earlier copy of the last two tokens: in a few-shot prompt, "
        f"the answer of the matching example (Olsson et al. 2022). The model gives '{found.answer}' a probability "
        f"of {found.p_full:.0%} as the next token; with this head removed, {found.p_ablated:.0%}. Its induction "
        f"score in the head labels, {found.score:.0%}, is the same share averaged over every position whose last "
        "two tokens occurred earlier (repeated pairs such as '.' and a line break included), so a head can score "
        "high there without reading the answer here. It is shown below.",
    )
