"""Comparing candidate weights with the bundled ones: the bundled evaluation against itself changes nothing, a
cell made worse is found with its paired difference, and a claim it breaks is named as lost."""

import copy
import json

import pytest

from core.prompting.claims import EVALUATION_FILE
from core.prompting.weights_comparison import cell_bits, changed_cells, lost_claims, main, report, verdict_changes

BUNDLED = json.loads(EVALUATION_FILE.read_text())


def test_every_cell_of_the_stored_evaluation_is_found():
    cells = cell_bits(BUNDLED)
    assert "wordings / coin_flip / benchmark" in cells
    assert "families / coin_flip / multi-step / few-shot-cot" in cells
    assert "layouts / [Q] / [A]" in cells and "word_mapping_new_layout / 4" in cells
    assert all(len(bits) == BUNDLED["n"] for bits in cells.values())
    assert "flipped_labels / 4" in cells and not any(name.startswith("flipped_outcomes") for name in cells)


def test_a_candidate_without_a_cell_is_refused_not_read_as_unchanged():
    stale = copy.deepcopy(BUNDLED)
    del stale["wordings"]["coin_flip"]["benchmark"]
    stale["layouts"]["x -> y"] = stale["layouts"]["x -> y"][:100]
    with pytest.raises(ValueError, match="wordings / coin_flip / benchmark, layouts / x -> y"):
        changed_cells(BUNDLED, stale)
    older = {key: value for key, value in BUNDLED.items() if key != "flipped_outcomes"}
    with pytest.raises(ValueError, match="before the flipped-labels probe took turns"):
        changed_cells(older, BUNDLED)


def test_the_bundled_evaluation_against_itself_changes_nothing():
    assert changed_cells(BUNDLED, BUNDLED) == [] and verdict_changes(BUNDLED, BUNDLED) == []
    text = report(BUNDLED, BUNDLED)
    assert "No cell differs significantly." in text and "No claim that holds" in text
    assert "Cells significantly worse: 0; better: 0." in text


def test_a_wording_made_worse_is_found_and_its_lost_claim_named():
    """The "final letter" wording holds (92% against the corpus wording's 94%); a candidate that gets only its first
    100 questions right loses it."""
    worse = copy.deepcopy(BUNDLED)
    n = BUNDLED["n"]
    worse["wordings"]["last_letter"]["final"] = "1" * 100 + "0" * (n - 100)
    (name, before, after, diff), *rest = changed_cells(BUNDLED, worse)
    assert rest == [] and name == "wordings / last_letter / final"
    assert before == pytest.approx(BUNDLED["wordings"]["last_letter"]["final"].count("1") / n)
    assert after == 0.5 and diff.high < 0 < diff.p_value < 0.05
    (lost,) = lost_claims(verdict_changes(BUNDLED, worse))
    assert 'held-out wording "final"' in lost
    assert "Cells significantly worse: 1; better: 0." in report(BUNDLED, worse)
    assert "1 claim(s) that hold for the bundled weights do not hold" in report(BUNDLED, worse)


def test_cells_that_got_better_and_worse_are_counted_apart():
    moved = copy.deepcopy(BUNDLED)
    n = BUNDLED["n"]
    moved["layouts"]["[Q] / [A]"] = "1" * n  # 80% -> 100%
    moved["wordings"]["last_letter"]["final"] = "1" * 100 + "0" * (n - 100)  # 92% -> 50%
    assert "Cells significantly worse: 1; better: 1." in report(BUNDLED, moved)


def test_a_layout_with_a_bar_in_its_name_stays_in_its_table_row():
    worse = copy.deepcopy(BUNDLED)
    worse["layouts"]["x | y"] = "0" * BUNDLED["n"]
    (row,) = [line for line in report(BUNDLED, worse).splitlines() if line.startswith("| layouts")]
    assert row.startswith("| layouts / x \\| y |") and row.count(" | ") == 4


def test_evaluations_of_different_sizes_are_refused_with_what_to_do():
    smaller = copy.deepcopy(BUNDLED)
    smaller["n"] = 100
    with pytest.raises(ValueError, match="same --n and --k"):
        changed_cells(BUNDLED, smaller)


def test_the_command_prints_the_report_and_refuses_a_missing_file(tmp_path, capsys):
    candidate = tmp_path / "candidate.json"
    candidate.write_text(json.dumps(BUNDLED))
    main([str(candidate)])
    assert "No claim that holds for the bundled weights is lost." in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main([str(tmp_path / "missing.json")])
    assert "is not a file" in capsys.readouterr().err
