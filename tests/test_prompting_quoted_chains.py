"""Quoted chains: reasoning steps that open with the sentence of the question they read, in the corpus (only when
asked) and in the evaluation's prompts; and prompts fitted to the context so that no reply is cut short."""

import random
import re
from types import SimpleNamespace

import pytest
from transformers import AutoTokenizer

from core.prompting import corpus
from core.prompting.choices import MODEL_DIR
from core.prompting.evaluate import fitted_prompt, held_out_problems, lengths_of, token_budget
from core.prompting.prompts import build_prompt
from core.prompting.tasks.families import FAMILIES


def test_quoted_chain_golden():
    """Golden: a fixed draw of each family, its steps opened by the sentences they read."""
    chains = {task: FAMILIES[task].make(random.Random(3), 2).quoted_chain for task in FAMILIES}
    assert chains["coin_flip"] == "Emil flips it: flips, tails. Vlad does not flip it: does not, tails."
    assert chains["arithmetic"] == (
        "Emil has 9 shells: Emil starts with 9. Emil gets 6 more: 9 + 6 = 15. "
        "Emil buys 2 packs of 2: 2 packs of 2 is 4. 15 + 4 = 19."
    )
    assert chains["dates"] == (
        "It was moved 6 days earlier, to today: 6 days before 11/12/1942 is 11/06/1942. "
        "What is the date 2 days from today in MM/DD/YYYY: 2 days after 11/06/1942 is 11/08/1942."
    )
    # last letters: no step reads a sentence of its own, so the chain stays plain
    assert chains["last_letter"] == FAMILIES["last_letter"].make(random.Random(3), 2).chain


@pytest.mark.parametrize("task", ["coin_flip", "arithmetic", "dates"])
def test_every_quoted_step_opens_with_a_sentence_of_its_question_in_order(task):
    family = FAMILIES[task]
    rng = random.Random(11)
    for length in family.train_lengths + family.longer_lengths:
        problem = family.make(rng, length)
        assert len(problem.quoted) == len(problem.steps)
        position = 0
        for quoted, step in zip(problem.quoted, problem.steps, strict=True):
            said, _, rest = quoted.partition(": ")
            position = problem.question.index(said, position)  # in the question, after the last one
            assert rest == step or task == "coin_flip"
        assert problem.quoted_chain.count(".") >= len(problem.steps)


def test_a_quoted_coin_flip_step_says_what_happened_and_the_side():
    problem = FAMILIES["coin_flip"].make(random.Random(5), 12)
    for quoted, step in zip(problem.quoted, problem.steps, strict=True):
        person, meaning_side = step.split(" ", 1)
        meaning, side = meaning_side.rstrip(".").split(": ")
        assert quoted.startswith(person) and quoted.endswith(f": {meaning}, {side}.")


def quoted_documents(chains: str, n: int = 200) -> int:
    found = 0
    for seed in range(n):
        text = corpus.document(random.Random(seed), corpus.Recipe(chains=chains))
        found += bool(re.search(r"\b(?:flips|does not), (?:heads|tails)\.", text))
    return found


def test_the_corpus_quotes_chains_only_when_asked():
    """The default corpus (the bundled weights') never quotes; `chains="mixed"` quotes some reasoning documents and
    `"quoted"` more of them."""
    plain, mixed, quoted = (quoted_documents(c) for c in ("plain", "mixed", "quoted"))
    assert plain == 0
    assert 0 < mixed < quoted


def test_the_prompt_quotes_its_examples_only_when_asked():
    problem = held_out_problems("coin_flip", 1, lengths_of("coin_flip", "multi-step"))[0]
    plain = build_prompt(problem, "few-shot-cot", k=4, seed=1)
    quoted = build_prompt(problem, "few-shot-cot", k=4, seed=1, quoted=True)
    assert not re.search(r": (?:flips|does not), ", plain)
    assert len(re.findall(r"it: (?:flips|does not), (?:heads|tails)\.", quoted)) >= 4
    # answer-only examples have no chain to quote
    assert build_prompt(problem, "few-shot", k=4, seed=1, quoted=True) == build_prompt(problem, "few-shot", seed=1)


def test_a_prompt_too_long_for_its_reply_drops_examples_until_it_fits():
    tokenizer = AutoTokenizer.from_pretrained(MODEL_DIR)
    problems = held_out_problems("coin_flip", 3, lengths_of("coin_flip", "multi-step"))
    budget = token_budget(SimpleNamespace(tokenizer=tokenizer), problems, "few-shot-cot")
    full = build_prompt(problems[0], "few-shot-cot", k=4, seed=1000)
    size = len(tokenizer(full, add_special_tokens=False).input_ids)
    roomy = SimpleNamespace(tokenizer=tokenizer, context=size + budget, document_start="")
    tight = SimpleNamespace(tokenizer=tokenizer, context=size + budget - 1, document_start="")
    assert fitted_prompt(roomy, problems[0], "few-shot-cot", budget, 4, seed=1000) == full
    fitted = fitted_prompt(tight, problems[0], "few-shot-cot", budget, 4, seed=1000)
    assert fitted == build_prompt(problems[0], "few-shot-cot", k=3, seed=1000)
    assert len(tokenizer(fitted, add_special_tokens=False).input_ids) + budget <= tight.context
    # zero-shot prompts have no examples to drop, and a bad k is still refused with its own message
    assert fitted_prompt(tight, problems[0], "zero-shot", budget, 4) == build_prompt(problems[0], "zero-shot")
    with pytest.raises(ValueError, match="k"):
        fitted_prompt(roomy, problems[0], "few-shot-cot", budget, 0)
