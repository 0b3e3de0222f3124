"""Corpus recipes beside the bundled weights' one: long answer words (`train --values long`), mapping documents
whose answer words take 3-10 tokens, so that a value is copied to its end, token by token, as a held-out word of
3-6 tokens must be; enclosed markers (`train --markers enclosed`), marker words in more pairs of characters;
openings (`train --openings cued` or `announced`), reasoning documents whose first answer, or a line before their
first question, asks for the reasoning."""

import random
import re
import statistics

import pytest
from transformers import AutoTokenizer

from core.prompting import corpus
from core.prompting.choices import MODEL_DIR
from core.prompting.labels import HELD_OUT_WORDS, allowed, long_label, trained_labels
from core.prompting.prompts import THINK

CONCLUSION = "So the answer is"


@pytest.fixture(scope="module")
def tokens():
    tokenizer = AutoTokenizer.from_pretrained(MODEL_DIR)
    return lambda word: len(tokenizer(" " + word, add_special_tokens=False).input_ids)


def test_long_answer_words_take_more_tokens_than_the_trained_ones(tokens):
    rng = random.Random(0)
    long = [long_label(rng) for _ in range(500)]
    short = trained_labels(random.Random(0), 100)
    assert statistics.mean(map(tokens, long)) > 4.5  # held-out words take 2-6
    assert statistics.mean(map(tokens, short)) < 3
    assert all(allowed(word) and word.lower() not in HELD_OUT_WORDS for word in long)


def test_a_long_share_of_zero_draws_the_bundled_weights_words():
    """Golden: `long_share=0` spends no draw, so the bundled weights' corpus is unchanged; 1 makes every word long."""
    assert trained_labels(random.Random(3), 4) == ["1915q", "77", "1963", "3fda"]
    assert trained_labels(random.Random(3), 4, 0.0) == ["1915q", "77", "1963", "3fda"]
    assert trained_labels(random.Random(3), 4, 1.0) == ["rosudubo", "5662011ha19521923", "\\10ass", "f1967Fay"]


def test_only_the_long_recipe_writes_long_mapping_values():
    """The same seeds give the same documents but for mapping documents, which under "long" hold longer answer
    words, and still nothing held out."""
    short, long = corpus.Recipe(), corpus.Recipe(values="long")
    changed = 0
    for seed in range(300):
        a, b = corpus.document(random.Random(seed), short), corpus.document(random.Random(seed), long)
        changed += a != b
        assert a == b or not any(mark in b for mark in corpus.MARKS)  # noise documents may hold any character
    assert 10 < changed < 300
    size = [sum(len(corpus.mapping_document(random.Random(s), recipe)) for s in range(200)) for recipe in (short, long)]
    assert size[1] > 1.1 * size[0]  # 62,906 against 55,701 characters


def test_only_the_enclosed_recipe_writes_markers_in_new_pairs_of_characters():
    """Drawn layouts write "{Q}", "«Q»", "/Q/", ... only under "enclosed", and never a held-out bracket."""
    enclosed = re.compile(r"^(?:\{\w+\}|«\w+»|/\w+/|_\w+_|\+\w+\+|~\w+~|%\w+%|`\w+`) ", re.MULTILINE)
    found = {}
    for markers in ("trained", "enclosed"):
        recipe = corpus.Recipe(markers=markers)
        texts = [corpus.document(random.Random(seed), recipe) for seed in range(300)]
        found[markers] = sum(bool(enclosed.search(t)) for t in texts if not any(m in t for m in corpus.MARKS))
    assert found["trained"] == 0
    assert found["enclosed"] > 15


def first_answers(recipe: corpus.Recipe, seeds: range) -> tuple[int, int]:
    """Of the reasoning documents drawn from `seeds`, how many there are and how many open with the cue."""
    chains = cued = 0
    for seed in seeds:
        text = corpus.qa_document(random.Random(seed), recipe)
        first = text.find(CONCLUSION)
        if first >= 0:
            chains += 1
            cued += THINK in text[:first]
    return chains, cued


def test_cued_openings_open_every_reasoning_document_with_the_cue_and_change_nothing_else():
    """Golden counts over 400 seeds: the bundled recipe opens 51 of its 192 reasoning documents with the cue (its
    THINK_SHARE), "cued" all 192; the draws are the same, so every other document is unchanged."""
    assert first_answers(corpus.Recipe(), range(400)) == (192, 51)
    assert first_answers(corpus.Recipe(openings="cued"), range(400)) == (192, 192)
    for seed in range(200):
        bundled = corpus.qa_document(random.Random(seed), corpus.Recipe())
        if CONCLUSION not in bundled:
            assert corpus.qa_document(random.Random(seed), corpus.Recipe(openings="cued")) == bundled


def test_announced_openings_put_a_line_before_every_reasoning_document_and_no_other():
    """Under "announced" each of the 148 reasoning documents of 300 seeds opens with a line asking for the working,
    and no direct-answer document does, so a question alone reads as the start of a document answered at once."""
    recipe = corpus.Recipe(openings="announced")
    chains = 0
    for seed in range(300):
        text = corpus.qa_document(random.Random(seed), recipe)
        announced = text.split("\n")[0] in corpus.ANNOUNCEMENTS
        chains += CONCLUSION in text
        assert announced == (CONCLUSION in text), text[:200]
    assert chains == 148
