"""The page's two measurements of the bundled models, from a visitor's inputs: does the model compose words it never
saw together (`core.diffusion.claims`), and is its distilled student as faithful (`core.diffusion.few_steps`)?
Each checks the samples per prompt, reports progress over prompts and stops at the server's time limit.
"""

from collections.abc import Callable

from core.diffusion import attributes, claims, few_steps
from core.diffusion.choices import BUNDLED, DISTILLED_NAME, MAX_COMPOSE_SEEDS, NAME
from core.runtime import get_model
from core.runtime.limits import Deadline
from core.runtime.validate import whole_number

Progress = Callable[[int, int], None]  # progress(prompts done, prompts)


def samples_per_prompt(seeds_per_prompt: object) -> int:
    return whole_number(seeds_per_prompt, "samples per prompt", 1, MAX_COMPOSE_SEEDS)


def within_time(progress: Progress, advice: str) -> Progress:
    """`progress`, with the server's time limit checked at each call (`advice` says how to ask for less)."""
    deadline = Deadline(advice)

    def tick(done: int, total: int) -> None:
        deadline.check()
        progress(done, total)

    return tick


def composition(seeds_per_prompt: object, progress: Progress) -> claims.Composition:
    """Seen vs. held-out fidelity of the bundled model, with intervals and the claim's verdict."""
    seeds = samples_per_prompt(seeds_per_prompt)
    tick = within_time(progress, "ask for fewer samples per prompt")
    return claims.measure(get_model(NAME, BUNDLED), attributes.load(), seeds, progress=tick)


def few_step_fidelity(
    steps: object, guidance: object, scheduler: str, fast_steps: object, seeds_per_prompt: object, progress: Progress
) -> few_steps.FewStepFidelity:
    """Fidelity of the bundled model at `steps`, `guidance` and `scheduler`, and of its distilled student at
    `fast_steps`, on the same prompts and seeds, with the verdict on "as faithful, within 5 points"."""
    seeds = samples_per_prompt(seeds_per_prompt)
    original, fast = get_model(NAME, BUNDLED), get_model(DISTILLED_NAME, BUNDLED)
    requests = few_steps.requests_for(original, fast, "a red circle", 0, steps, guidance, scheduler, fast_steps)
    tick = within_time(progress, "ask for fewer samples per prompt or fewer steps")
    return few_steps.measure(original, fast, attributes.load(), *requests, seeds_per_prompt=seeds, progress=tick)
