"""Do the tuned models do better zero-shot? FLAN's and InstructGPT's point, measured on the prompting lab's own
evaluation: the bundled base model (`lab-lm`), its instruction-tuned copy (`bundled-sft`) and its PPO-tuned copy
(`bundled-ppo`) answer the same held-out questions zero-shot and few-shot (k = 4), at the tuning lab's lengths.

    python bench/tuned_zero_shot.py [--n 200]

Each tuned model's accuracy is compared with the base model's on the same questions (Newcombe's interval, McNemar's
exact test), per task and pooled over tasks, graded two ways: as the prompting lab grades (the answer after "the
answer is"; a bare "yes" is no answer) and as the tuning lab grades (that, else the reply's first line).
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TASKS = ("coin_flip", "last_letter", "arithmetic", "dates")
MODELS = ("bundled", "bundled-sft", "bundled-ppo")
STRATEGIES = ("zero-shot", "few-shot")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200, help="held-out questions per task")
    args = parser.parse_args()

    from core.prompting import evaluate
    from core.prompting.answers import first_reply, normalise, read_answer
    from core.prompting.replies import language_model
    from core.stats import format_claim, paired_accuracy_difference
    from core.tuning.models import LAB_LENGTHS

    right: dict[tuple[str, str, str, str], list[bool]] = {}  # (grading, model, strategy, task) -> right per question
    for task in TASKS:
        problems = evaluate.held_out_problems(task, args.n, LAB_LENGTHS[task])
        for model in MODELS:
            for strategy in STRATEGIES:
                *_, report = evaluate.evaluate_in_batches(language_model(model), problems, strategy, k=4)
                right["lab", model, strategy, task] = [item.correct for item in report.items]
                right["lenient", model, strategy, task] = [
                    read_answer(first_reply(item.generation)) == normalise(item.truth) for item in report.items
                ]
                lenient = sum(right["lenient", model, strategy, task]) / len(report.items)
                print(f"{model} {strategy} {task}: {report.accuracy:.1%} (lenient {lenient:.1%}) of "
                      f"{len(report.items)}", flush=True)  # fmt: skip
    for grading in ("lab", "lenient"):
        for strategy in STRATEGIES:
            for model in MODELS[1:]:
                for task in (*TASKS, "pooled"):
                    tasks = TASKS if task == "pooled" else (task,)
                    base = [bit for t in tasks for bit in right[grading, "bundled", strategy, t]]
                    tuned = [bit for t in tasks for bit in right[grading, model, strategy, t]]
                    claim = paired_accuracy_difference(base, tuned)
                    print(f"{grading} grading, {strategy}, {model} vs bundled, {task}: {claim.a_mean:.0%} -> "
                          f"{claim.b_mean:.0%}, {format_claim(claim, '{:+.1f}', 100, ' pp', 'questions')}")  # fmt: skip


if __name__ == "__main__":
    main()
