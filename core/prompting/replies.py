"""The lab's model answering one question: the model a menu names, its checked generation, and two strategies or
two models side by side on the same question, each reply graded."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.prompting.choices import BUNDLED, NAME, TUNED
from core.prompting.grading import verdict
from core.prompting.models import LanguageModel
from core.prompting.prompts import STRATEGIES
from core.prompting.questions import problem_for, prompt_for
from core.runtime.validate import MAX_MODEL_CHARS, choice, shown, text, whole_number

if TYPE_CHECKING:  # generation imports torch, which a demo loads on its first request
    from core.prompting.generate import Generation


def language_model(source: str) -> LanguageModel:
    """The lab model from the registry: `source` is a hub id, a bundled tuned model (`TUNED`), or empty for the
    bundled base model."""
    from core.runtime import get_model

    if isinstance(source, str) and source.strip() in TUNED:
        return get_model(TUNED[source.strip()])
    return get_model(NAME, source or BUNDLED)


def reply(prompt, source, chat, max_new_tokens, temperature, top_k, top_p, seed) -> "Generation":
    """The model's generation after `prompt`, with every token's probability."""
    from core.prompting.generate import MAX_NEW_TOKENS, generate

    if not isinstance(prompt, str):
        raise ValueError(f"prompt must be text, got {shown(prompt)}: build one with 'Build prompt' or type 'Q: ...'")
    max_new_tokens = whole_number(max_new_tokens, "max_new_tokens", 1, MAX_NEW_TOKENS)
    return generate(language_model(source), prompt, max_new_tokens, temperature, top_k, top_p, seed, chat)


@dataclass(frozen=True)
class GradedReply:
    generation: "Generation"
    verdict: str  # markdown: the extracted answer, right or wrong


def graded_reply(task, length, question_seed, prompt, source, chat, max_new_tokens, temperature, top_k, top_p, seed):
    generation = reply(prompt, source, chat, max_new_tokens, temperature, top_k, top_p, seed)
    truth = problem_for(task, length, question_seed).answer
    return GradedReply(generation, verdict(prompt, generation.text, truth))


def side_by_side(task, length, question_seed, k, exemplar_source, chat, max_new_tokens, sides) -> list[GradedReply]:
    """Greedy replies to one question under (strategy A, model A) and (strategy B, model B)."""
    truth = problem_for(task, length, question_seed).answer
    pairs = (sides[:2], sides[2:])
    for side, (strategy, source) in zip("AB", pairs, strict=True):
        choice(strategy, f"strategy {side}", STRATEGIES)
        text(source, f"model {side}", max_chars=MAX_MODEL_CHARS, example=BUNDLED, allow_empty=True)
    graded = []
    for strategy, source in pairs:
        prompt = prompt_for(task, length, question_seed, strategy, k, exemplar_source)
        generation = reply(prompt, source, chat, max_new_tokens, 0.0, 0, 1.0, 0)
        header = f"**{STRATEGIES[strategy]}** on `{source}`\n\n"
        graded.append(GradedReply(generation, header + verdict(prompt, generation.text, truth)))
    return graded
