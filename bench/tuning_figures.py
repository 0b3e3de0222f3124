"""The tuning lab's README figures over several seeds, measured the way the lab's tabs run them (the tabs' defaults
but the step counts named below), offline.

    python bench/tuning_figures.py --seeds 0 1 2 3 4          # run, merge into core/tuning/seed_figures.json, print
    python bench/tuning_figures.py --print                     # print the table from the file

At each seed:
1. Instruction tuning (step 1's defaults); every task answered under a tuned and its held-out phrasing,
   22 questions each, so each pooled claim has >= 150 questions.
2. Feedback tuning against the reward model of the "correct and concise" rater (step 3's defaults: 15 steps,
   learning rate 3e-5): PPO and DPO from the base model and from the seed's instruction-tuned model, and PPO from
   the tuned model at 1e-4 (the step size).
3. Reward hacking: PPO (15 steps, KL coefficient 0.02) against "longer is better", from the base model at 1e-4 and
   from the tuned model at 3e-4.
4. The notes' table (20 training steps, 32 held-out questions).
Every feedback run's claims are measured on 150 distinct held-out questions, answered greedily before and after.
The seed changes the tuning data, the training and the sampled replies; the held-out questions stay the same.
"""

import argparse
import json
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SFT_QUESTIONS = 22  # per task and phrasing: 7 tuned tasks x 22 = 154 held-out-phrasing questions
HELD_OUT = 150  # feedback questions per claim
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "core" / "tuning" / "seed_figures.json"
# the server stops a visitor's job after 180 s; a bench run beside other work may take longer and must finish
OFFLINE_TIME_LIMIT_S = "3600"


def one_seed(seed: int) -> dict:
    from core.tuning.lab import DEFAULT_TASKS, compare_methods, feedback_tuning, instruction_tuning
    from core.tuning.over_seeds import FEEDBACK_RUNS, claim_record

    began = time.perf_counter()
    session, report = instruction_tuning(None, DEFAULT_TASKS, seed=seed, questions=SFT_QUESTIONS)
    runs: dict = {
        "sft": {name: claim_record(claim) for name, claim in report.claims.items()}
        | {"seconds": report.seconds, "rows": [asdict(row) for row in report.rows]}
    }
    print(f"seed {seed}: SFT {report.seconds:.0f} s", flush=True)
    for name, (method, reward, steps, kl_coef, start, learning_rate) in FEEDBACK_RUNS.items():
        _, fb, _ = feedback_tuning(session if start == "tuned" else None, method, reward, steps=steps, seed=seed,
                                   learning_rate=learning_rate, kl_coef=kl_coef, start_from=start, claim_questions=HELD_OUT)  # fmt: skip
        runs[name] = {
            "right": claim_record(fb.claims.right),
            "reward": claim_record(fb.claims.reward),
            "length": list(fb.claims.length),
            "reward_model_accuracy": fb.reward_model_accuracy,
            "max_kl": max(fb.log.kl),
            "seconds": fb.seconds,
        }
        print(f"seed {seed}: {name}: right {fb.claims.right.effect:+.1%} ({fb.claims.right.verdict}), "
              f"max KL {max(fb.log.kl):.2f}", flush=True)  # fmt: skip
    runs["table"] = [asdict(row) for row in compare_methods(steps=20, test_questions=32, seed=seed)]
    runs["total_seconds"] = time.perf_counter() - began
    return runs


def merged(path: Path, new: dict[str, dict]) -> dict:
    figures = json.loads(path.read_text()) if path.exists() else {"seeds": {}}
    figures["seeds"] |= new
    figures["settings"] = {
        "sft_questions_per_task_and_phrasing": SFT_QUESTIONS,
        "held_out_feedback_questions": HELD_OUT,
    }
    return figures


def table_lines(figures: dict) -> list[str]:
    """The multi-seed lines the README quotes."""
    from core.tuning.over_seeds import FEEDBACK_RUNS, PERCENT, SCORE, SFT_CLAIMS, claims_of, seed_line

    seeds = sorted(figures["seeds"], key=int)
    lines = [f"seeds {', '.join(seeds)}"]
    for claim in SFT_CLAIMS:
        lines.append(seed_line(f"SFT, {claim}", claims_of(figures, "sft", claim), PERCENT))
    for name in FEEDBACK_RUNS:
        lines.append(seed_line(f"{name}: right answers", claims_of(figures, name, "right"), PERCENT))
        lines.append(seed_line(f"{name}: reward-model score", claims_of(figures, name, "reward"), SCORE))
        runs = [figures["seeds"][s][name] for s in seeds]
        lines.append(
            f"{name}: reward model right on held-out pairs per seed "
            + ", ".join(f"{r['reward_model_accuracy']:.0%}" for r in runs)
            + "; largest KL to the start per seed "
            + ", ".join(f"{r['max_kl']:.2f}" for r in runs)
            + " nats; held-out reply length per seed "
            + ", ".join(f"{r['length'][0]:.0f}->{r['length'][1]:.0f}" for r in runs)
            + " characters"
        )
    methods = [row["method"] for row in figures["seeds"][seeds[0]]["table"]]
    for i, method in enumerate(methods):
        rows = [figures["seeds"][s]["table"][i] for s in seeds]
        mean = {key: sum(r[key] for r in rows) / len(rows) for key in rows[0] if type(rows[0][key]) in (int, float)}
        reached = ", ".join(f"{r['accuracy']:.0%}" for r in rows)
        lines.append(
            f"table, {method}: target reached {reached} (mean {mean['accuracy']:.0%}); unrelated task "
            f"{mean['unrelated_before']:.0%} -> {mean['unrelated_after']:.0%}; weights changed "
            f"{mean['changed_fraction']:.0%}; {mean['seconds']:.1f} s"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="*", default=[])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--print", action="store_true", help="print the table from --out, run nothing")
    parser.add_argument("--merge", type=Path, nargs="*", default=[], help="figure files to merge into --out")
    args = parser.parse_args()
    from core.runtime.limits import TIME_LIMIT_ENV

    os.environ.setdefault(TIME_LIMIT_ENV, OFFLINE_TIME_LIMIT_S)
    for other in args.merge:
        args.out.write_text(json.dumps(merged(args.out, json.loads(other.read_text())["seeds"]), indent=1))
    for seed in args.seeds:
        args.out.write_text(json.dumps(merged(args.out, {str(seed): one_seed(seed)}), indent=1))
    if args.print or args.seeds or args.merge:
        for line in table_lines(json.loads(args.out.read_text())):
            print(line)


if __name__ == "__main__":
    main()
