"""Learning from the prompt: the bundled model's accuracy on one in-context probe (`core.prompting.in_context`)
against the number of worked examples k, each with its 95% interval and the chance of a guess (Wei et al. 2023)."""

from dataclasses import dataclass

from core.prompting.choices import BUNDLED
from core.prompting.in_context import (
    LABEL_KS,
    MAX_MAPPING_K,
    PRIOR,
    Probe,
    chance,
    default_ks,
    flipped_outcomes,
    k_choices,
    outcome_bits,
    right_bits,
)
from core.runtime.validate import choice, whole_number

PROBES = [
    ("Coin flip, answer words never seen as answers (alpha/omega, #/@, Paris/Tokyo, ...)", "labels"),
    ("The same in layouts never seen (Problem:/Solution:, x -> y, [Q]/[A], ...)", "labels-new-layout"),
    ("Word mapping, held-out words, trained layouts", "mapping"),
    ("Word mapping, held-out words, layouts never seen", "mapping-new-layout"),
    ("Flipped labels: yes written for tails, no for heads", "flipped"),
]
PROBE_NAMES = {key: label for label, key in PROBES}
PRIOR_LINE = "Flipped labels: answers the coin's true side (its prior)"
TARGET_NOTE = (
    'The dashed **target** line (85%) is what the claim "held-out answer words, 4 examples" asks for (tab *What '
    "the numbers show*): a model that reaches it read the mapping from the examples; guessing between the two "
    "words gives 50%, and with no examples a model cannot know either word. Flipped labels have no target: "
    "their second line is how often the model gives the coin's true side instead of the examples' label."
)


def check_probe(probe: str) -> str:
    return choice(probe, "probe", PROBE_NAMES)


def check_ks(probe: str, ks) -> list[int]:
    """The distinct k of `ks`, sorted, each one the probe takes."""
    if not isinstance(ks, list | tuple) or not ks:
        raise ValueError("no worked examples (k) chosen: tick at least one number, e.g. 0 and 4")
    ks = sorted({whole_number(k, "k", 0, MAX_MAPPING_K) for k in ks})
    if probe.startswith("mapping") and ks[0] < 1:
        raise ValueError(f"the word mapping needs k from 1 to {MAX_MAPPING_K} pairs: k = 0 leaves nothing to copy")
    if not probe.startswith("mapping") and ks[-1] > max(LABEL_KS):
        raise ValueError(f"the coin flip takes k from 0 to {max(LABEL_KS)} worked examples")
    return ks


def replies_by_k(probe: str, ks: list, n: int, progress=None) -> dict[int, tuple[list[Probe], list[str]]]:
    """n probes at each k and the bundled model's replies: {k: (probes, replies)}."""
    from core.prompting.evaluate import MAX_N, probe_replies
    from core.prompting.replies import language_model

    probe = check_probe(probe)
    n = whole_number(n, "n", 1, MAX_N)
    ks = check_ks(probe, ks)
    lm = language_model(BUNDLED)
    replies = {}
    for i, k in enumerate(ks):
        if progress is not None:  # a gr.Progress is falsy (its len is 0 until it tracks an iterable)
            progress((i, len(ks)), desc=f"k = {k}: {i} of {len(ks)} done")
        replies[k] = probe_replies(lm, probe, k, n)
    return replies


def measure_in_context(probe: str, ks: list, n: int, progress=None) -> dict[int, str]:
    """Right (1) or wrong (0) for n probes at each k: {k: bits}."""
    return {k: right_bits(*answered) for k, answered in replies_by_k(probe, ks, n, progress).items()}


def chance_cell(guess: float) -> str:
    """A guess's accuracy; with one pair in the prompt (k = 1) its only word is always right, so say why."""
    return f"{guess:.0%} (only one word to copy)" if guess == 1 else f"{guess:.0%}"


@dataclass(frozen=True)
class KCurve:
    rows: list[list]  # k, Accuracy, 95% interval, Chance, Questions
    chart: object  # a plotly figure: accuracy against k, with chance, the target line where the probe has one and,
    # for flipped labels, how often the model keeps its prior


def k_curve(probe: str, ks: list, n: int, progress=None) -> KCurve:
    from core.prompting.charts import accuracy_by_k
    from core.prompting.claims import LABEL_TARGET, accuracy

    answered = replies_by_k(probe, ks, n, progress)
    curve = {k: accuracy(right_bits(*a)) for k, a in answered.items()}
    chances = {k: chance(probe, k) for k in answered}
    rows = [
        [k, f"{e.effect:.0%}", f"[{e.low:.0%}, {e.high:.0%}]", chance_cell(chances[k]), e.n] for k, e in curve.items()
    ]
    curves, guesses = {PROBE_NAMES[probe]: curve}, {PROBE_NAMES[probe]: chances}
    if probe != "flipped":
        return KCurve(rows, accuracy_by_k(curves, guesses, LABEL_TARGET))
    # no target (Wei et al. 2023 find small models keep their prior): show how often it does
    curves[PRIOR_LINE] = {k: accuracy(outcome_bits(flipped_outcomes(*a), PRIOR)) for k, a in answered.items()}
    return KCurve(rows, accuracy_by_k(curves, guesses, None, "share of replies"))


def example_probe(probe: str, k: int) -> str:
    """One probe prompt with k examples, and the answer its examples imply."""
    from core.prompting.in_context import probes

    item = probes(check_probe(probe), whole_number(k, "k", 0, MAX_MAPPING_K), 1)[0]
    return f"{item.prompt}\n\n(expected: {item.truth})"


@dataclass(frozen=True)
class KControls:
    """The k a probe takes: the boxes offered and ticked, and the example slider's range and value."""

    choices: list[int]
    ticked: list[int]
    low: int
    high: int
    value: int


def k_controls(probe: str, k: int) -> KControls:
    probe = check_probe(probe)
    k = whole_number(k, "k", 0, MAX_MAPPING_K)
    ks = k_choices(probe)
    return KControls(list(ks), list(default_ks(probe)), ks[0], ks[-1], min(max(k, ks[0]), ks[-1]))
