"""What each step of the tuning lab measured, in the words and table rows a page shows: instruction tuning's
accuracy before and after per task, the preference pairs of a ranking, feedback tuning's training batches and
held-out claims, and the measured columns of the notes' table. Each reads a finished report; none trains."""

from typing import TYPE_CHECKING

from core.tuning.claims import feedback_reading, percent_points, score_change

if TYPE_CHECKING:
    from core.tuning.comparison import Row
    from core.tuning.lab import FeedbackReport, TuningReport
    from core.tuning.preferences import Pair
    from core.tuning.side_by_side import SideBySide


def percent(x: float) -> str:
    return f"{x:.0%}"


def instruction_rows(report: "TuningReport") -> list[list]:
    """Per task and phrasing: whether it was tuned on, whether the phrasing was, accuracy before and after."""
    return [
        [
            r.title,
            "tuned on" if r.tuned_on else "held out",
            "held out" if r.held_out_phrasing else "tuned on",
            percent(r.before),
            percent(r.after),
        ]
        for r in report.rows
    ]


def instruction_summary(report: "TuningReport") -> str:
    """The run's cost, the mean accuracy before -> after for tuned and held-out tasks and phrasings, the claims."""

    def mean(tuned_on: bool, held_out_phrasing: bool) -> str:
        rows = [r for r in report.rows if r.tuned_on == tuned_on and r.held_out_phrasing == held_out_phrasing]
        if not rows:
            return "n/a"
        return f"{sum(r.before for r in rows) / len(rows):.0%} -> {sum(r.after for r in rows) / len(rows):.0%}"

    summary = (
        f"Tuned on **{report.examples} examples**: training **{report.seconds:.0f} s**, answering the test questions "
        f"before and after **{report.evaluation_seconds:.0f} s** (total {report.seconds + report.evaluation_seconds:.0f}"
        " s); "
        f"{report.changed_fraction:.0%} of the weights changed. Mean zero-shot accuracy before -> after: "
        f"tuned tasks, tuned phrasing {mean(True, False)}; tuned tasks, **held-out phrasing {mean(True, True)}**; "
        f"**held-out tasks {mean(False, False)}** (held-out phrasing {mean(False, True)})."
    )
    return summary + "".join(f"\n\n{percent_points(claim, name.capitalize())}" for name, claim in report.claims.items())


def pairs_rows(pairs: list["Pair"]) -> list[list[str]]:
    """Per preference pair: the question's first line, the preferred answer and the one it was preferred over."""
    return [[p.prompt.split("\n")[0][3:60], p.chosen, p.rejected] for p in pairs]


def pairs_summary(pairs: list["Pair"]) -> str:
    questions = len({p.prompt for p in pairs})
    held_out = "the last one is held out to test the reward model" if questions > 1 else "rank a second to hold one out"
    return (
        f"{len(pairs)} preference pairs so far, from {questions} question{'s' if questions > 1 else ''} ({held_out})."
    )


DRIFT_NATS = 5.0  # a policy this far from its start no longer answers like it (README: the drifting seeds)


def drift_note(largest_kl: float) -> str:
    """A sentence when the policy drifted far from its start, saying what that means and what keeps it near."""
    if largest_kl <= DRIFT_NATS:
        return ""
    return (
        f" **The policy drifted {largest_kl:.1f} nats from its start** (more than {DRIFT_NATS:g}): its replies are "
        "no longer the start model's with small changes, so the reward model, trained on the start model's replies, "
        "is scoring text unlike any it learned from, and its score can rise while the answers get worse. A smaller "
        "learning rate or a larger KL coefficient keeps the policy nearer its start."
    )


def feedback_summary(method: str, report: "FeedbackReport") -> str:
    """Where each number comes from: the training batches (what the curves show), or held-out questions the tuning
    never saw (the claims)."""
    log, claims = report.log, report.claims
    return (
        f"**{method.upper()}** in **{report.seconds:.1f} s** of training, then **{report.evaluation_seconds:.1f} s** "
        f"answering held-out questions, on {report.pairs} preference pairs (reward model: "
        f"{report.reward_model_seconds:.1f} s, ranks {report.reward_model_accuracy:.0%} of {report.accuracy_pairs} "
        "right)."
        "\n\n**In the training batches** (one sampled reply to each of 8 tuning prompts per step; first step -> last): "
        f"training-batch reward (the reward model's score) {log.reward[0]:.2f} -> {log.reward[-1]:.2f}; "
        f"right answers in the batches {log.correct[0]:.0%} -> {log.correct[-1]:.0%}; reply length "
        f"{log.length[0]:.0f} -> {log.length[-1]:.0f} characters; KL to the start {log.kl[-1]:.2f} nats (largest "
        f"{max(log.kl):.2f}).{drift_note(max(log.kl))}"
        f"\n\n**On {claims.right.n} held-out questions** (never tuned on; greedy replies before -> after tuning):"
        f"\n\n- {percent_points(claims.right, 'Held-out right answers')}"
        f"\n- {score_change(claims.reward, 'Held-out reward-model score')}"
        f"\n- Held-out reply length: {claims.length[0]:.0f} -> {claims.length[1]:.0f} characters"
        f"\n\n{feedback_reading(claims)}"
    )


def times_rows(reports: dict[str, "FeedbackReport"]) -> list[list[str]]:
    """Per method run on the same preferences: training time, the last batch's score, KL and right answers, and
    the held-out score and right answers."""
    return [
        [
            method.upper(),
            f"{r.seconds:.1f}",
            f"{r.log.reward[-1]:.2f}",
            f"{r.log.kl[-1]:.2f}",
            percent(r.log.correct[-1]),
            f"{r.claims.reward.b_mean:.2f}",
            percent(r.claims.right.b_mean),
        ]
        for method, r in reports.items()
    ]


def measured_rows(rows: list["Row"]) -> list[list]:
    """The notes' table's measured columns, one row per way of getting the target behaviour."""
    return [
        [
            r.method,
            r.data_used,
            f"{r.seconds:.1f}",
            f"{r.changed_fraction:.1%}",
            percent(r.accuracy),
            f"{r.unrelated_before:.0%} -> {r.unrelated_after:.0%}",
            r.detail,
        ]
        for r in rows
    ]


def side_rows(result: "SideBySide") -> list[list[str]]:
    """Per model: which it is, where it comes from, its reply, and whether the reply follows the instruction."""
    return [[r.model, r.origin, r.text, "yes" if r.follows else "no"] for r in result.replies]


def side_summary(result: "SideBySide") -> str:
    """The prompt all three models read, the right answer, and which replies follow the instruction."""
    followed = [r.model for r in result.replies if r.follows]
    verdict = f"Follows the instruction and is right: {', '.join(followed)}." if followed else (
        "None of the three follows the instruction with the right answer here."
    )  # fmt: skip
    bundled = any(r.origin.startswith("bundled") for r in result.replies)
    where = (
        " Tuned models marked *bundled* were made by the lab's own steps at their defaults "
        "(`python -m core.tuning.bundle`); run steps 1 and 3 (PPO) to see your own."
        if bundled
        else ""
    )
    return (
        f"**The prompt** (greedy replies, each up to its first line break):\n```\n{result.prompt}\n```\n"
        f"Right answer: **{result.problem.answer}**. {verdict}{where}"
    )
