"""The bundled BPE tokenizer: loads like a hub tokenizer, round-trips any text, and makes the corpus's
words and numbers single tokens, so a worked example is several times shorter than in characters."""

import random

import pytest
from transformers import AutoTokenizer

from core.prompting.choices import MODEL_DIR
from core.prompting.corpus import document
from core.prompting.exemplars import EXEMPLARS


@pytest.fixture(scope="module")
def tokenizer():
    return AutoTokenizer.from_pretrained(MODEL_DIR)


def test_tokenizer_round_trips_the_corpus_and_any_text(tokenizer):
    texts = [document(random.Random(seed)) for seed in range(300)] + [e.text for e in EXEMPLARS]
    texts.append("caf\u00e9 \u201cok\u201d \U0001f600 \u00b3")  # bytes outside the corpus still encode
    for text in texts:
        assert tokenizer.decode(tokenizer(text).input_ids) == text


def test_corpus_text_is_several_times_shorter_than_in_characters(tokenizer):
    texts = [document(random.Random(1000 + seed)) for seed in range(200)]
    characters = sum(len(t) for t in texts)
    tokens = sum(len(tokenizer(t).input_ids) for t in texts)
    # golden: 2.40 characters per token (a BPE of 2048 tokens; the invented wordings' filler words and the runs of
    # random tokens and characters, which no tokenizer shortens, keep it from the 3-4 of plain English)
    assert characters / tokens == pytest.approx(2.403, abs=0.005)


def test_numbers_and_task_words_are_single_tokens(tokenizer):
    for word in [" flips", " heads", " tails", " answer", " letter", " days"] + [f" {n}" for n in range(59)]:
        assert len(tokenizer(word).input_ids) == 1, word
