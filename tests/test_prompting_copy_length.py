"""Word-mapping accuracy by the answer word's length in tokens (`core.prompting.copy_length`)."""

import pytest

from core.prompting import copy_length
from core.prompting.models import NAME
from core.runtime import get_model

GOLDEN = [(2, 13, 11), (3, 11, 11), (4, 10, 9), (5, 6, 3)]  # (tokens, questions, right)
FIRST = 37  # replies of 40 that begin with the word's first token


def test_the_bundled_model_finds_the_word_but_does_not_finish_the_long_ones():
    """Golden, n = 40 of the evaluation's own questions at k = 4: almost every reply begins with the right token,
    and the long words are the ones written wrong."""
    result = copy_length.measure(get_model(NAME), "mapping", k=4, n=40)
    assert sum(r.n for r in result.rows) == 40
    assert [(r.tokens, r.n, r.right) for r in result.rows] == GOLDEN
    assert result.first_token == FIRST
    assert all(r.low <= r.right / r.n <= r.high for r in result.rows)


def test_only_the_mapping_probes_are_split():
    with pytest.raises(ValueError, match="probe must be one of mapping"):
        copy_length.measure(get_model(NAME), "labels")
