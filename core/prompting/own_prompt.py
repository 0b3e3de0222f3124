"""Your own few-shot prompt, measured: does the model read the mapping your examples define?

A student writes examples in any layout and with any answer words, and ends the prompt where the answer goes:

    Review: a joy to watch -> alpha
    Review: dull and long -> omega
    Review: loved it ->

The layout is found from the prompt itself: the longest ending of the last block (the query) that every example
also contains marks where an answer goes ("->" above, "\\nA:" in a Q:/A: prompt). Then:

- leave-one-out: each example in turn becomes the query, with the others as examples, and the model's greedy
  answer is compared with the student's. Accuracy over the examples, with its Wilson interval, against
  guessing among the prompt's answer words, is what the lab says the model read from this prompt;
- the query itself: the greedy answer, and how the model splits its probability among the prompt's answer words
  (each word's probability as a continuation, renormalised over the words).
"""

import math
from dataclasses import dataclass

import torch

from core.prompting.answers import normalise, read_answer
from core.prompting.models import LanguageModel
from core.stats import Estimate, proportion

MAX_EXAMPLES = 16
MAX_PROMPT_CHARS = 6000  # the page's box holds as much; the model's context holds about 14,000 characters
MAX_ANSWER_CHARS = 40
REPLY_TOKENS = 12


@dataclass(frozen=True)
class Example:
    prefix: str  # the example up to where its answer goes
    answer: str


@dataclass(frozen=True)
class Held:
    answer: str  # the student's answer
    reply: str  # the model's, with that example as the query
    right: bool


@dataclass(frozen=True)
class OwnPromptReport:
    marker: str  # what every example and the query end with before the answer
    examples: tuple[Example, ...]
    labels: tuple[str, ...]  # the prompt's distinct answers
    reply: str  # the greedy answer to the prompt's own query
    label_probs: dict[str, float]  # answer word -> probability at the query, renormalised over the words
    held_out: tuple[Held, ...]
    estimate: Estimate  # leave-one-out accuracy against guessing among the labels

    @property
    def chance(self) -> float:
        return 1 / len(self.labels)


def blocks_of(prompt: str) -> tuple[list[str], str]:
    """The prompt's examples and its query: split at blank lines where it has them, else at line ends."""
    text = prompt.strip("\n").rstrip(" ")
    parts = text.split("\n\n") if "\n\n" in text else text.split("\n")
    parts = [p for p in parts if p.strip()]
    return parts[:-1], parts[-1]


def parse(prompt: str) -> tuple[str, list[Example], str]:
    """(joiner, examples, marker): each example cut where the query's ending, the marker of the answer slot,
    last falls in it."""
    if not isinstance(prompt, str) or not prompt.strip():
        raise ValueError(
            "the prompt is empty: write two or more examples, then a last one that ends where the answer goes"
        )
    if len(prompt) > MAX_PROMPT_CHARS:
        raise ValueError(f"the prompt is {len(prompt):,} characters; at most {MAX_PROMPT_CHARS:,}: use fewer examples")
    examples, query = blocks_of(prompt)
    if len(examples) < 2:
        raise ValueError(
            "write at least 2 examples before the last line, one per line or separated by blank lines, "
            "e.g. 'cat -> alpha' and 'dog -> omega', then 'fox ->'"
        )
    if len(examples) > MAX_EXAMPLES:
        raise ValueError(f"at most {MAX_EXAMPLES} examples, got {len(examples)}: leave some out")
    joiner = "\n\n" if "\n\n" in prompt.strip("\n") else "\n"
    for size in range(len(query), 0, -1):
        marker = query[-size:]
        cut = [e.rfind(marker) for e in examples]
        if all(i >= 0 and e[i + size :].strip() for i, e in zip(cut, examples, strict=True)):
            found = [Example(e[: i + size], e[i + size :].strip()) for i, e in zip(cut, examples, strict=True)]
            break
    else:
        raise ValueError(
            "could not find where the answers go: end the last line where its answer goes (e.g. 'A:' or '->'), "
            "and write every example the same way with its answer after it"
        )
    long = [e.answer for e in found if len(e.answer) > MAX_ANSWER_CHARS]
    if long:
        raise ValueError(f"answers must be at most {MAX_ANSWER_CHARS} characters, e.g. a word; got {long[0][:40]!r}...")
    return joiner, found, marker


