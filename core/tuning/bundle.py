"""The bundled tuned models: the prompting lab's base model instruction-tuned, then feedback-tuned, by the lab's own
steps at their defaults, saved with `save_pretrained` where the registry finds them ("lab-lm-sft", "lab-lm-ppo").

    python -m core.tuning.bundle [--seed 0]

1. Instruction tuning (step 1's defaults: the default tasks, 240 examples, 60 steps of 8, learning rate 3e-4).
2. PPO from that model against the reward model of the "correct and concise" rater (step 3's defaults: 15 steps of
   8 prompts, learning rate 3e-5, KL coefficient 0.1).
Each folder gets a model card with what the run measured on held-out questions.
"""

import argparse
import time
from pathlib import Path

from core.prompting.models import PPO_SPEC, SFT_SPEC

CARD = """# {name}: {what}

The prompting lab's base model (`lab-lm`, a 2.19 M-parameter Llama-style decoder; see
`core/prompting/model/README.md`) after {steps}. Made by `python -m core.tuning.bundle --seed {seed}` in
{seconds:.0f} s on a CPU and saved in float16 (loaded back in float32 on a CPU); the tuning lab and the prompting lab load it through the registry as `{name}`, and the
lab's "Base vs tuned" section shows it beside the base model when a session has no tuned model of its own.

Measured by the same run, on held-out questions (seed {seed}; the README gives these claims over 5 seeds):

{claims}
"""


def save(lm, folder: Path) -> None:
    """`lm` in float16 (4.4 MB, half the float32 file, so the whole-suite Space stays under 50 MB); the registry
    loads it back in the device's dtype, float32 on a CPU."""
    import copy

    import torch

    folder.mkdir(parents=True, exist_ok=True)
    model = copy.deepcopy(lm.model).to(torch.float16)
    model.config.use_cache = True  # training turned it off; generation wants it, as the base model's config has it
    model.save_pretrained(folder)
    lm.tokenizer.save_pretrained(folder)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="a folder for sft/ and ppo/ (default: the bundled one)")
    args = parser.parse_args(argv)

    from core.tuning.claims import percent_points, score_change
    from core.tuning.lab import DEFAULT_TASKS, feedback_tuning, instruction_tuning
    from core.tuning.sessions import STORE

    sft_dir = args.out / "sft" if args.out else SFT_SPEC.bundled
    ppo_dir = args.out / "ppo" if args.out else PPO_SPEC.bundled
    began = time.perf_counter()
    session, report = instruction_tuning(None, DEFAULT_TASKS, seed=args.seed)
    sft = STORE.get(session, "instruction_tuned_model", "instruction tuning")
    save(sft, sft_dir)
    lines = [f"- {percent_points(claim, name)}" for name, claim in report.claims.items()]
    (sft_dir / "README.md").write_text(
        CARD.format(
            name=SFT_SPEC.name,
            what="the base model, instruction-tuned",
            seed=args.seed,
            steps="instruction tuning on 7 tasks (240 examples, 60 steps of 8, learning rate 3e-4)",
            seconds=time.perf_counter() - began,
            claims="\n".join(lines),
        )  # fmt: skip
    )
    print(f"instruction-tuned model saved to {sft_dir}", flush=True)

    began = time.perf_counter()
    session, fb, _ = feedback_tuning(session, "ppo", "correct_concise", steps=15, seed=args.seed, start_from="tuned")
    save(STORE.get(session, "ppo_tuned_model", "feedback tuning"), ppo_dir)
    lines = [
        f"- {percent_points(fb.claims.right, 'right answers')}",
        f"- {score_change(fb.claims.reward, 'reward-model score')}",
        f"- reward model right on {fb.reward_model_accuracy:.0%} of held-out pairs; largest KL to the "
        f"instruction-tuned model {max(fb.log.kl):.2f} nats",
    ]
    (ppo_dir / "README.md").write_text(
        CARD.format(
            name=PPO_SPEC.name,
            what="the instruction-tuned model, feedback-tuned with PPO",
            seed=args.seed,
            steps="instruction tuning (`lab-lm-sft`), then 15 PPO steps of 8 prompts against the reward model "
            "of the 'correct and concise' rater (learning rate 3e-5, KL coefficient 0.1)",
            seconds=time.perf_counter() - began,
            claims="\n".join(lines),
        )  # fmt: skip
    )
    print(f"PPO-tuned model saved to {ppo_dir}", flush=True)


if __name__ == "__main__":
    main()
