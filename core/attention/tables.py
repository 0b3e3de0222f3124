"""The transformer explorer's tables: the tokens a model reads with their ids, and each head's pattern scores
(`head_patterns`). Each takes what was measured; none runs a model."""

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from core.attention.extract import AttentionView
    from core.attention.head_patterns import HeadLabel

TOKEN_COLUMNS = ["sequence", "position", "token", "id"]
HEAD_COLUMNS = ["layer", "head", "label"]  # then one column per pattern score


def token_table(view: "AttentionView") -> pd.DataFrame:
    """One row per token: the source's (an encoder-decoder's input), then the decoder's."""
    sequences = [("decoder input", view.target_tokens, view.ids["target"])]
    if view.source is not None:
        sequences.insert(0, ("source", view.source.tokens, view.ids["source"]))
    rows = [
        [sequence, i, token, id_]
        for sequence, tokens, ids in sequences
        for i, (token, id_) in enumerate(zip(tokens, ids, strict=True))
    ]
    return pd.DataFrame(rows, columns=TOKEN_COLUMNS)


def head_table(labels: list["HeadLabel"]) -> pd.DataFrame:
    """One row per head: its label and its share of attention on each pattern."""
    rows = [[h.layer, h.head, h.label, *(round(v, 3) for v in h.scores.values())] for h in labels]
    return pd.DataFrame(rows, columns=[*HEAD_COLUMNS, *labels[0].scores])