@torch.inference_mode()
def continuation_logprob(lm: LanguageModel, prompt: str, continuation: str) -> float:
    """log p(continuation | prompt), summed over its tokens."""
    context = lm.tokenizer(prompt, add_special_tokens=False).input_ids
    whole = lm.tokenizer(prompt + continuation, add_special_tokens=False).input_ids
    start = len(context)
    if whole[:start] != context:  # the join merged tokens: score from the first token that differs
        start = next(i for i, (a, b) in enumerate(zip(whole, context, strict=False)) if a != b)
    ids = torch.tensor([whole], device=lm.model.device)
    logprobs = torch.log_softmax(lm.model(ids).logits[0, :-1].float(), dim=-1)  # (T - 1, vocab)
    return float(sum(logprobs[i - 1, whole[i]] for i in range(max(start, 1), len(whole))))


def measure(lm: LanguageModel, prompt: str) -> OwnPromptReport:
    """Leave-one-out accuracy on the prompt's own examples, and the model's answer and label split at its query."""
    from core.prompting.generate import encode, generate_batch

    joiner, examples, marker = parse(prompt)
    encode(lm, prompt, REPLY_TOKENS)  # a clear error for a prompt too long or with characters the model cannot read
    labels = tuple(dict.fromkeys(e.answer for e in examples))
    prompts = [joiner.join([x.prefix + " " + x.answer for x in examples if x is not e] + [e.prefix]) for e in examples]
    replies = generate_batch(lm, [*prompts, prompt.rstrip(" ")], REPLY_TOKENS, chat=False, stop=("\n",))
    read = [read_answer(r) for r in replies[:-1]]  # the last reply answers the prompt's own query
    held = tuple(Held(e.answer, got, got == normalise(e.answer)) for e, got in zip(examples, read, strict=True))
    scores = {label: continuation_logprob(lm, prompt.rstrip(" "), " " + label) for label in labels}
    top = max(scores.values())
    total = sum(math.exp(s - top) for s in scores.values())
    probs = {label: math.exp(s - top) / total for label, s in scores.items()}
    right = sum(h.right for h in held)
    estimate = proportion(right, len(held), null=1 / len(labels) if len(labels) > 1 else 0.0)
    answer = replies[-1].strip().split("\n", 1)[0].strip().rstrip(".")  # as written, for the page
    return OwnPromptReport(marker, tuple(examples), labels, answer, probs, held, estimate)


def describe(report: OwnPromptReport) -> str:
    """What the lab measured on the prompt, in words, for the page."""
    e = report.estimate
    marker = report.marker.replace("\n", "\\n")
    tail = marker if len(marker) <= 30 else "..." + marker[-27:]
    missed = [f"`{h.answer}` (answered `{h.reply or '-'}`)" for h in report.held_out if not h.right]
    lines = [
        f"**The model's answer to your last line: `{report.reply or '(nothing)'}`.** "
        f"Your examples put the answer after `{tail}`; your answer words: "
        + ", ".join(f"`{w}`" for w in report.labels)
        + ".",
        f"**Leave-one-out on your {e.n} examples:** {sum(h.right for h in report.held_out)} of {e.n} right "
        f"({e.effect:.0%}, 95% interval {e.low:.0%} to {e.high:.0%}); guessing among your answer words gives "
        f"{report.chance:.0%}. Verdict that the model reads your mapping, better than guessing: **{e.verdict}**"
        + (" (a few examples give a wide interval: add more to narrow it)." if e.verdict != "holds" else "."),
    ]
    if len(report.labels) < 2:
        lines.append("All your examples have the same answer: give at least two different answers to test reading.")
    if missed:
        lines.append("Missed: " + "; ".join(missed[:6]) + ("; ..." if len(missed) > 6 else "") + ".")
    return "\n\n".join(lines)
