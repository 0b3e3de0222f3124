"""Attention as the course defines it, checked on tiny random-weight GPT-2, Llama, Marian, BERT and T5 models:
rows are distributions, the decoder cannot see the future, our softmax(QKᵀ/√d) equals the model's own
attentions, and removing a head changes the output."""

import threading
from pathlib import Path

import pytest
import torch
from transformers import (
    BertConfig,
    BertModel,
    GPT2Config,
    GPT2LMHeadModel,
    LlamaConfig,
    LlamaForCausalLM,
    T5Config,
    T5ForConditionalGeneration,
)

from core.attention.ablation import ablate, head_removed
from core.attention.extract import attention_view, model_attentions, recompute_attentions, run
from core.attention.generation import decode, next_token
from core.attention.head_patterns import label_heads, strongest
from core.attention.inputs import MAX_TOKENS, encode
from core.attention.models import HUB, open_transformer
from core.attention.positional import model_scheme, sinusoidal
from core.attention.train_translation import build_model, build_tokenizer
from core.runtime.registry import is_loaded

SENTENCE = "the small red car sees a black dog"


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def tiny_dirs(tmp_path_factory) -> dict[str, Path]:
    """Random-weight GPT-2 (learned positions), Llama (rotary, grouped-query), Marian (encoder-decoder),
    BERT (encoder only) and T5 (relative position bias)."""
    root = tmp_path_factory.mktemp("tiny")
    tokenizer = build_tokenizer()
    vocab = len(tokenizer)
    torch.manual_seed(0)
    models = {
        "gpt2": GPT2LMHeadModel(GPT2Config(n_layer=2, n_head=2, n_embd=16, vocab_size=vocab, n_positions=128)),
        "llama": LlamaForCausalLM(
            LlamaConfig(
                num_hidden_layers=2,
                num_attention_heads=4,
                num_key_value_heads=2,
                hidden_size=32,
                intermediate_size=64,
                vocab_size=vocab,
                max_position_embeddings=128,
            )
        ),
        "marian": build_model(tokenizer, d_model=32, layers=2, heads=4),
        "bert": BertModel(
            BertConfig(
                vocab_size=vocab, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64
            )
        ),
        "t5": T5ForConditionalGeneration(
            T5Config(
                vocab_size=vocab,
                d_model=32,
                d_kv=8,
                d_ff=64,
                num_layers=2,
                num_heads=4,
                decoder_start_token_id=tokenizer.pad_token_id,
                pad_token_id=tokenizer.pad_token_id,
                eos_token_id=tokenizer.eos_token_id,
            )
        ),
    }
    for name, model in models.items():
        with torch.no_grad():  # larger query and key weights make attention uneven, as in a trained model
            for module_name, module in model.named_modules():
                if module_name.endswith(("q_proj", "k_proj", "c_attn", "query", "key", ".q", ".k")):
                    module.weight.mul_(20)
        model.save_pretrained(root / name)
        tokenizer.save_pretrained(root / name)
    return {name: root / name for name in models}


@pytest.fixture(scope="module", params=["gpt2", "llama", "marian", "t5"])
def tf(request, tiny_dirs):
    """A model with an output layer: a decoder or an encoder-decoder."""
    return open_transformer(str(tiny_dirs[request.param]))


@pytest.fixture(scope="module", params=["gpt2", "llama", "marian", "bert"])
def recomputable(request, tiny_dirs):
    """A model whose attention we recompute from Q and K (T5's relative bias is left to the model)."""
    return open_transformer(str(tiny_dirs[request.param]))


def test_a_hub_or_local_model_loads_through_the_registry(tiny_dirs):
    source = str(tiny_dirs["gpt2"])
    tf = open_transformer(source)
    assert is_loaded(HUB.name, source)
    assert tf.kind == "decoder"
    assert tf.model.config._attn_implementation == "eager"


@pytest.mark.parametrize("name", ["gpt2", "llama", "marian", "bert", "t5"])
def test_every_attention_row_is_a_distribution(tiny_dirs, name):
    view = attention_view(open_transformer(str(tiny_dirs[name])), SENTENCE)
    for stack, maps in view.maps.items():
        assert maps.min() >= 0, stack
        torch.testing.assert_close(maps.sum(-1), torch.ones(maps.shape[:-1]), msg=stack)


def test_the_decoder_never_attends_to_the_future(tf):
    maps = attention_view(tf, SENTENCE).maps["decoder"]  # (L, nh, T, T)
    T = maps.shape[-1]
    above = torch.ones(T, T, dtype=torch.bool).triu(diagonal=1)
    assert T > 3
    assert maps[..., above].abs().max() == 0
    assert maps[..., ~above].min() > 0  # below the diagonal every earlier token gets some weight


