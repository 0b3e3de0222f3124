"""The tuning lab's README figures, measured the way the lab's tabs run them (seed 0).

    python bench/tuning_figures.py

1. Instruction tuning at the tab's defaults; the feedback runs then start from that tuned model, as in the lab.
2. PPO (10 steps) and DPO (10 steps) against the reward model of the "correct and concise" rater.
3. Reward hacking: PPO (15 steps, KL coefficient 0.02) against "longer is better".
4. The notes' table (20 training steps, 16 held-out questions).
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def first_last(values: list[float]) -> str:
    return f"{values[0]:.2f} -> {values[-1]:.2f}"


def feedback(session: str, method: str, reward: str, steps: int, kl_coef: float) -> None:
    from core.tuning.lab import feedback_tuning

    _, report, _ = feedback_tuning(session, method, reward, steps=steps, kl_coef=kl_coef, seed=0)
    log = report.log
    print(
        f"{method} on {reward} ({steps} steps, beta {kl_coef}): reward {first_last(log.reward)}, "
        f"right {first_last(log.correct)}, length {first_last(log.length)} chars, KL {first_last(log.kl)} nats; "
        f"reward model {report.reward_model_accuracy:.0%} on held-out pairs ({report.pairs} pairs), "
        f"{report.seconds:.0f} s",
        flush=True,
    )


def main() -> None:
    from core.tuning.lab import DEFAULT_TASKS, compare_methods, instruction_tuning

    began = time.perf_counter()
    session, report = instruction_tuning(None, DEFAULT_TASKS, seed=0)
    for row in report.rows:
        phrasing = "held-out phrasing" if row.held_out_phrasing else "tuned phrasing"
        tuned = "tuned on" if row.tuned_on else "not tuned on"
        print(f"SFT {row.task} ({tuned}), {phrasing}: {row.before:.0%} -> {row.after:.0%}", flush=True)
    for method in ("ppo", "dpo"):
        feedback(session, method, "correct_concise", 10, 0.1)
    feedback(session, "ppo", "longer", 15, 0.02)
    for row in compare_methods(steps=20, test_questions=16, seed=0):
        print(row, flush=True)
    print(f"total {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
