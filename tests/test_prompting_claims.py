"""The claim check says what the numbers show: a claim holds only when its interval lies wholly on the claimed
side of its target, a reversed effect does not hold, and an interval across the target is "not enough
evidence"."""

import pytest
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import proportion_confint

from core.prompting.claims import (
    by_length,
    claims,
    claims_table,
    curve_table,
    flipped_table,
    layout_table,
    wording_table,
)

N = 200


def bits(right: int, n: int = N) -> str:
    return "1" * right + "0" * (n - right)


def results(cot_right: int, answer_right: int) -> dict:
    cell = {
        "chance": 0.5,
        "lengths": [8 + i % 5 for i in range(N)],
        "zero-shot": bits(100),
        "zero-shot-cot": bits(104),
        "few-shot": bits(answer_right),
        "few-shot-cot": bits(cot_right),
        "modes": {"few-shot": "d" * 195 + "c" * 5, "few-shot-cot": "c" * 150 + "d" * 50},
    }
    return {
        "n": N,
        "k": 4,
        "families": {"coin_flip": {"multi-step": cell, "longer": dict(cell, lengths=[13] * N)}},
        "wordings": {
            "coin_flip": {
                "corpus": bits(cot_right),
                "benchmark": bits(cot_right - 4),
                "shows": bits(100),
                "invented": bits(120),
            }
        },
        "unrelated_labels": {"0": bits(0), "1": bits(100), "2": bits(150), "4": bits(190), "8": bits(196)},
        "layouts": {"Q:/A:": bits(190), "x -> y": bits(186), "[Q] / [A]": bits(60), "x | y": bits(170)},
        "word_mapping": {"2": bits(110), "4": bits(120), "8": bits(10)},
        "word_mapping_new_layout": {"2": bits(100), "4": bits(56), "8": bits(25)},
        "flipped_labels": {"0": bits(0), "4": bits(20), "8": bits(30)},
    }


def claim(found, text):
    return next(c for c in found if text in c.statement)


def test_verdicts_follow_the_intervals_against_their_targets():
    found = claims(results(cot_right=198, answer_right=100))
    cot = claim(found, "multi-step, trained (8-12 people): chain-of-thought examples beat answer-only examples by at")
    assert cot.estimate.effect == pytest.approx(0.49) and cot.estimate.null == pytest.approx(0.40)
    assert cot.verdict == ("holds" if cot.estimate.low > 0.40 else "not enough evidence")
    assert cot.estimate.p_value is None or cot.estimate.p_value == mcnemar([[100, 0], [98, 2]], exact=True).pvalue
    think = claim(found, "step by step")
    assert think.verdict == "not enough evidence" and think.estimate.low < 0 < think.estimate.high
    assert claim(found, "4 examples teach").verdict == "holds"
    assert claim(found, "8 examples: at least 90%").verdict == "holds"  # 196/200: Wilson low 95% > 90%
    assert claim(found, "4 examples: at least 85%").verdict == "holds"  # 190/200: Wilson low 91% > 85%
    assert claim(found, "(`x -> y`)").verdict == "holds"  # 2 points below the reference, interval above -10
    assert claim(found, "(`[Q] / [A]`)").verdict == "does not hold"  # 65 points below
    assert claim(found, "(`x | y`)").verdict == "not enough evidence"  # 10 points below: the interval spans -10
    assert claim(found, "4 pairs: at least 85%").verdict == "does not hold"  # 28%
    assert claim(found, "answer at once").verdict == "holds"  # 195/200 direct, Wilson low 94% > 90%
    assert claim(found, "reason first").verdict == "does not hold"  # 150/200 chains
    assert claim(found, 'wording "benchmark"').verdict == "holds"
    assert claim(found, 'wording "shows"').verdict == "does not hold"
    reversed_ = claim(claims(results(cot_right=80, answer_right=150)), "multi-step, trained (8-12 people): chain")
    assert reversed_.verdict == "does not hold"


def test_tables_show_wilson_intervals_for_every_row():
    table = claims_table(results(190, 104))
    low, high = proportion_confint(190, N, method="wilson")
    assert f"95% [{low:.0%}, {high:.0%}]" in table
    assert "| Coin flip | multi-step, trained (8-12 people) | 50% |" in table
    curves = curve_table(results(190, 104))
    assert "| coin flip, held-out answer words (Q:/A:) | 50% | 0% [0%, 2%] | 50% [" in curves
    assert "| word mapping, held-out words, held-out layouts | 1/k |  |  | 50% [" in curves
    assert "| flipped labels: follows the examples, not its prior | 50% | 0% [" in curves
    assert "| `[Q] / [A]` | held out | 30% [" in layout_table(results(190, 104))
    assert "| Coin flip | shows | 50% [" in wording_table(results(190, 104))
    assert "| Coin flip | invented (new draws of the corpus's own kind) | 60% [" in wording_table(results(190, 104))


def test_the_flipped_table_tells_the_halves_the_prior_and_other_replies_apart():
    """Probes take turns between the flipped answers "yes" (even) and "no" (odd): a model that answers "no" to
    everything follows on the odd half only, and keeps its prior on the even half."""
    found = results(190, 104)
    assert flipped_table(found) == ""  # an evaluation that did not keep the outcomes shows no table
    found["flipped_outcomes"] = {"0": "po" * 100, "4": "pf" * 100, "8": "f" * 150 + "pf" * 25}
    rows = flipped_table(found).splitlines()
    assert rows[0].startswith('| k | follows, flipped answer "yes" | follows, flipped answer "no" | keeps its prior')
    assert rows[2].startswith("| 0 | 0% [0%, 4%] | 0% [0%, 4%] | 50% [43%, 57%] | 50% [43%, 57%] |")
    assert rows[3].startswith("| 4 | 0% [0%, 4%] | 100% [96%, 100%] | 50% [43%, 57%] | 0% [0%, 2%] |")
    (low, high), (plow, phigh) = (
        proportion_confint(75, 100, method="wilson"),
        proportion_confint(25, 200, method="wilson"),
    )
    assert (
        rows[4]
        == f"| 8 | 75% [{low:.0%}, {high:.0%}] | 100% [96%, 100%] | 12% [{plow:.0%}, {phigh:.0%}] | 0% [0%, 2%] |"
    )


def test_the_corpus_kind_of_wording_is_shown_but_is_not_a_held_out_claim():
    """New draws of the corpus's invented wordings show how well the model reads the kind of material it was
    trained on; only held-out wordings are claims against the issue's targets."""
    statements = [c.statement for c in claims(results(190, 104))]
    assert any('wording "shows"' in s for s in statements)
    assert not any("invented" in s for s in statements)


def test_accuracy_by_length_splits_each_cell_by_problem_length():
    curves = by_length(results(190, 104), "coin_flip")
    assert sorted(curves["few-shot-cot"]) == [8, 9, 10, 11, 12, 13]
    assert curves["few-shot-cot"][13].n == N and curves["few-shot-cot"][8].n == N // 5


def test_the_stored_flipped_outcomes_agree_with_their_right_wrong_bits():
    """The bundled evaluation keeps, for flipped labels, both the right/wrong bits and what each reply did."""
    from core.prompting.claims import load
    from core.prompting.in_context import FLIPPED_KS, FOLLOWS

    stored = load()
    assert set(stored["flipped_outcomes"]) == {str(k) for k in FLIPPED_KS}
    for k, did in stored["flipped_outcomes"].items():
        assert stored["flipped_labels"][k] == "".join("1" if d == FOLLOWS else "0" for d in did)