def test_our_attention_equals_output_attentions(recomputable):
    tf = recomputable
    enc = encode(tf, SENTENCE)
    decoder_ids = torch.tensor([[0, 5, 9, 12]]) if tf.kind == "encoder-decoder" else None
    theirs = model_attentions(tf, run(tf, enc.ids, decoder_ids))
    ours = recompute_attentions(tf, enc.ids, decoder_ids)
    assert set(ours) == set(theirs)
    expected_stacks = {
        "encoder-decoder": {"encoder", "decoder", "cross"},
        "decoder": {"decoder"},
        "encoder": {"encoder"},
    }
    assert set(ours) == expected_stacks[tf.kind]
    for stack in ours:
        torch.testing.assert_close(ours[stack], theirs[stack], atol=1e-5, rtol=1e-4)
        assert ours[stack].std() > 0.05  # uneven attention, so equality is not trivial


def test_removing_a_head_changes_the_output_and_restores_it_after(tf):
    stack = "cross" if tf.kind == "encoder-decoder" else "decoder"
    result = ablate(tf, SENTENCE, stack, layer=1, head=1)
    assert result.mean_kl > 0
    assert not torch.allclose(result.before, result.after)
    enc = encode(tf, SENTENCE)
    decoder_ids = torch.tensor([[0, 5, 9]]) if tf.kind == "encoder-decoder" else None
    before = run(tf, enc.ids, decoder_ids).logits
    with head_removed(tf, stack, 1, 1):
        during = run(tf, enc.ids, decoder_ids).logits
    after = run(tf, enc.ids, decoder_ids).logits
    assert not torch.allclose(before, during)
    torch.testing.assert_close(before, after)


def test_t5_recomputation_is_declined_with_the_reason(tiny_dirs):
    t5 = open_transformer(str(tiny_dirs["t5"]))
    enc = encode(t5, SENTENCE)
    with pytest.raises(ValueError, match="relative-position bias"):
        recompute_attentions(t5, enc.ids, torch.tensor([[0, 5]]))
    assert attention_view(t5, SENTENCE).recomputation_error is None


def test_a_request_never_sees_another_requests_ablation(tiny_dirs):
    tf = open_transformer(str(tiny_dirs["gpt2"]))
    expected = attention_view(tf, SENTENCE).maps["decoder"]
    seen = []
    ablating = threading.Thread(target=lambda: [ablate(tf, SENTENCE, "decoder", 0, 0) for _ in range(5)])
    ablating.start()
    while ablating.is_alive():
        seen.append(attention_view(tf, SENTENCE).maps["decoder"])
    ablating.join()
    assert seen
    for maps in seen:
        torch.testing.assert_close(maps, expected)


def test_ablation_names_the_valid_range(tf):
    with pytest.raises(ValueError, match=r"head must be a whole number from 0 to \d+, got 99"):
        ablate(tf, SENTENCE, "decoder", layer=0, head=99)
    with pytest.raises(ValueError, match=r"layer must be a whole number from 0 to \d+, got nan"):
        ablate(tf, SENTENCE, "decoder", layer=float("nan"), head=0)


def test_generation_keeps_each_steps_distribution_and_attention(tf):
    decoding = decode(tf, SENTENCE, temperature=1.0, mode="greedy", max_new_tokens=5)
    assert 1 <= len(decoding.steps) <= 5
    for i, step in enumerate(decoding.steps):
        assert step.token == step.top_tokens[0]  # greedy takes the most likely token
        assert step.top_probs == sorted(step.top_probs, reverse=True) and sum(step.top_probs) <= 1 + 1e-5
        n_context = len(step.context)
        assert step.self_attention.shape[-1] == n_context
        torch.testing.assert_close(step.self_attention.sum(-1), torch.ones(step.self_attention.shape[:2]))
        if i:
            assert n_context == len(decoding.steps[i - 1].context) + 1  # one more token to look at each step
        if tf.kind == "encoder-decoder":
            assert step.cross_attention.shape[-1] == len(decoding.source.tokens)


def test_temperature_sharpens_or_flattens_the_next_token_distribution(tf):
    cold, warm = next_token(tf, SENTENCE, 0.2), next_token(tf, SENTENCE, 3.0)
    assert len(cold) == 10
    assert list(cold)[0] == list(warm)[0]
    assert max(cold.values()) > max(warm.values())
    with pytest.raises(ValueError, match="temperature"):
        next_token(tf, SENTENCE, 0.0)


def test_generation_stops_at_the_end_of_the_position_table(tiny_dirs):
    tf = open_transformer(str(tiny_dirs["gpt2"]))  # 128 positions
    decoding = decode(tf, " ".join([SENTENCE] * 20), mode="sample", temperature=3.0, max_new_tokens=100)
    assert len(decoding.steps[-1].context) <= tf.max_positions


