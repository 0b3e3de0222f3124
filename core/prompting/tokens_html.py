"""Tokens coloured by probability, each with its top-5 alternatives in a tooltip (HTML `title`)."""

import html

from core.prompting.generate import Generation


def colour(prob: float) -> str:
    """Red for unlikely tokens through yellow to green for likely ones."""
    return f"hsl({120 * prob:.0f}, 75%, 80%)"


def shown(text: str) -> str:
    return text.replace("\n", "↵").replace(" ", "␣") if text.strip() == "" else text


def render(generation: Generation) -> str:
    spans = []
    for token in generation.tokens:
        tip = f"p = {token.prob:.3f}\ntop 5: " + ", ".join(f"{shown(t)!r} {p:.3f}" for t, p in token.alternatives)
        text = html.escape(token.text).replace("\n", "↵<br>")
        spans.append(
            f'<span class="lab-token" data-prob="{token.prob:.3f}" title="{html.escape(tip)}" '
            f'style="background:{colour(token.prob)};padding:1px 0;border-radius:2px">{text}</span>'
        )
    legend = (
        '<div style="font-size:0.85em;margin-top:6px">Colour = probability of the chosen token: '
        f'<span style="background:{colour(0.05)}">low</span> '
        f'<span style="background:{colour(0.5)}">medium</span> '
        f'<span style="background:{colour(0.95)}">high</span>. Hover a token for its top-5 alternatives.</div>'
    )
    body = "".join(spans) or "<em>(the model ended its reply at once)</em>"
    return f'<div class="lab-tokens" style="font-family:monospace;white-space:pre-wrap;overflow-wrap:anywhere;line-height:1.6">{body}</div>{legend}'
