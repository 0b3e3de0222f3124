"""The claim check says what the numbers show: a claim holds only when its paired interval excludes
no effect, a reversed effect does not hold, and a gap within noise is "not enough evidence"."""

import pytest
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import proportion_confint

from core.prompting.claims import by_length, claims, claims_table, curve_table

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
    }
    return {
        "n": N,
        "k": 4,
        "families": {"coin_flip": {"multi-step": cell, "longer": dict(cell, lengths=[13] * N)}},
        "unrelated_labels": {"0": bits(98), "1": bits(150), "2": bits(170), "4": bits(190), "8": bits(196)},
        "word_mapping": {"2": bits(110), "4": bits(120), "8": bits(10)},
        "word_mapping_new_layout": {"2": bits(100), "4": bits(56), "8": bits(25)},
    }


def claim(found, text):
    return next(c for c in found if text in c.statement)


def test_verdicts_follow_the_paired_intervals():
    found = claims(results(cot_right=190, answer_right=104))
    cot = claim(found, "multi-step, trained (8-12 people): chain-of-thought examples beat")
    assert cot.verdict == "holds" and cot.estimate.low > 0 and cot.estimate.effect == pytest.approx((190 - 104) / N)
    discordant_only_cot = 190 - 104  # the bit strings nest: every answer-only right is also chain right
    assert cot.estimate.p_value == mcnemar([[104, 0], [discordant_only_cot, 10]], exact=True).pvalue
    think = claim(found, "step by step")
    assert think.verdict == "not enough evidence" and think.estimate.low < 0 < think.estimate.high
    assert claim(found, "4 examples teach").verdict == "holds"
    assert claim(found, "reaches 85%").verdict == "holds"  # 196/200, Wilson low bound above 0.85
    assert claim(found, "by its 4 pairs").verdict == "holds"  # 60% against a chance of 25%
    assert claim(found, "by its 8 pairs").verdict == "does not hold"  # 5% [3%, 9%] against a chance of 12.5%
    assert claim(found, "never seen").verdict == "not enough evidence"  # 28% [22%, 35%] against 25%
    reversed_ = claim(claims(results(cot_right=80, answer_right=150)), "multi-step, trained")
    assert reversed_.verdict == "does not hold"


def test_tables_show_wilson_intervals():
    table = claims_table(results(190, 104))
    low, high = proportion_confint(190, N, method="wilson")
    assert f"95% [{low:.0%}, {high:.0%}]" in table
    assert "| Coin flip | multi-step, trained (8-12 people) | 50% |" in table
    curves = curve_table(results(190, 104))
    assert "| coin flip, unrelated answer words | 50% | 49% [" in curves
    assert "| word mapping, a layout never seen (`Ann = fox.`) | 1/k |  |  | 50% [" in curves


def test_accuracy_by_length_splits_each_cell_by_problem_length():
    curves = by_length(results(190, 104), "coin_flip")
    assert sorted(curves["few-shot-cot"]) == [8, 9, 10, 11, 12, 13]
    assert curves["few-shot-cot"][13].n == N and curves["few-shot-cot"][8].n == N // 5
