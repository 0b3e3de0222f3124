"""Generation: seeded sampling is reproducible, the KV cache and batching change nothing under
greedy decoding, bad input gets a message that says what to do, and a hub-style model with a chat
template loads through the registry (a tiny random-weight one, built and saved here)."""

import re

import pytest
import torch
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

from core.prompting.generate import MAX_NEW_TOKENS, filtered, generate, generate_batch
from core.prompting.models import NAME
from core.runtime import get_model

PROMPT = "Q: A coin is heads up. Ann flips it. Bob does not flip it. Is the coin still heads up?\nA: Let's think step by step."


@pytest.fixture(scope="module")
def lm():
    return get_model(NAME)


def test_seeded_sampling_is_reproducible(lm):
    opening = "Q: A coin is heads up."  # who flips next is a free choice: the samples differ by seed
    first = generate(lm, opening, 40, temperature=1.0, top_k=20, top_p=0.95, seed=123)
    again = generate(lm, opening, 40, temperature=1.0, top_k=20, top_p=0.95, seed=123)
    others = {generate(lm, opening, 40, temperature=1.0, top_k=20, top_p=0.95, seed=s).text for s in range(3)}
    assert first.tokens == again.tokens
    assert len(others | {first.text}) > 1


def test_tokens_carry_probabilities_and_five_alternatives(lm):
    generation = generate(lm, PROMPT, 20)
    for token in generation.tokens:
        probs = [p for _, p in token.alternatives]
        assert len(token.alternatives) == 5 and probs == sorted(probs, reverse=True)
        assert token.text == token.alternatives[0][0] and token.prob == probs[0]  # greedy picks the top one


def test_kv_cache_and_batching_leave_greedy_text_unchanged(lm):
    prompts = [PROMPT, 'Q: Take the last letters of the words in "Ann Bob" and concatenate them.\nA:']
    cached = [generate(lm, p, 60).text for p in prompts]
    assert cached[0] == generate(lm, PROMPT, 60, use_cache=False).text
    batched = generate_batch(lm, prompts, 60)
    assert [b[: len(c)] for b, c in zip(batched, cached, strict=True)] == cached


def test_top_k_and_top_p_keep_the_head_of_the_distribution():
    probs = torch.tensor([0.5, 0.3, 0.15, 0.05])
    assert torch.allclose(filtered(probs, 2, 1.0), torch.tensor([0.625, 0.375, 0, 0]))
    assert torch.allclose(filtered(probs, 0, 0.7), torch.tensor([0.625, 0.375, 0, 0]))
    assert torch.allclose(filtered(probs, 0, 1.0), probs)


@pytest.mark.parametrize(
    ("prompt", "kwargs", "message"),
    [
        ("   ", {}, "the prompt is empty"),
        ("Q: " + "Ann flips it. " * 300, {}, r"the prompt is \d+ tokens .* context holds 1024 tokens"),
        (PROMPT, {"temperature": 3.0}, "temperature must be from 0"),
        (PROMPT, {"top_p": 0.0}, "top_p must be above 0"),
        (PROMPT, {"top_k": -1}, "top_k must be 0"),
        (PROMPT, {"max_new_tokens": MAX_NEW_TOKENS + 1}, "max_new_tokens must be from 1"),
        (PROMPT, {"seed": -1}, "seed must be a whole number"),
    ],
)
def test_bad_input_says_what_to_do(lm, prompt, kwargs, message):
    with pytest.raises(ValueError, match=message):
        generate(lm, prompt, **({"max_new_tokens": 10} | kwargs))


@pytest.fixture
def tiny_chat_model(tmp_path):
    """A random-weight GPT-2 with a word-level tokenizer and a chat template, saved like a hub model."""
    words = ["<eos>", "<unk>", "user:", "assistant:", "Q:", "A:", "coin", "heads", "up", "?", "."]
    core = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, eos_token="<eos>", unk_token="<unk>")
    tokenizer.chat_template = (
        "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }} {% endfor %}"
        "{% if add_generation_prompt %}assistant: {% endif %}"
    )
    torch.manual_seed(0)
    config = GPT2Config(n_layer=1, n_head=2, n_embd=16, vocab_size=len(words), n_positions=32, eos_token_id=0)
    GPT2LMHeadModel(config).save_pretrained(tmp_path / "tiny-chat")
    tokenizer.save_pretrained(tmp_path / "tiny-chat")
    return str(tmp_path / "tiny-chat")


def test_a_hub_style_model_uses_its_chat_template(tiny_chat_model):
    lm = get_model(NAME, source=tiny_chat_model)
    assert lm.has_chat_template and lm.context == 32
    generation = generate(lm, "Q: coin heads up ? A:", 5, temperature=1.0, seed=1)
    assert generation.prompt == "user: Q: coin heads up ? A: assistant: "
    assert len(generation.tokens) <= 5
    plain = generate(lm, "Q: coin heads up ? A:", 5, chat=False)
    assert plain.prompt == "Q: coin heads up ? A:"  # a hub model reads it as typed; only the bundled one is opened
    assert lm.document_start == "" and get_model(NAME).document_start == "<|endoftext|>"
    with pytest.raises(ValueError, match="context holds 32 tokens"):
        generate(lm, "coin " * 30, 5)


def test_an_opened_model_reads_a_plain_prompt_after_its_end_of_text_token(lm):
    """`opened` puts the end-of-text token, which opens every document of the training stream, before a plain
    prompt: generation and batches read it (the same text as a batch of one), and a typed end-of-text is still
    refused, since only the model's own opening is accepted."""
    from dataclasses import replace

    from core.prompting.generate import model_input
    from core.prompting.models import opened

    plain = replace(lm, document_start="")
    start = opened(plain)
    assert model_input(start, "Q: hi\nA:", chat=False) == "<|endoftext|>Q: hi\nA:"
    assert model_input(plain, "Q: hi\nA:", chat=False) == "Q: hi\nA:"
    single = generate(start, PROMPT, 12)
    assert generate_batch(start, [PROMPT, "Q: hi\nA:"], 12, chat=False)[0][: len(single.text)] == single.text
    assert single.tokens[0].prob != generate(plain, PROMPT, 12).tokens[0].prob  # the opening token is read
    with pytest.raises(ValueError, match=re.escape("cannot encode '<|endoftext|>'")):
        generate(start, "<|endoftext|>" + PROMPT, 12)
