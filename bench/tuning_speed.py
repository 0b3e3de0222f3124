"""Speed of the tuning lab on this machine, one CPU thread by default: a live SFT run and a live PPO run at the tabs'
defaults, as a request runs them (target: each at most 30 s, answering the test questions included), then the
pieces: LoRA, the rankings, the reward model, and PPO vs DPO on the same preferences.

    python bench/tuning_speed.py [--threads 1]
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_S = 30.0


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def verdict(seconds: float) -> str:
    return f"(target <= {TARGET_S:.0f} s): {'OK' if seconds <= TARGET_S else 'TOO SLOW'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    import torch

    from core.runtime import pick_device
    from core.runtime.training import Training
    from core.tuning.dpo import dpo
    from core.tuning.instructions import DEFAULT_TUNING_TASKS, tuning_set
    from core.tuning.lab import (
        DEFAULT_TASKS,
        FEEDBACK_LEARNING_RATE,
        SFT_LEARNING_RATE,
        feedback_tuning,
        instruction_tuning,
    )
    from core.tuning.policy import base_model, count_parameters
    from core.tuning.ppo import PPOConfig, ppo
    from core.tuning.preferences import feedback_problems, rater_preferences
    from core.tuning.reward_model import train_reward_model
    from core.tuning.sft import instruction_tune

    torch.set_num_threads(args.threads)
    base = base_model()
    print(f"device: {pick_device()}, {args.threads} thread(s), base model {count_parameters(base.model) / 1e6:.2f} M")

    (session, report), seconds = timed(lambda: instruction_tuning(None, DEFAULT_TASKS, seed=0))
    print(f"live SFT run (60 steps of 8, 6 test questions per task and phrasing): {seconds:.1f} s {verdict(seconds)}; "
          f"training {report.seconds:.1f} s, answering {report.evaluation_seconds:.1f} s")  # fmt: skip
    for start in ("base", "tuned"):
        (_, fb, _), seconds = timed(lambda: feedback_tuning(session, "ppo", "correct_concise", start_from=start))  # noqa: B023
        print(f"live PPO run from the {start} model (12 rankings, reward model, 15 steps of 8 prompts, 48 held-out "
              f"questions): {seconds:.1f} s {verdict(seconds)}; reward model {fb.reward_model_seconds:.1f} s, PPO "
              f"{fb.seconds:.1f} s, answering {fb.evaluation_seconds:.1f} s")  # fmt: skip

    sft_training = Training(steps=60, batch_size=8, learning_rate=SFT_LEARNING_RATE)
    lora = instruction_tune(base, tuning_set(list(DEFAULT_TUNING_TASKS), 240), sft_training, lora=True)
    print(f"SFT with LoRA, 60 steps of 8: {lora.seconds:.1f} s")
    pairs, seconds = timed(lambda: rater_preferences(base, "correct_concise", 12, 4, seed=0))
    print(f"12 rankings of 4 sampled answers ({len(pairs)} pairs): {seconds:.1f} s")
    rm = train_reward_model(base, pairs, Training(steps=40, batch_size=8, learning_rate=1e-3))
    print(f"reward model, 40 steps of 8 pairs: {rm.seconds:.1f} s")
    problems = feedback_problems(16, seed=7)
    ppo_run = ppo(base, rm.score, problems, PPOConfig(steps=15, learning_rate=FEEDBACK_LEARNING_RATE), seed=0)
    print(f"PPO, 15 steps of 8 prompts: {ppo_run.seconds:.1f} s ({ppo_run.seconds / 15:.2f} s per step)")
    training = Training(steps=15, batch_size=8, learning_rate=FEEDBACK_LEARNING_RATE)
    dpo_run = dpo(base, pairs, rm.score, problems, training)
    print(
        f"DPO, 15 steps of 8 pairs, same preferences: {dpo_run.seconds:.1f} s ({dpo_run.seconds / 15:.2f} s per step)"
    )


if __name__ == "__main__":
    main()
