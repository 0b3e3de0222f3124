"""Speed of the tuning lab on this machine, at the app's defaults: one live SFT run (target: at most 60 s on a
2-core CPU), the reward model, and PPO vs DPO wall time on the same preferences.

    python bench/tuning_speed.py [--threads 1]
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_S = 60.0


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    import torch

    from core.runtime import pick_device
    from core.runtime.training import Training
    from core.tuning.dpo import dpo
    from core.tuning.instructions import DEFAULT_TUNING_TASKS, tuning_set
    from core.tuning.policy import base_model, count_parameters
    from core.tuning.ppo import PPOConfig, ppo
    from core.tuning.preferences import feedback_problems, rater_preferences
    from core.tuning.reward_model import train_reward_model
    from core.tuning.sft import instruction_tune

    torch.set_num_threads(args.threads)
    base = base_model()
    print(f"device: {pick_device()}, {args.threads} thread(s), base model {count_parameters(base.model) / 1e6:.2f} M")

    sft_training = Training(steps=60, batch_size=8, learning_rate=3e-3)
    sft, _ = timed(lambda: instruction_tune(base, tuning_set(list(DEFAULT_TUNING_TASKS), 240), sft_training))
    verdict = "OK" if sft.seconds <= TARGET_S else "TOO SLOW"
    print(f"SFT, 60 steps of 8 (the default live run): {sft.seconds:.1f} s (target <= {TARGET_S:.0f} s): {verdict}")
    lora, _ = timed(
        lambda: instruction_tune(base, tuning_set(list(DEFAULT_TUNING_TASKS), 240), sft_training, lora=True)
    )
    print(f"SFT with LoRA, 60 steps of 8: {lora.seconds:.1f} s")

    pairs, seconds = timed(lambda: rater_preferences(base, "correct_concise", 12, 4, seed=0))
    print(f"12 rankings of 4 sampled answers ({len(pairs)} pairs): {seconds:.1f} s")
    rm = train_reward_model(base, pairs, Training(steps=40, batch_size=8, learning_rate=1e-3))
    print(f"reward model, 40 steps of 8 pairs: {rm.seconds:.1f} s")
    problems = feedback_problems(16, seed=7)
    ppo_run = ppo(base, rm.score, problems, PPOConfig(steps=15), seed=0)
    print(f"PPO, 15 steps of 8 prompts: {ppo_run.seconds:.1f} s ({ppo_run.seconds / 15:.2f} s per step)")
    dpo_run = dpo(base, pairs, rm.score, problems, Training(steps=15, batch_size=8, learning_rate=3e-4))
    print(
        f"DPO, 15 steps of 8 pairs, same preferences: {dpo_run.seconds:.1f} s ({dpo_run.seconds / 15:.2f} s per step)"
    )


if __name__ == "__main__":
    main()
