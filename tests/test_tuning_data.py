"""The tuning lab's data: instruction tasks and their grading, rankings turned into preference pairs and the
raters. No model runs here."""

import pytest

from core.prompting.tasks import Problem
from core.tuning.instructions import (
    DEFAULT_TUNING_TASKS,
    INSTRUCTIONS,
    TASKS,
    capitals,
    one_word,
    question_set,
    step_by_step,
    toy_french,
    tuning_set,
)
from core.tuning.preferences import Pair, pairs_from_ranking, preference_dataset, rater_ranking
from core.tuning.rater import is_right, rate

COIN = Problem("coin_flip", "A coin is heads up. Ann flips it. Is the coin still heads up?", ("Ann flips: tails.",),
               "no", 1)  # fmt: skip


def test_graders_follow_the_instruction_not_just_the_answer():
    assert one_word(" no", COIN) and one_word(" No.", COIN)
    assert not one_word(" The answer is no.", COIN) and not one_word(" yes", COIN)
    assert capitals(" NO", COIN) and not capitals(" no", COIN)
    assert step_by_step(" Ann flips: tails. So the answer is no.", COIN)
    assert not step_by_step(" So the answer is no.", COIN) and not step_by_step(" The answer is no.", COIN)
    assert toy_french("Ann Bob") == "le Annou le Bobou"


def test_tuning_examples_are_worked_answers_in_tuning_phrasings_only():
    examples = tuning_set(list(DEFAULT_TUNING_TASKS), 70, seed=3)
    assert [e.task for e in examples[:7]] == list(DEFAULT_TUNING_TASKS)  # the tasks take turns
    held_out = {i.held_out_phrasing for i in INSTRUCTIONS.values()}
    for e in examples:
        instruction = TASKS[e.task].instruction
        assert e.prompt.split("\n")[0] in instruction.tuning_phrasings
        assert e.prompt.split("\n")[0] not in held_out
        assert instruction.follows(e.response, e.problem), e
    assert tuning_set(list(DEFAULT_TUNING_TASKS), 70, seed=3) == examples


def test_test_questions_are_never_tuned_on():
    tuned = {e.problem.question for e in tuning_set(list(TASKS), 2000, seed=0)}
    for task in TASKS:
        tests = question_set(task, 30, held_out_phrasing=True)
        assert all(e.prompt.startswith(TASKS[task].instruction.held_out_phrasing) for e in tests)
        assert not tuned & {e.problem.question for e in tests}, task


@pytest.mark.parametrize(
    ("tasks", "n", "message"),
    [([], 10, "no tasks to tune on chosen"), (["sing:coin_flip"], 10, "unknown task 'sing:coin_flip'"),
     (["one_word:coin_flip"], 0, "from 1 to 2000"), (["one_word:coin_flip"], 5000, "from 1 to 2000")],
)  # fmt: skip
def test_bad_tuning_requests_say_what_to_fix(tasks, n, message):
    with pytest.raises(ValueError, match=message):
        tuning_set(tasks, n)


def test_a_ranking_gives_one_pair_per_two_answers_of_different_rank():
    replies = ["a", "b", "c", "d"]
    pairs = pairs_from_ranking("Q: x\nA:", replies, [2, 1, 3, 1])
    assert {(p.chosen, p.rejected) for p in pairs} == {("b", "a"), ("d", "a"), ("b", "c"), ("d", "c"), ("a", "c")}
    assert all(isinstance(p, Pair) and p.prompt == "Q: x\nA:" for p in pairs)
    assert len(pairs_from_ranking("p", replies, [1, 2, 3, 4])) == 6  # k(k-1)/2


@pytest.mark.parametrize(
    ("ranks", "message"),
    [([], "the ranking is empty"), ([None, None, None, None], "the ranking is empty"),
     ([2, 2, 2, 2], "ties only"), ([1, 2, 3, 9], "rank of answer 4 must be a whole number from 1 to 4, got 9"),
     ([1, 2], "rank all 4 answers"), ([1, "x", 2, 3], "rank of answer 2 must be a whole number"),
     ([None, 2, 3, 4], "rank of answer 1 .* got None: 1 for the best, 4 for the worst"),
     ([1, 2, float("inf"), 4], "rank of answer 3 .* got inf"), ("1234", "a list of 4 ranks")],
)  # fmt: skip
def test_bad_rankings_get_a_clear_message(ranks, message):
    with pytest.raises(ValueError, match=message):
        pairs_from_ranking("p", ["a", "b", "c", "d"], ranks)


def test_the_reward_model_and_dpo_read_the_pairs_as_prompt_chosen_rejected_rows():
    rows = preference_dataset(pairs_from_ranking("Q: x\nA:", ["a", "b", "c"], [2, 1, 3])).to_list()
    assert rows == [
        {"prompt": "Q: x\nA:", "chosen": "a", "rejected": "c"},
        {"prompt": "Q: x\nA:", "chosen": "b", "rejected": "a"},
        {"prompt": "Q: x\nA:", "chosen": "b", "rejected": "c"},
    ]
    with pytest.raises(ValueError, match="^no preference pairs: rank at least two answers differently$"):
        preference_dataset([])


