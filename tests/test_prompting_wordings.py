"""Invented and perturbed wordings: the blanks a family's sentences need survive in order, the slots stay
tell-apart, every family still makes its problems in them, the corpus writes them (and unannounced mapping
repeats) as often as it says, and a perturbed coin flip can say "coin" inside a step."""

import hashlib
import random
import re

import pytest

from core.prompting import corpus
from core.prompting.tasks import sample
from core.prompting.tasks.families import FAMILIES
from core.prompting.wordings import (
    BLANK,
    PERTURB_WORDS,
    contrast_slots,
    invented_sentence,
    invented_wording,
    own_words,
    perturbed_sentence,
    perturbed_wording,
)


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


def says(sentence: str, trained: str) -> bool:
    """Whether `sentence` holds the words of `trained` in order (a perturbed sentence puts filler words among them)."""
    words = iter(sentence.rstrip(".?").lower().split())
    return all(word in words for word in trained.rstrip(".?").lower().split())


def test_some_qa_documents_are_in_an_invented_wording():
    """A coin-flip document whose people neither flip nor keep in any trained sentence, filler words aside, is one
    in an invented wording: about INVENTED_SHARE of them, minus those that drew trained flip and keep sentences."""
    trained = FAMILIES["coin_flip"].train_slots
    verbs = [s.replace("{p} ", "") for s in trained["flip"] + trained["keep"]]
    rng, invented, coin = random.Random(3), 0, 0
    for _ in range(1500):
        text = corpus.qa_document(rng)
        if "heads" not in text or "flips:" not in text:
            continue
        coin += 1
        sentences = re.findall(r"(?:^|\. )[A-Z][a-z]+ ([^.?]+\.)", text.split("\n")[0])
        invented += not any(says(s, verb) for s in sentences for verb in verbs)
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


def test_perturbed_sentence_golden():
    coin = own_words(FAMILIES["coin_flip"])
    assert perturbed_sentence("{p} flips it.", random.Random(0), coin) == "Vatufi {p} kuni flips it."
    assert perturbed_sentence("{p} flips it.", random.Random(2), coin) == "{p} now flips it."
    letters = own_words(FAMILIES["last_letter"])
    assert perturbed_sentence('Join the last letters of "{words}".', random.Random(2), letters) == (
        'Join the last letters of "{words}" letters.'
    )


def test_own_words_are_the_familys_words_without_blanks_or_a_steps_meaning():
    """ "coin" may turn up inside a step; "not" or "flips" may not, since a chain that reads the step the other way
    would teach that they can be skipped."""
    coin = own_words(FAMILIES["coin_flip"])
    assert {"coin", "the", "heads", "still"} <= set(coin)
    assert not {"not", "flips", "flip", "turns", "leaves", "does"} & set(coin)
    assert not any("{" in w or "p" == w for w in coin)
    assert {task: contrast_slots(family) for task, family in FAMILIES.items()} == {
        "coin_flip": {"flip", "keep"}, "last_letter": set(), "arithmetic": {"buy", "give"},
        "dates": {"later", "earlier"},
    }  # fmt: skip
    assert not {"gets", "loses", "away"} & set(own_words(FAMILIES["arithmetic"]))
    assert not {"delayed", "earlier", "forward"} & set(own_words(FAMILIES["dates"]))


@pytest.mark.parametrize("task", FAMILIES)
def test_perturbed_sentences_keep_every_word_in_order_and_add_one_or_two(task):
    family, rng = FAMILIES[task], random.Random(task)
    own = own_words(family)
    for template in (s for options in family.train_slots.values() for s in options):
        for _ in range(30):
            sentence = perturbed_sentence(template, rng, own)
            assert BLANK.findall(sentence) == BLANK.findall(template)
            assert sentence[-1] == template[-1] if template[-1] in ".?" else sentence[-1] not in ".?"
            assert says(sentence, template)  # the template's words, in order, among the sentence's
            assert len(sentence.split()) - len(template.split()) in range(PERTURB_WORDS[0], PERTURB_WORDS[1] + 1)


def test_a_perturbed_coin_flip_says_each_step_its_own_way_and_sometimes_says_coin_in_one():
    """Filler words are drawn each time a sentence is said, so the steps of one question differ in length; some come
    from the family's own sentences, which put "coin" (otherwise only in the question's last sentence) into a step."""
    family, rng = FAMILIES["coin_flip"], random.Random(4)
    problems = [sample(family, rng, 10, "train", perturbed_wording(family, rng)) for _ in range(300)]
    step_lengths = []
    for problem in problems:
        steps = re.split(r"(?<=\.) ", problem.question)[1:-1]  # the start and the question left out
        assert len(steps) == 10 and all(
            name in problem.question for name in re.findall(r"^(\w+) ", "\n".join(problem.steps), re.M)
        )
        step_lengths.append(len({len(step.split()) for step in steps}))
    assert min(step_lengths) >= 2  # never ten steps of one length
    with_coin = sum("coin" in " ".join(re.split(r"(?<=\.) ", p.question)[1:-1]) for p in problems)
    assert 0.1 < with_coin / len(problems) < 0.9


def test_the_corpus_puts_filler_words_in_only_when_asked():
    """By default a trained-wording coin flip says every step in a trained sentence (the bundled weights' corpus);
    with `wordings="perturbed"`, the same draw says some steps with filler words in."""
    trained = FAMILIES["coin_flip"].train_slots
    sentences = {s.replace("{p} ", "") for s in trained["flip"] + trained["keep"]}

    def odd_steps(wordings: str) -> int:
        found = 0
        for seed in range(300):
            text = corpus.document(random.Random(seed), corpus.Recipe(wordings=wordings))
            steps = re.findall(r"(?:^|\. )[A-Z][a-z]+ ((?:flips|does|turns|leaves)[^.?:]*\.)", text)
            found += sum(step not in sentences for step in steps)
        return found

    assert odd_steps("trained") == 0
    assert odd_steps("perturbed") > 20


def test_the_default_corpus_is_the_bundled_weights_corpus():
    """Golden: the first 300 seeded documents of the default corpus, as the bundled weights were trained on them
    (the same hash at commit 042219c, before the perturbed option existed); an option leaking into the default
    would change it."""
    digest = hashlib.sha256()
    for seed in range(300):
        digest.update(corpus.document(random.Random(seed)).encode())
    assert digest.hexdigest() == "d4f0524c553cb57eeb412242a7abd23942adbae65863a0ddd5bd8245f8d48d3c"


def test_the_evaluation_invents_the_same_new_wordings_every_run():
    """Golden: the evaluation's invented wordings come from fixed seeds, differ from one another and from every
    trained sentence, and hold no held-out mark."""
    from core.prompting.evaluate import INVENTED_DRAWS, invented_wordings

    drawn = invented_wordings("coin_flip")
    assert drawn[0] == {
        "start": "Nando suz ruzza.",
        "flip": "Nemta {p} old.",
        "keep": "Sum {p} bee fo sd.",
        "ask": "Zipo loni dura?",
    }
    for task, family in FAMILIES.items():
        drawn = invented_wordings(task)
        assert len(drawn) == INVENTED_DRAWS and drawn == invented_wordings(task)
        assert len({tuple(w.values()) for w in drawn}) == INVENTED_DRAWS
        trained = {s for options in family.train_slots.values() for s in options}
        for wording in drawn:
            assert any(s not in trained for s in wording.values())
            assert not any(mark in s for s in wording.values() for mark in corpus.MARKS)
