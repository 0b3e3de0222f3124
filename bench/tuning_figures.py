"""The tuning lab's README figures, measured the way the lab's tabs run them (seed 0, the tabs' defaults but the
step counts named below).

    python bench/tuning_figures.py

1. Instruction tuning; its claims pool the held-out questions of each kind (6 per task and phrasing).
2. Feedback tuning of that instruction-tuned model (the tab's default start): PPO and DPO, 10 steps each, against
   the reward model of the "correct and concise" rater; then from the base model; then PPO at 3e-4, the earlier
   default learning rate.
3. Reward hacking: PPO (15 steps, KL coefficient 0.02) against "longer is better": from the instruction-tuned model
   at 1e-4 and 3e-4, then from the base model at 1e-4.
4. The notes' table (20 training steps, 16 held-out questions).
Every feedback run's claims are measured on 48 held-out questions, answered greedily before and after.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def first_last(values: list[float], fmt: str = "{:.2f}") -> str:
    return f"{fmt.format(values[0])} -> {fmt.format(values[-1])}"


def feedback(session: str | None, method: str, reward: str, steps: int, kl_coef: float, start_from: str,
             learning_rate: float | None = None) -> None:  # fmt: skip
    from core.tuning.claims import percent_points, score_change
    from core.tuning.lab import FEEDBACK_LEARNING_RATE, feedback_tuning

    learning_rate = FEEDBACK_LEARNING_RATE if learning_rate is None else learning_rate

    _, report, _ = feedback_tuning(session, method, reward, steps=steps, kl_coef=kl_coef, seed=0,
                                   start_from=start_from, learning_rate=learning_rate)  # fmt: skip
    log, claims = report.log, report.claims
    print(
        f"{method} on {reward} from the {start_from} model ({steps} steps, beta {kl_coef}, learning rate "
        f"{learning_rate:g}), {report.seconds:.0f} s; "
        f"reward model {report.reward_model_accuracy:.0%} on held-out pairs ({report.pairs} pairs); training "
        f"batches: reward {first_last(log.reward)}, right {first_last(log.correct, '{:.0%}')}, length "
        f"{first_last(log.length, '{:.0f}')} chars, KL {first_last(log.kl)} nats (max {max(log.kl):.2f})",
        flush=True,
    )
    print(f"    {percent_points(claims.right, 'right answers')}", flush=True)
    print(f"    {score_change(claims.reward, 'reward-model score')}", flush=True)
    print(f"    held-out reply length {claims.length[0]:.0f} -> {claims.length[1]:.0f} characters", flush=True)


def main() -> None:
    from core.tuning.claims import percent_points
    from core.tuning.lab import DEFAULT_TASKS, compare_methods, instruction_tuning

    began = time.perf_counter()
    session, report = instruction_tuning(None, DEFAULT_TASKS, seed=0)
    print(f"SFT: {report.seconds:.0f} s, {report.changed_fraction:.0%} of the weights changed", flush=True)
    for row in report.rows:
        phrasing = "held-out phrasing" if row.held_out_phrasing else "tuned phrasing"
        tuned = "tuned on" if row.tuned_on else "not tuned on"
        print(f"SFT {row.task} ({tuned}), {phrasing}: {row.before:.0%} -> {row.after:.0%}", flush=True)
    for name, claim in report.claims.items():
        print(f"SFT claim, {percent_points(claim, name)}", flush=True)
    for method in ("ppo", "dpo"):
        feedback(session, method, "correct_concise", 10, 0.1, "tuned")
    for method in ("ppo", "dpo"):
        feedback(None, method, "correct_concise", 10, 0.1, "base")
    feedback(session, "ppo", "correct_concise", 10, 0.1, "tuned", learning_rate=3e-4)
    for learning_rate in (None, 3e-4):  # the tab's default, then the larger step
        feedback(session, "ppo", "longer", 15, 0.02, "tuned", learning_rate)
    feedback(None, "ppo", "longer", 15, 0.02, "base")
    for row in compare_methods(steps=20, test_questions=16, seed=0):
        print(row, flush=True)
    print(f"total {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
