"""An evaluation run of the lab: every chosen strategy on the same held-out questions, reported after every batch
of answers so that a stopped run keeps what it answered; its table, charts and wrong answers."""

from collections.abc import Iterator
from dataclasses import dataclass

from core.prompting.prompts import STRATEGIES, check_k
from core.prompting.questions import TASK_CHOICES
from core.runtime.limits import Deadline, TooLong
from core.runtime.validate import whole_number

FEWER_QUESTIONS = "ask for fewer questions or strategies"
RUNNING = "**Running:**"  # the start of the note while a run goes on
PARTIAL = "The table shows the questions answered until then (Asked); strategies not reached are missing."
CHANCE_ROW = "Chance (most common answer)"


def evaluation_steps(task, strategies, n, length_set, k, source, chat, progress=None):
    """Check the settings, then yield (the strategies' reports so far, the chance baseline) after every batch of
    answers: the last strategy's report covers the questions it has answered."""
    from core.prompting import evaluate
    from core.prompting.replies import language_model

    if not strategies:
        raise ValueError("no strategies chosen: tick at least one, e.g. zero-shot and few-shot chain-of-thought")
    problems = evaluate.held_out_problems(
        task, whole_number(n, "n", 1, evaluate.MAX_N), evaluate.lengths_of(task, length_set)
    )
    k = check_k(k)
    lm = language_model(source)
    done = []
    for i, strategy in enumerate(strategies):
        for report in evaluate.evaluate_in_batches(lm, problems, strategy, k=k, chat=chat):
            answered = len(report.items)
            if progress is not None:  # a gr.Progress is falsy (its len is 0 until it tracks an iterable)
                total = len(strategies) * len(problems)
                progress(
                    (i * len(problems) + answered, total), desc=f"{STRATEGIES[strategy]}: {answered}/{len(problems)}"
                )
            yield [*done, report], evaluate.chance(problems)
        done.append(report)


@dataclass(frozen=True)
class EvaluationView:
    """What the Evaluate tab shows of a run so far."""

    note: str  # markdown: running, stopped or empty when done
    table: list[list]  # Strategy, Accuracy, Right, Asked; the chance row last
    bars: object  # a plotly figure: accuracy per strategy
    curve: object  # a plotly figure: accuracy against problem length
    wrong: list[tuple[str, str]]  # (label, "strategy:index") of every wrong answer
    reports: dict  # strategy -> its Report, for `wrong_answer`


def evaluation_view(task, reports, baseline, note) -> EvaluationView:
    from core.prompting.charts import accuracy_bars, accuracy_by_length

    table = [
        [STRATEGIES[r.strategy], f"{r.accuracy:.0%}", sum(i.correct for i in r.items), len(r.items)] for r in reports
    ]
    table.append([CHANCE_ROW, f"{baseline:.0%}", "", ""])
    wrong = [
        (f"{STRATEGIES[r.strategy]} #{j + 1}: {item.question[:70]}", f"{r.strategy}:{j}")
        for r in reports
        for j, item in enumerate(r.items)
        if not item.correct
    ]
    bars = accuracy_bars({r.strategy: r.accuracy for r in reports}, baseline)
    curve = accuracy_by_length(task, {r.strategy: r.accuracy_by_length() for r in reports})
    return EvaluationView(note, table, bars, curve, wrong, {r.strategy: r for r in reports})


def evaluation_views(task, strategies, n, length_set, k, source, chat, progress=None) -> Iterator[EvaluationView]:
    """The view after every batch of answers; past the time limit, the last one marked as stopped."""
    deadline = Deadline(FEWER_QUESTIONS)
    for reports, baseline in evaluation_steps(task, strategies, n, length_set, k, source, chat, progress):
        try:
            deadline.check()
        except TooLong as err:
            yield evaluation_view(task, reports, baseline, f"**Stopped:** {err}. {PARTIAL}")
            return
        latest = reports[-1]
        note = f"{RUNNING} {len(latest.items)} questions of {STRATEGIES[latest.strategy]} answered; Stop keeps them."
        yield evaluation_view(task, reports, baseline, note)
    yield evaluation_view(task, reports, baseline, "")


def stopped(note: str) -> str:
    """The note of a run that Stop ended: what the table shows."""
    return f"**Stopped** by you. {PARTIAL}" if note.startswith(RUNNING) else note


def wrong_answer(chosen: str | None, reports: dict | None) -> str:
    """One wrong answer ("strategy:index") as ground truth, extracted answer, prompt and generation."""
    if not chosen or not reports:
        return ""
    strategy, index = chosen.rsplit(":", 1)
    item = reports[strategy].items[int(index)]
    return (
        f"Ground truth: {item.truth}\nExtracted: {item.predicted}\n\n--- prompt ---\n{item.prompt}"
        f"\n\n--- generation ---\n{item.generation}"
    )


def evaluate_uses(task: str, k: int) -> str:
    """The settings an evaluation takes from the first tab, said beside its button."""
    title = dict((key, label) for label, key in TASK_CHOICES).get(task, task)
    return (
        f"Uses the first tab's task (**{title}**), model, and **k = {int(k)}** worked examples for the few-shot "
        "strategies."
    )
