"""The lab's pages that read stored material: the claim check of the stored evaluation (`core.prompting.claims`),
with its charts, and the notes' chain-of-thought exemplars (Wei et al. 2022)."""

import re
from dataclasses import dataclass
from html import escape

from core.prompting.exemplars import EXEMPLARS, SOURCE


@dataclass(frozen=True)
class ClaimPage:
    text: str  # markdown: the claims with their verdicts, then the tables
    by_k: object  # a plotly figure: accuracy against k, one line per row of the table
    coin_flip: object  # a plotly figure: chain-of-thought vs answer-only against problem length
    arithmetic: object  # the same for arithmetic


def claim_page() -> ClaimPage | None:
    """The claim check of the stored evaluation, or None when there is none yet."""
    from core.prompting.charts import accuracy_by_k, accuracy_by_length
    from core.prompting.claims import (
        LABEL_TARGET,
        MAPPING_ROWS,
        accuracy,
        by_length,
        claims,
        claims_table,
        curve_table,
        flipped_table,
        k_curves,
        layout_table,
        load,
        wording_table,
    )
    from core.prompting.in_context import chance

    results = load()
    if results is None:
        return None
    checked = "\n".join(f"- **{c.verdict}**: {c.line()}" for c in claims(results))
    text = (
        f"Measured on the bundled base model ({results['n']} held-out questions per cell, greedy decoding, "
        f"k = {results['k']} worked examples in few-shot prompts). Every accuracy has its 95% Wilson interval; "
        "every claim is a paired comparison on the same questions (Newcombe interval, McNemar's exact test), "
        "and it **holds** only when the interval excludes no effect.\n\n"
        f"{checked}\n\n### Accuracy per strategy\n\n{claims_table(results)}\n\n"
        f"### Accuracy against the number of examples\n\n{curve_table(results)}\n\n"
        f"### Every layout, 4 examples, held-out answer words\n\n{layout_table(results)}\n\n"
        '### Few-shot chain-of-thought in held-out wordings\n\nThe "invented" rows are new draws of the wordings the '
        "corpus invents for its documents: the model's reading of a sentence's meaning from the examples, on the "
        f"kind of material it was trained on.\n\n{wording_table(results)}"
    )
    if flipped := flipped_table(results):
        text += (
            '\n\n### Flipped labels: what the replies do\n\nExamples that write "yes" for tails and "no" for heads '
            '(Wei et al. 2023). Half of the questions have the flipped answer "yes", half "no": a model that follows '
            "the examples does so on both halves; one that answers the same word to everything follows on one half "
            f"only.\n\n{flipped}"
        )
    bits = k_curves(results)  # the rows of the table above, one line each
    curves = {title: {k: accuracy(b) for k, b in curve.items()} for title, curve in bits.items()}
    chances = {
        title: {k: chance("mapping" if title in MAPPING_ROWS else "labels", k) for k in curve}
        for title, curve in bits.items()
    }
    return ClaimPage(
        text,
        accuracy_by_k(curves, chances, LABEL_TARGET),
        accuracy_by_length("coin_flip", by_length(results, "coin_flip")),
        accuracy_by_length("arithmetic", by_length(results, "arithmetic")),
    )


def plain_math(text: str) -> str:
    """The notes' inline LaTeX as plain text: `$5 + 6 = 11$` -> `5 + 6 = 11`."""
    return re.sub(r"\$([^$]+)\$", r"\1", text)


def exemplars_markdown() -> str:
    # preformatted, but the long lines wrap: readable on a phone and a projector without scrolling each block
    blocks = [
        f'**{e.family}**\n\n<pre style="white-space: pre-wrap">{escape(plain_math(e.text))}</pre>' for e in EXEMPLARS
    ]
    return f"Source: {SOURCE}.\n\n" + "\n\n".join(blocks)
