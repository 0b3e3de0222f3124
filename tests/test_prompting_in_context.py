"""The in-context probes and the corpus formats, checked by an independent route: the answer word a
probe expects is the one its own examples tie to the coin's side, and the word mapping's answer is
the word its prompt paired with the name."""

import random
import re
from collections import Counter

import pytest

from core.prompting.corpus import document
from core.prompting.in_context import (
    PROBE_KINDS,
    default_ks,
    k_choices,
    mapping_answer,
    probes,
    unrelated_label_probe,
    word_mapping_probe,
)
from core.prompting.words import LABEL_WORDS


def heads_up(question: str) -> bool:
    return question.count(" flips it.") % 2 == 0


def test_unrelated_label_probe_expects_the_word_its_examples_tie_to_the_side():
    for seed in range(200):
        probe = unrelated_label_probe(8, random.Random(seed))
        header, *items = probe.prompt.split("\n\n")
        first, second = re.fullmatch(r"Answer with (\S+) or (\S+)\.", header).groups()
        assert {first, second} <= set(LABEL_WORDS) and first != second and probe.truth in (first, second)
        word_for = {}
        for item in items[:-1]:
            question, answer = re.fullmatch(r"Q: (.+)\nA: The answer is (\S+)\.", item).groups()
            assert word_for.setdefault(heads_up(question), answer) == answer  # one word per side
        query = re.fullmatch(r"Q: (.+)\nA:", items[-1]).group(1)
        if heads_up(query) in word_for:
            assert probe.truth == word_for[heads_up(query)]
        if len(word_for) == 2:
            assert set(word_for.values()) == {first, second}


def test_zero_shot_label_probe_names_both_words_in_either_order_and_either_role():
    roles = Counter()
    for seed in range(400):
        probe = unrelated_label_probe(0, random.Random(seed))
        header, query = probe.prompt.split("\n\n")
        first, _ = re.fullmatch(r"Answer with (\S+) or (\S+)\.", header).groups()
        roles[(probe.truth == first, heads_up(query))] += 1
    assert len(roles) == 4 and min(roles.values()) > 60  # the order of the words says nothing about the answer


def test_the_same_questions_are_asked_for_every_k():
    queries = {k: [p.prompt.rsplit("\n\n", 1)[-1] for p in probes("labels", k, 20)] for k in (0, 1, 4, 8)}
    assert queries[0] == queries[1] == queries[4] == queries[8]


@pytest.mark.parametrize(
    ("layout", "pair", "again"),
    [("mapping", r"(\w+): (\S+)\.", "Again:\n"), ("mapping-new-layout", r"(\w+) = (\S+)\.", "")],
)
def test_word_mapping_answer_is_the_word_paired_with_the_name(layout, pair, again):
    for seed in range(200):
        probe = word_mapping_probe(6, random.Random(seed), layout)
        listed, query = probe.prompt.rsplit("\n", 1)
        listed = listed.removesuffix("\nAgain:") if again else listed
        pairs = dict(re.fullmatch(pair, line).groups() for line in listed.split("\n"))
        assert len(pairs) == 6 and len(set(pairs.values())) == 6
        name = query.removesuffix(":").removesuffix(" =")
        assert probe.truth == pairs[name] and probe.chance == pytest.approx(1 / 6)
        assert probe.prompt.endswith(again + query)
    assert mapping_answer(" fox.\nBob") == "fox" and mapping_answer("") == ""


def test_the_new_word_mapping_layout_never_appears_in_the_corpus():
    corpus = "\n".join(document(random.Random(seed)) for seed in range(2000))
    assert not re.search(r"[A-Z][a-z]+ = [a-z0-9]+\.", corpus)


def test_corpus_formats_vary_so_only_the_document_says_how_to_answer():
    docs = [document(random.Random(seed)) for seed in range(2000)]
    assert sum("Question:" in d for d in docs) > 100 and sum("Input:" in d for d in docs) > 100
    assert sum(d.startswith("Answer with") for d in docs) > 100  # coin flips with unrelated answer words
    assert sum("Let's think step by step." in d for d in docs) > 50
    chains = sum("So the answer is" in d for d in docs)
    answers_only = sum("The answer is" in d and "So the answer is" not in d for d in docs)
    assert 0.3 < chains / (chains + answers_only) < 0.7
    assert sum("Again:" in d or "Later:" in d or "Checked:" in d for d in docs) > 100  # rosters that repeat


def test_probes_reject_impossible_k():
    with pytest.raises(ValueError, match="k must be from 0 to 8"):
        unrelated_label_probe(9, random.Random(0))
    with pytest.raises(ValueError, match="k must be from 1 to 12"):
        word_mapping_probe(0, random.Random(0))


@pytest.mark.parametrize("kind", PROBE_KINDS)
def test_every_k_a_page_offers_is_one_the_probe_takes(kind):
    assert set(default_ks(kind)) <= set(k_choices(kind))
    for k in k_choices(kind):
        (probe,) = probes(kind, k, 1)
        assert probe.truth in probe.prompt  # the coin flip's instruction names both answer words
    assert k_choices("mapping") == (1, 2, 4, 8, 12) and k_choices("labels") == (0, 1, 2, 4, 8)