def test_sampling_is_reproducible_with_a_seed(tiny_dirs):
    tf = open_transformer(str(tiny_dirs["gpt2"]))
    first = decode(tf, SENTENCE, temperature=2.0, mode="sample", seed=7, max_new_tokens=6)
    again = decode(tf, SENTENCE, temperature=2.0, mode="sample", seed=7, max_new_tokens=6)
    assert first.tokens == again.tokens
    assert first.text == again.text and first.text.replace(" ", "") == "".join(first.tokens).replace(" ", "")


def test_long_input_is_truncated_with_a_message(tf):
    enc = encode(tf, " ".join([SENTENCE] * 20))
    limit = min(MAX_TOKENS, tf.max_positions or MAX_TOKENS)
    assert len(enc.tokens) == limit
    assert enc.truncated_from > limit
    assert f"only the first {limit}" in enc.message
    assert "first" in attention_view(tf, " ".join([SENTENCE] * 20)).message


def test_empty_text_says_what_to_type(tf):
    with pytest.raises(ValueError, match="type a sentence"):
        encode(tf, "   ")


def test_sinusoid_formula_and_the_models_own_scheme(tiny_dirs):
    table = sinusoidal(6, 8)
    torch.testing.assert_close(table[0], torch.tensor([0.0, 1.0] * 4))  # position 0: sin 0 = 0, cos 0 = 1
    assert table[3, 0] == pytest.approx(torch.sin(torch.tensor(3.0)).item())
    assert table[3, 7] == pytest.approx(torch.cos(torch.tensor(3 / 10000 ** (6 / 8))).item())
    marian = model_scheme(open_transformer(str(tiny_dirs["marian"])), 10)
    assert marian.kind == "sinusoidal"
    torch.testing.assert_close(marian.table, sinusoidal(10, 32, interleaved=False))  # sines first, then cosines
    assert model_scheme(open_transformer(str(tiny_dirs["gpt2"])), 10).kind == "learned"
    relative = model_scheme(open_transformer(str(tiny_dirs["t5"])), 10)
    assert relative.kind == "relative" and relative.table.shape == (10, 10)
    rotary = model_scheme(open_transformer(str(tiny_dirs["llama"])), 10)
    assert rotary.kind == "rotary" and torch.allclose(rotary.table[0], torch.ones(8))  # position 0 is not rotated


def test_heads_are_labelled_by_the_pattern_they_follow():
    T = 5
    ids = [7, 3, 7, 4, 3]
    previous = torch.zeros(T, T)
    previous[0, 0] = 1
    previous[torch.arange(1, T), torch.arange(T - 1)] = 1
    first = torch.zeros(T, T)
    first[:, 0] = 1
    same = torch.tensor(ids)[:, None] == torch.tensor(ids)[None, :]
    same = same.float().tril() / same.float().tril().sum(-1, keepdim=True)
    maps = torch.stack([previous, first, same])[None]  # (1 layer, 3 heads, T, T)
    labels = label_heads(maps, "decoder", ids, ids)
    assert [h.label for h in labels] == ["previous token", "first token", "same token"]
    assert labels[0].scores["previous token"] == pytest.approx(1.0)
    uniform = torch.full((1, 1, 4, 6), 1 / 6)
    assert label_heads(uniform, "cross", [1, 2, 3, 4], [1, 2, 3, 4, 5, 6])[0].label == "mixed"
    diagonal = torch.eye(4)[None, None]
    scores = label_heads(diagonal, "cross", [1, 2, 3, 4], [1, 2, 3, 4])[0].scores
    assert scores["diagonal alignment"] == pytest.approx(1)


def test_an_induction_head_is_the_one_that_reads_the_matching_examples_answer():
    # "Ann = fox. Bob = 7. Ann =" as ids: at the last "=", the matching example's answer is "fox" (position 2)
    ann, eq, fox, bob, seven = 11, 12, 13, 14, 15
    ids = [ann, eq, fox, bob, eq, seven, ann, eq]
    T = len(ids)
    copying = torch.eye(T)
    copying[T - 1] = 0
    copying[T - 1, 2] = 1  # the last query reads "fox"
    wrong_example = torch.eye(T)
    wrong_example[T - 1] = 0
    wrong_example[T - 1, 5] = 1  # reads "7", the answer of the other example
    labels = label_heads(torch.stack([copying, wrong_example])[None], "decoder", ids, ids)
    assert labels[0].label == "induction" and labels[0].scores["induction"] == pytest.approx(1.0)
    assert labels[1].scores["induction"] == 0.0
    assert strongest(labels, "induction") is labels[0]
