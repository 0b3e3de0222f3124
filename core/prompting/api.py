"""The lab's API for scripts (`/generate`, `/evaluate`, `/in_context`, `/own_prompt`): the bundled model's answers
and measurements as plain values that JSON can carry."""

from core.prompting.choices import BUNDLED

API_K = 4  # worked examples in the few-shot prompts of /evaluate, as in the README table


def api_generate(prompt: str, max_new_tokens: int = 200, temperature: float = 0.0, seed: int = 0) -> str:
    """Generate with the bundled model; returns the generated text."""
    from core.prompting.replies import reply

    return reply(prompt, BUNDLED, True, max_new_tokens, temperature, 0, 1.0, seed).text


def api_evaluate(task: str, strategy: str, n: int = 20) -> dict:
    """Accuracy of the bundled model on the first n held-out questions of `task` at its multi-step trained
    lengths (the README's cells), with k = 4 examples in few-shot prompts, and each item."""
    from core.prompting.evaluate import as_rows
    from core.prompting.evaluation_run import FEWER_QUESTIONS, evaluation_steps
    from core.prompting.prompts import STRATEGIES
    from core.runtime.limits import time_limited
    from core.runtime.validate import choice

    strategy = choice(strategy, "strategy", STRATEGIES)
    steps = evaluation_steps(task, [strategy], n, "multi-step", API_K, BUNDLED, True)
    *_, ((report,), baseline) = time_limited(steps, FEWER_QUESTIONS)
    return {"accuracy": report.accuracy, "chance": baseline, "items": as_rows(report)}


def api_in_context(probe: str = "labels", k: int = 4, n: int = 20) -> dict:
    """Accuracy of the bundled model on n in-context probes with k worked examples ("labels": coin flips with
    held-out answer words; "labels-new-layout": the same in held-out layouts; "mapping": a word mapping to held-out
    words in trained layouts; "mapping-new-layout": in held-out layouts; "flipped": yes/no swapped, where
    "keeps_prior" is the share of replies that give the coin's true side instead)."""
    from core.prompting.in_context import PRIOR, chance, flipped_outcomes, right_bits
    from core.prompting.k_curve import replies_by_k

    (answered,) = replies_by_k(probe, [k], n).values()
    bits = right_bits(*answered)
    found = {"accuracy": bits.count("1") / len(bits), "chance": chance(probe, int(k)), "n": len(bits)}
    if probe == "flipped":
        found["keeps_prior"] = flipped_outcomes(*answered).count(PRIOR) / len(bits)
    return found


def api_own_prompt(prompt: str) -> dict:
    """Your own few-shot prompt, measured: the model's answer to its last line, its probability for each of
    the prompt's answer words there, and its leave-one-out accuracy on the prompt's own examples."""
    from core.prompting.own_prompt import measure
    from core.prompting.replies import language_model

    report = measure(language_model(BUNDLED), prompt)
    e = report.estimate
    return {
        "answer": report.reply,
        "label_probabilities": report.label_probs,
        "leave_one_out": {"right": sum(h.right for h in report.held_out), "n": e.n, "accuracy": e.effect,
                          "interval": [e.low, e.high], "chance": report.chance, "verdict": e.verdict},
    }  # fmt: skip
