"""Invented wordings: the blanks a family's sentences need survive in order, the slots stay tell-apart, every
family still makes its problems in them, and the corpus writes them (and unannounced mapping repeats) as often
as it says."""

import random
import re

import pytest

from core.prompting import corpus
from core.prompting.tasks import sample
from core.prompting.tasks.families import FAMILIES
from core.prompting.wordings import BLANK, invented_sentence, invented_wording


def test_invented_sentence_golden():
    assert invented_sentence("{p} flips it.", random.Random(0)) == "Box {p} polu."
    assert invented_sentence('Join the last letters of "{words}".', random.Random(1)) == '"{words}" brown nonve bom.'


@pytest.mark.parametrize("task", FAMILIES)
def test_invented_sentences_keep_the_blanks_in_order_and_the_last_mark(task):
    rng = random.Random(task)
    for template in (options[0] for options in FAMILIES[task].train_slots.values()):
        for _ in range(50):
            sentence = invented_sentence(template, rng)
            assert BLANK.findall(sentence) == BLANK.findall(template)
            end = template[-1] if template[-1] in ".?" else ""
            assert sentence[-1] == end if end else sentence[-1] not in ".?"
            assert sentence.count('"') == template.count('"') and "{" not in BLANK.sub("", sentence)


@pytest.mark.parametrize("task", FAMILIES)
def test_invented_wordings_tell_slots_apart_and_make_every_length(task):
    family, rng = FAMILIES[task], random.Random(7)
    trained = {s for options in family.train_slots.values() for s in options}
    for _ in range(100):
        wording = invented_wording(family, rng)
        assert set(wording) == set(family.train_slots)
        assert len(set(wording.values())) == len(wording)
        assert any(s not in trained for s in wording.values())
        for length in family.train_lengths:
            problem = sample(family, rng, length, "train", wording)
            assert "{" not in problem.question and problem.answer


def test_some_qa_documents_are_in_an_invented_wording():
    """A coin-flip document whose people neither flip nor keep in any trained sentence is one in an invented
    wording: about INVENTED_SHARE of them, minus those that drew trained flip and keep sentences."""
    trained = FAMILIES["coin_flip"].train_slots
    verbs = [s.replace("{p} ", "") for s in trained["flip"] + trained["keep"]]
    rng, invented, coin = random.Random(3), 0, 0
    for _ in range(1500):
        text = corpus.qa_document(rng)
        if "heads" not in text or "flips:" not in text:
            continue
        coin += 1
        sentences = re.findall(r"(?:^|\. )[A-Z][a-z]+ ([^.?]+\.)", text.split("\n")[0])
        invented += not any(s in verbs for s in sentences)
    assert coin > 100
    assert 0.1 < invented / coin < corpus.INVENTED_SHARE + 0.1


def test_half_the_mapping_documents_repeat_their_keys_unannounced():
    rng = random.Random(5)
    announced = 0
    for _ in range(600):
        lines = corpus.mapping_document(rng).split("\n")
        announced += any(line in corpus.AGAIN for line in lines if line)
    expected = (1 - corpus.UNMARKED_SHARE) * (1 - 1 / len(corpus.AGAIN))  # the empty heading announces nothing
    assert abs(announced / 600 - expected) < 0.06
