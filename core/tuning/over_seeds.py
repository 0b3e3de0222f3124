"""The tuning lab's claims over several training seeds: one seed is an anecdote, "holds at 5 of 5 seeds" is a claim.

`bench/tuning_figures.py` runs the lab's steps at each seed offline and writes every per-seed claim to
`seed_figures.json`; this module reads them back and says, per claim, the mean before and after, the mean effect
with a 95% t interval over seeds (`core.stats.paired_seed_difference` on the per-seed means), and how many seeds'
own held-out tests gave each verdict. The tabs print the same lines beside a live run's one seed.
"""

import json
from collections import Counter
from pathlib import Path

from core.stats import HOLDS, Difference, format_claim, paired_seed_difference

FIGURES = Path(__file__).resolve().parent / "seed_figures.json"
PERCENT = ("{:+.1f}", 100.0, " pp")  # format, scale and unit of a share of right answers
SCORE = ("{:+.2f}", 1.0, "")
SFT_CLAIMS = ("held-out phrasings of tuned tasks", "tasks never tuned on")  # step 1's defaults
FEEDBACK_RUNS = {  # name -> (method, reward, steps, KL coefficient, start, learning rate)
    "ppo from base": ("ppo", "correct_concise", 15, 0.1, "base", 3e-5),
    "dpo from base": ("dpo", "correct_concise", 15, 0.1, "base", 3e-5),
    "ppo from tuned": ("ppo", "correct_concise", 15, 0.1, "tuned", 3e-5),
    "dpo from tuned": ("dpo", "correct_concise", 15, 0.1, "tuned", 3e-5),
    "ppo from tuned at 1e-4": ("ppo", "correct_concise", 15, 0.1, "tuned", 1e-4),
    "longer, from base at 1e-4": ("ppo", "longer", 15, 0.02, "base", 1e-4),
    "longer, from tuned at 3e-4": ("ppo", "longer", 15, 0.02, "tuned", 3e-4),
}


def claim_record(claim: Difference) -> dict:
    """One claim at one seed: `Difference`'s numbers as plain values, for JSON."""
    return {"effect": claim.effect, "low": claim.low, "high": claim.high, "n": claim.n, "p_value": claim.p_value,
            "verdict": claim.verdict, "before": claim.a_mean, "after": claim.b_mean}  # fmt: skip


def over_seeds(per_seed: list[dict]) -> Difference:
    """After - before over seeds: each seed's two means paired (t interval over seeds, paired t-test)."""
    return paired_seed_difference([c["before"] for c in per_seed], [c["after"] for c in per_seed])


def verdict_counts(per_seed: list[dict]) -> str:
    """'holds at 4 of 5 seeds, not enough evidence at 1' (the claim's side first)."""
    counts = Counter(c["verdict"] for c in per_seed)
    n = len(per_seed)
    parts = [f"{verdict} at {counts[verdict]}" for verdict in sorted(counts, key=lambda v: (v != HOLDS, v))]
    return f"{parts[0]} of {n} seeds" + "".join(f", {p}" for p in parts[1:])


def seed_line(what: str, per_seed: list[dict], style: tuple[str, float, str] = PERCENT) -> str:
    """'what: 40% -> 83% (mean of 5 seeds), +43.1 pp [+30.2, +56.0], n = 5 seeds, p < 0.001: holds; per seed (n = 150
    questions each): holds at 5 of 5 seeds; effects +44, +40, ...'."""
    fmt, scale, unit = style
    claim = over_seeds(per_seed)
    before, after = (f"{v:.0%}" if style is PERCENT else f"{v:.2f}" for v in (claim.a_mean, claim.b_mean))
    effects = ", ".join((fmt.format(scale * c["effect"])) for c in per_seed)
    sizes = sorted({c["n"] for c in per_seed})
    each = f"{sizes[0]}" if len(sizes) == 1 else f"{sizes[0]}-{sizes[-1]}"
    return (
        f"{what}: {before} -> {after} (mean of {len(per_seed)} seeds), {format_claim(claim, fmt, scale, unit, 'seeds')}"
        f"; each seed's own test (n = {each} questions): {verdict_counts(per_seed)}; effects {effects}{unit}"
    )


def read_figures(path: Path = FIGURES) -> dict | None:
    """The measured multi-seed figures, or None where `bench/tuning_figures.py` has not written them."""
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None


def claims_of(figures: dict, run: str, claim: str) -> list[dict]:
    """Every seed's record of one claim of one run ("sft", "ppo from base", ...), in seed order."""
    return [figures["seeds"][seed][run][claim] for seed in sorted(figures["seeds"], key=int)]


def readme_line(figures: dict | None, run: str, claim: str, what: str, style=PERCENT) -> str:
    """The README's multi-seed line for a live run's claim, or a pointer to the command where it is not measured."""
    if figures is None or not all(run in s and claim in s[run] for s in figures["seeds"].values()):
        return f"{what}: not measured over seeds yet (python bench/tuning_figures.py)"
    return seed_line(what, claims_of(figures, run, claim), style)


def run_name(method: str, reward: str, steps: int, kl_coef: float, start: str, learning_rate: float) -> str | None:
    """The multi-seed run measured with these settings, or None."""
    settings = (method, reward, int(steps), float(kl_coef), start, float(learning_rate))
    return next((name for name, run in FEEDBACK_RUNS.items() if run == settings), None)


def live_note(run: str | None, figures: dict | None = None) -> str:
    """How a live run (one seed) compares with the README's figures over seeds: the same settings' lines, or which
    settings were measured over seeds where this run's were not."""
    figures = read_figures() if figures is None else figures
    if run is None:
        named = "; ".join(f"{name} ({FEEDBACK_RUNS[name][1]} reward)" for name in FEEDBACK_RUNS)
        return (
            "**This run is one seed, and its settings were not measured over seeds.** The README gives these "
            f"over 5 seeds at 15 steps and learning rate 3e-5 unless named (longer is better: KL coefficient 0.02): "
            f"{named}."
        )
    if run == "sft":
        lines = [readme_line(figures, "sft", claim, claim.capitalize()) for claim in SFT_CLAIMS]
    else:
        lines = [readme_line(figures, run, "right", "Right answers"),
                 readme_line(figures, run, "reward", "Reward-model score", SCORE)]  # fmt: skip
    if run != "sft" and figures is not None and all(run in s for s in figures["seeds"].values()):
        runs = [figures["seeds"][s][run] for s in sorted(figures["seeds"], key=int)]
        kls = ", ".join(f"{r['max_kl']:.1f}" for r in runs)
        accuracies = ", ".join(f"{r['reward_model_accuracy']:.0%}" for r in runs)
        lines.append(
            f"Largest KL to the start per seed: {kls} nats; reward model right on held-out pairs: {accuracies}"
        )
    where = "at step 1's defaults" if run == "sft" else f"with these settings ({run})"
    return f"**This run is one seed.** The README's figures {where}, over seeds:\n\n" + "\n".join(
        f"- {line}" for line in lines
    )
