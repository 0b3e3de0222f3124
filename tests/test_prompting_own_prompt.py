"""A student's own few-shot prompt: where its answers go is found from the prompt itself, whatever the layout,
and the measurement hides each example in turn."""

import pytest

from core.prompting.own_prompt import Example, blocks_of, parse


def test_an_arrow_prompt_one_per_line():
    joiner, examples, marker = parse("cat -> alpha\ndog -> omega\nowl -> alpha\nfox ->")
    assert joiner == "\n" and marker == " ->"
    assert examples == [Example("cat ->", "alpha"), Example("dog ->", "omega"), Example("owl ->", "alpha")]


def test_a_q_a_prompt_with_blank_lines_and_two_word_answers():
    prompt = "Q: big cat\nA: ice cream\n\nQ: dog\nA: hot dog\n\nQ: small cat\nA:"
    joiner, examples, marker = parse(prompt)
    assert joiner == "\n\n" and marker.endswith("\nA:")
    assert [e.answer for e in examples] == ["ice cream", "hot dog"]
    assert examples[0].prefix == "Q: big cat\nA:"


def test_the_answer_slot_is_the_longest_ending_every_example_shares():
    prompt = "Problem: 2 + 2\nSolution: four\n\nProblem: 1 + 2\nSolution: three\n\nProblem: 2 + 3\nSolution:"
    _, examples, marker = parse(prompt)
    assert marker == "\nSolution:" and [e.answer for e in examples] == ["four", "three"]
    assert blocks_of("a\n\n\n\nb\n\nc ")[1] == "c"


@pytest.mark.parametrize(
    ("prompt", "message"),
    [
        ("", "the prompt is empty"),
        ("   \n ", "the prompt is empty"),
        ("cat -> a\n" * 1000 + "fox ->", "the prompt is 9,006 characters; at most 6,000"),
        ("cat -> alpha\nfox ->", "at least 2 examples"),
        ("cat\ndog\nfox", "could not find where the answers go"),
        ("\n".join(f"w{i} -> a" for i in range(17)) + "\nz ->", "at most 16 examples"),
        ("cat -> " + "x" * 50 + "\ndog -> y\nfox ->", "answers must be at most 40 characters"),
    ],
)
def test_a_prompt_the_lab_cannot_read_gets_a_message_that_says_what_to_write(prompt, message):
    with pytest.raises(ValueError, match=message):
        parse(prompt)
