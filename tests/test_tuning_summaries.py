"""What the tuning lab reports after each step, read from a finished report: the mean accuracies of tuned and
held-out tasks and phrasings, the preference pairs, and the rows of its tables."""

from core.tuning.lab import TaskRow, TuningReport
from core.tuning.preferences import Pair
from core.tuning.summaries import instruction_rows, instruction_summary, pairs_rows, pairs_summary

REPORT = TuningReport(
    rows=(
        TaskRow("one_word:coin_flip", "One word", True, False, 0.0, 1.0),
        TaskRow("one_word:coin_flip", "One word", True, True, 0.0, 0.5),
        TaskRow("capitals:coin_flip", "Capitals", True, True, 0.25, 0.75),
        TaskRow("step_by_step:last_letter", "Step by step", False, False, 0.5, 0.5),
    ),
    losses=(2.0, 1.0),
    seconds=12.4,
    evaluation_seconds=3.0,
    examples=240,
    changed_fraction=0.125,
)


def test_instruction_summary_averages_each_kind_of_task_and_phrasing():
    summary = instruction_summary(REPORT)
    assert summary.startswith("Tuned on **240 examples**: training **12 s**, answering the test questions before and")
    assert "(total 15 s); 12% of the weights changed." in summary  # 0.125 rounds half to even
    assert "tuned tasks, tuned phrasing 0% -> 100%; tuned tasks, **held-out phrasing 12% -> 62%**" in summary
    assert "**held-out tasks 50% -> 50%** (held-out phrasing n/a)." in summary


def test_instruction_rows_say_what_was_tuned_on():
    assert instruction_rows(REPORT)[1] == ["One word", "tuned on", "held out", "0%", "50%"]
    assert instruction_rows(REPORT)[3] == ["Step by step", "held out", "tuned on", "50%", "50%"]


def test_pairs_are_counted_by_question_and_the_last_question_is_held_out():
    one = [Pair("Q: Is it heads?\nA:", "yes", "The answer is yes."), Pair("Q: Is it heads?\nA:", "yes", "no")]
    assert pairs_summary(one) == "2 preference pairs so far, from 1 question (rank a second to hold one out)."
    two = [*one, Pair("Q: Last letter of cat?\nA:", "t", "c")]
    assert pairs_summary(two) == (
        "3 preference pairs so far, from 2 questions (the last one is held out to test the reward model)."
    )
    assert pairs_rows(two)[2] == ["Last letter of cat?", "t", "c"]


def test_a_policy_that_drifted_far_from_its_start_is_said_to_have_and_why():
    from core.tuning.summaries import DRIFT_NATS, drift_note

    assert drift_note(DRIFT_NATS) == "" and drift_note(1.2) == ""
    note = drift_note(5.98)
    assert note.startswith(" **The policy drifted 6.0 nats from its start** (more than 5)")
    assert "A smaller learning rate or a larger KL coefficient keeps the policy nearer its start." in note


def test_side_by_side_rows_and_summary_say_where_each_model_comes_from():
    from core.prompting.tasks import Problem
    from core.tuning.side_by_side import Reply, SideBySide
    from core.tuning.summaries import side_rows, side_summary

    problem = Problem("coin_flip", "A coin is heads up. Ann flips it. Is the coin still heads up?", (), "no", 1)
    replies = (Reply("base model", "the base model", "The answer is no.", False),
               Reply("instruction-tuned (SFT)", "this session's", "no", True),
               Reply("feedback-tuned (SFT, then PPO)", "bundled", "No", True))  # fmt: skip
    result = SideBySide("Reply with a single word.\nQ: ...\nA:", problem, replies)
    assert side_rows(result)[0] == ["base model", "the base model", "The answer is no.", "no"]
    summary = side_summary(result)
    assert (
        "Right answer: **no**. Follows the instruction and is right: instruction-tuned (SFT), feedback-tuned" in summary
    )
    assert "Tuned models marked *bundled* were made by the lab's own steps" in summary
    mine = SideBySide(result.prompt, problem, replies[:2])
    assert "marked *bundled*" not in side_summary(mine)
    nobody = SideBySide(result.prompt, problem, (replies[0],))
    assert "None of the three follows the instruction with the right answer here." in side_summary(nobody)