def test_raters_prefer_what_they_say_and_the_flawed_one_prefers_length():
    right, wrong = " The answer is no.", " The answer is yes."
    rambling = " Ann flips: tails. Bob does not: tails. Cora does not: tails. So the answer is yes."
    assert is_right(right, COIN) and is_right(" no", COIN) and not is_right(wrong, COIN)
    assert rater_ranking("correct_concise", [rambling, right, " no", wrong], COIN) == [4, 2, 1, 3]
    assert rate("longer", rambling, COIN) > rate("longer", right, COIN) > rate("longer", " no", COIN)
    assert rate("shows_steps", " Ann flips: tails. So the answer is no.", COIN) > rate("shows_steps", right, COIN)
    with pytest.raises(ValueError, match="unknown rater"):
        rate("kind", right, COIN)


def test_zero_shot_claims_pool_the_held_out_questions_of_each_kind():
    from core.tuning.claims import zero_shot_claims

    before = {
        ("a", False): (False,) * 4,
        ("a", True): (False,) * 4,
        ("b", False): (True, False),
        ("b", True): (False,) * 2,
    }
    after = {("a", False): (True,) * 4, ("a", True): (True, True, True, False), ("b", False): (True, True),
             ("b", True): (False,) * 2}  # fmt: skip
    claims = zero_shot_claims(before, after, tuned_on={"a"})
    phrasing, tasks = claims["held-out phrasings of tuned tasks"], claims["tasks never tuned on"]
    assert (phrasing.n, phrasing.a_mean, phrasing.b_mean) == (4, 0.0, 0.75)  # a's held-out phrasing only
    assert (tasks.n, tasks.a_mean, tasks.b_mean) == (4, 0.25, 0.5)  # both phrasings of b
    assert phrasing.verdict == "not enough evidence"  # 3 of 4 discordant pairs: McNemar's p = 0.25
    assert list(zero_shot_claims(before, after, tuned_on={"a", "b"})) == ["held-out phrasings of tuned tasks"]


def test_the_last_ranked_question_is_held_out_once_there_are_two():
    from core.tuning.lab import split_rankings

    first = pairs_from_ranking("Q: 1\nA:", ["a", "b", "c", "d"], [1, 2, 3, 4])
    second = pairs_from_ranking("Q: 2\nA:", ["e", "f", "g", "h"], [4, 3, 2, 1])
    train, held_out = split_rankings(first)
    assert train is first and held_out is first  # one question: nothing to spare, scored on its training pairs
    train, held_out = split_rankings(first + second)
    assert train == first and held_out == second


def _claims(right_before, right_after, score_before, score_after, length):
    from core.stats import paired_accuracy_difference, paired_seed_difference
    from core.tuning.claims import FeedbackClaims

    return FeedbackClaims(paired_accuracy_difference(right_before, right_after),
                          paired_seed_difference(score_before, score_after), length)  # fmt: skip


@pytest.mark.parametrize(
    ("length", "reading"),
    [((24.0, 32.0), "Reward hacking: the reward model's score (the proxy) rose while right answers"),
     ((19.0, 3.0), "Collapse rather than rambling: the reward model's score rose while right answers fell, but the "
                   "replies shrank from 19 to 3 characters")],
)  # fmt: skip
def test_the_reading_tells_reward_hacking_from_collapse(length, reading):
    from core.tuning.claims import feedback_reading

    right, wrong = [True] * 20, [False] * 20  # 20 of 20 right, then none: p < 0.001
    score_before, score_after = [0.1 * i for i in range(20)], [0.1 * i + 1 + 0.01 * (i % 3) for i in range(20)]
    assert feedback_reading(_claims(right, wrong, score_before, score_after, length)).startswith(reading)
    assert feedback_reading(_claims(right, right, score_before, score_after, length)).startswith("Not reward hacking")
    assert feedback_reading(_claims(right, wrong, score_after, score_before, length)).startswith("Right answers fell")


def test_the_comparison_says_what_zero_percent_means():
    from core.tuning.comparison import Row, reading

    rows = [Row("Fine-tuning", "", 1.0, 0.9, 0.88, 1.0, 0.0, ""), Row("Prompt engineering", "", 0.4, 0.0, 0.0, 1, 1, ""),
            Row("RLHF", "", 10.0, 0.92, 0.0, 1.0, 0.94, "")]  # fmt: skip
    assert reading(rows).startswith("Prompt engineering and RLHF reached 0% of the target: no reply was the right word")
    assert "Here prompting searched only 5 prefixes" in reading(rows) and "fine-tuning" not in reading(rows)
    assert reading(rows[:1]) == ""


def test_the_accuracy_bars_give_every_label_its_own_row():
    from core.tuning.charts import accuracy_before_after

    labels = [f"{t.title} (new phrasing)" for t in TASKS.values()] * 2  # 22 rows: every task, both phrasings
    fig = accuracy_before_after([(label, 0.0, 0.5) for label in labels])
    assert [bar.orientation for bar in fig.data] == ["h", "h"] and list(fig.data[0].y) == labels
    assert fig.layout.height == 120 + 28 * 22  # 736 px: 28 per row, not squashed into a fixed height
