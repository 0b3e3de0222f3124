"""The tuning lab's claims over seeds and its base-vs-tuned view, without training: held-out question sets of any
size, the multi-seed line's numbers against `core.stats`, the live run's note, and the side-by-side question and
menu. The figures file, where it exists, is checked for what the README claims of it."""

import json

import pytest

from core.stats import paired_seed_difference
from core.tuning.over_seeds import (
    FEEDBACK_RUNS,
    SFT_CLAIMS,
    live_note,
    over_seeds,
    read_figures,
    run_name,
    seed_line,
    verdict_counts,
)


def record(before: float, after: float, verdict: str, n: int = 150) -> dict:
    return {"effect": after - before, "low": 0.0, "high": 0.0, "n": n, "p_value": 0.01, "verdict": verdict,
            "before": before, "after": after}  # fmt: skip


SEEDS = [record(0.40, 0.83, "holds"), record(0.42, 0.80, "holds"), record(0.38, 0.52, "not enough evidence"),
         record(0.41, 0.79, "holds"), record(0.40, 0.40, "not enough evidence")]  # fmt: skip


def test_held_out_questions_are_distinct_test_questions_of_any_size_the_same_for_a_seed():
    from core.prompting.tasks import is_test_question
    from core.tuning.claims import MAX_HELD_OUT, held_out_questions

    questions = held_out_questions(seed=0, n=150)
    assert len({p.question for p in questions}) == 150
    assert all(is_test_question(p.question) for p in questions)
    assert {p.task for p in questions} == {"coin_flip", "last_letter"}
    assert [p.question for p in held_out_questions(seed=0, n=48)] == [p.question for p in questions[:48]]
    assert questions[0].question == held_out_questions(seed=0, n=1)[0].question
    assert held_out_questions(seed=1, n=5) != held_out_questions(seed=0, n=5)
    with pytest.raises(ValueError, match=f"held-out questions must be from 1 to {MAX_HELD_OUT}"):
        held_out_questions(seed=0, n=MAX_HELD_OUT + 1)


def test_the_seed_line_is_a_t_interval_over_the_per_seed_means_with_each_seeds_verdict():
    claim = over_seeds(SEEDS)
    expected = paired_seed_difference([0.40, 0.42, 0.38, 0.41, 0.40], [0.83, 0.80, 0.52, 0.79, 0.40])
    assert (claim.effect, claim.low, claim.high, claim.n) == (expected.effect, expected.low, expected.high, 5)
    assert claim.effect == pytest.approx(0.266)
    assert verdict_counts(SEEDS) == "holds at 3 of 5 seeds, not enough evidence at 2"
    line = seed_line("Right answers", SEEDS)
    assert line.startswith("Right answers: 40% -> 67% (mean of 5 seeds), +26.6 pp [")
    assert "n = 5 seeds" in line and "each seed's own test (n = 150 questions): holds at 3 of 5 seeds" in line
    assert line.endswith("effects +43.0, +38.0, +14.0, +38.0, +0.0 pp")
    assert verdict_counts([record(0.5, 0.4, "does not hold")] * 2) == "does not hold at 2 of 2 seeds"


def test_a_live_run_is_matched_to_the_multi_seed_run_of_its_settings():
    from core.tuning.lab import FEEDBACK_LEARNING_RATE

    assert run_name("ppo", "correct_concise", 15.0, 0.1, "tuned", FEEDBACK_LEARNING_RATE) == "ppo from tuned"
    assert run_name("ppo", "correct_concise", 15.0, 0.1, "tuned", 1e-4) == "ppo from tuned at 1e-4"
    assert run_name("ppo", "longer", 15, 0.02, "base", 0.0001) == "longer, from base at 1e-4"
    assert run_name("ppo", "correct_concise", 14, 0.1, "tuned", FEEDBACK_LEARNING_RATE) is None
    assert "its settings were not measured over seeds" in live_note(None, figures={"seeds": {}})
    unmeasured = live_note("ppo from tuned", figures={"seeds": {"0": {"sft": {}}}})
    assert "Right answers: not measured over seeds yet (python bench/tuning_figures.py)" in unmeasured
    figures = {"seeds": {str(s): {"ppo from tuned": {"right": r, "reward": r, "max_kl": 1.5 + s,
                                                      "reward_model_accuracy": 0.75}} for s, r in enumerate(SEEDS)}}  # fmt: skip
    note = live_note("ppo from tuned", figures)
    assert "- Right answers: 40% -> 67% (mean of 5 seeds)" in note
    assert (
        "Largest KL to the start per seed: 1.5, 2.5, 3.5, 4.5, 5.5 nats; reward model right on held-out pairs: 75%"
        in note
    )


def test_the_bundled_figures_cover_every_claim_at_five_seeds_with_150_questions():
    figures = read_figures()
    assert figures is not None, "run python bench/tuning_figures.py --seeds 0 1 2 3 4"
    assert sorted(figures["seeds"], key=int) == ["0", "1", "2", "3", "4"]
    for seed in figures["seeds"].values():
        assert all(seed["sft"][claim]["n"] >= 150 for claim in SFT_CLAIMS)
        for run in FEEDBACK_RUNS:
            assert seed[run]["right"]["n"] >= 150 and seed[run]["reward"]["n"] >= 150
            assert 0 <= seed[run]["reward_model_accuracy"] <= 1 and seed[run]["max_kl"] >= 0
    json.dumps(figures)  # plain values only
    # the README's headline figure, recomputed from the records
    line = seed_line("PPO from the base model, right answers", [figures["seeds"][s]["ppo from base"]["right"]
                                                                 for s in "01234"])  # fmt: skip
    assert line.startswith(
        "PPO from the base model, right answers: 96% -> 70% (mean of 5 seeds), -26.7 pp [-48.9, -4.4]"
    )
    assert "does not hold at 4 of 5 seeds, not enough evidence at 1" in line


def test_the_side_by_side_question_is_a_fixed_test_question_and_bad_input_is_named():
    from core.prompting.tasks import is_test_question
    from core.tuning.side_by_side import side_question

    first = side_question("one_word:coin_flip", 0)
    assert first == side_question("one_word:coin_flip", 0) and first != side_question("one_word:coin_flip", 1)
    assert (
        first.question == "A coin is heads up. Bob does not flip it. Iris does not flip it. Is the coin still heads up?"
    )
    assert is_test_question(first.question)
    assert side_question("reverse:names", 3).answer == "Walt, Jade"
    with pytest.raises(ValueError, match="task"):
        side_question("one_word:poems", 0)
    with pytest.raises(ValueError, match="question number"):
        side_question("one_word:coin_flip", 1000)


def test_the_prompting_menu_offers_the_tuned_models_after_the_bundled_one():
    from core.prompting.choices import BASE, BUNDLED, INSTRUCT, with_tuned

    assert with_tuned([BUNDLED, BASE, INSTRUCT]) == [BUNDLED, "bundled-sft", "bundled-ppo", BASE, INSTRUCT]
    assert with_tuned([INSTRUCT]) == ["bundled-sft", "bundled-ppo", INSTRUCT]
