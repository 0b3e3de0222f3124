"""The bundled character-level tokenizer: loads like a hub tokenizer and round-trips the corpus."""

import random

import pytest
from transformers import AutoTokenizer

from core.prompting.corpus import document
from core.prompting.exemplars import EXEMPLARS
from core.prompting.sources import MODEL_DIR


@pytest.fixture(scope="module")
def tokenizer():
    return AutoTokenizer.from_pretrained(MODEL_DIR)


def test_tokenizer_round_trips_the_corpus(tokenizer):
    texts = [document(random.Random(seed)) for seed in range(300)] + [e.text for e in EXEMPLARS]
    for text in texts:
        ids = tokenizer(text).input_ids
        assert len(ids) == len(text)  # one token per character
        assert tokenizer.decode(ids) == text


def test_one_token_per_letter_makes_last_letters_visible(tokenizer):
    ids = tokenizer('"Lady Gaga"').input_ids
    assert [tokenizer.decode([i]) for i in ids] == list('"Lady Gaga"')


def test_characters_outside_the_alphabet_become_unknown(tokenizer):
    ids = tokenizer("caf\u00e9 \u201cok\u201d", add_special_tokens=False).input_ids
    assert [i == tokenizer.unk_token_id for i in ids] == [False] * 3 + [True, False, True, False, False, True]
