"""Two ways to score one prompt and its right answer, whose choice decides whether an ability looks "emergent".

Wei et al. (2022) saw abilities appear suddenly with scale under all-or-nothing metrics; Schaeffer et al. (2023)
showed that the same models improve smoothly under continuous ones. Exact match is all-or-nothing; the answer's
log-probability and the token edit distance to it move a little with every improvement.
"""

from core.prompting.models import LanguageModel
from core.prompting.own_prompt import continuation_logprob


def exact_match(reply: str, answer: str) -> bool:
    """All or nothing: the reply's first line, stripped, is the answer."""
    return reply.split("\n", 1)[0].strip() == answer.strip()


def answer_logprob(model, tokenizer, prompt: str, answer: str) -> float:
    """log p(answer | prompt): the log-probabilities of the answer's tokens, teacher-forced after the prompt, summed.
    `answer` is written as it follows the prompt, e.g. " yes" after "...A:"; a perfect model scores 0."""
    context = getattr(getattr(model, "config", None), "max_position_embeddings", 0)  # recorded, not used to score
    return continuation_logprob(LanguageModel("answer_logprob", tokenizer, model, context), prompt, answer)


def token_edit_distance(a_ids: list[int], b_ids: list[int]) -> int:
    """Levenshtein distance over token ids: the fewest insertions, deletions and substitutions turning a into b."""
    # Dynamic programme over prefixes: previous[j] is the distance from a[:i - 1] to b[:j], current[j] from a[:i].
    previous = list(range(len(b_ids) + 1))  # from the empty prefix of a: insert b's first j tokens
    for i, a in enumerate(a_ids, start=1):
        current = [i]  # to the empty prefix of b: delete a's first i tokens
        for j, b in enumerate(b_ids, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        previous = current
    return previous[-1]
