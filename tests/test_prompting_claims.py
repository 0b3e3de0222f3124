"""The claim check says what the numbers show, and calls a gap noise when it is within two standard errors."""

from core.prompting.claims import claims_table, clear_gap, statements

RESULTS = {
    "n": 40,
    "k": 2,
    "command": "python -m core.prompting.evaluate --n 40 --k 2",
    "accuracy": {
        "coin_flip": {
            "trained": {"chance": 0.5, "zero-shot": 0.5, "zero-shot-cot": 0.95, "few-shot": 0.55, "few-shot-cot": 1.0},
            "longer": {"chance": 0.5, "zero-shot": 0.5, "zero-shot-cot": 0.45, "few-shot": 0.55, "few-shot-cot": 0.5},
        }
    },
}


def test_gaps_within_two_standard_errors_are_noise():
    assert clear_gap(1.0, 0.55, 40)
    assert not clear_gap(0.05, 0.02, 40)
    assert not clear_gap(0.0, 0.0, 40)


def test_statements_follow_the_numbers_whatever_they_show():
    trained, longer = statements(RESULTS)
    assert "chain-of-thought helps (100% vs 55%" in trained and "beats chance (50%)" in trained
    assert "no clear difference" in longer and "within noise of chance" in longer
    table = claims_table(RESULTS)
    assert "| Coin flip | longer than trained (5, 6, 7 people) | 50% | 50% | 45% | 55% | 50% |" in table
