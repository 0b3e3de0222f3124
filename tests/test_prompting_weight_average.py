"""Weight averaging (WiSE-FT): every weight moves alpha of the way from the start to the continuation, tied weights
once, and the mixed model loads like any other."""

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaForCausalLM

from core.prompting.choices import MODEL_DIR
from core.prompting.train import model_config
from core.prompting.weight_average import average, main

SHAPE = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2, context=64)


def tiny(seed: int, **shape) -> LlamaForCausalLM:
    torch.manual_seed(seed)
    return LlamaForCausalLM(model_config(vocab_size=2048, eos_id=0, **(SHAPE | shape)))


def test_every_weight_moves_alpha_of_the_way_and_tied_weights_move_once():
    start, continued = tiny(0), tiny(1)
    before = {name: weight.clone() for name, weight in start.state_dict().items()}
    target = continued.state_dict()
    mixed = average(start, continued, 0.25)
    for name, weight in mixed.state_dict().items():
        assert torch.allclose(weight, 0.75 * before[name] + 0.25 * target[name], atol=1e-6), name
    assert mixed.lm_head.weight.data_ptr() == mixed.model.embed_tokens.weight.data_ptr()


def test_the_ends_are_the_two_models():
    start, continued = tiny(0), tiny(1)
    kept = {name: weight.clone() for name, weight in start.state_dict().items()}
    assert all(torch.equal(w, kept[n]) for n, w in average(start, continued, 0.0).state_dict().items())
    assert all(
        torch.equal(w, continued.state_dict()[n]) for n, w in average(tiny(0), continued, 1.0).state_dict().items()
    )


@pytest.mark.parametrize("alpha", [-0.1, 1.5, float("nan")])
def test_alpha_outside_0_1_is_refused(alpha):
    with pytest.raises(ValueError, match="alpha must lie in"):
        average(tiny(0), tiny(1), alpha)


def test_two_architectures_are_refused_with_what_differs():
    with pytest.raises(ValueError, match="hidden_size"):
        average(tiny(0), tiny(1, hidden_size=64), 0.5)
    with pytest.raises(ValueError, match="rope_parameters"):  # same shapes, another computation
        other = tiny(1)
        other.config.rope_parameters = {**other.config.rope_parameters, "rope_theta": 500.0}
        average(tiny(0), other, 0.5)


def test_settings_that_change_no_weight_do_not_count_and_a_float16_copy_is_mixed_in_float32():
    start, continued = tiny(0), tiny(1).half()
    continued.config.use_cache = False  # as TRL leaves a tuned copy
    expected = 0.5 * (tiny(0).model.norm.weight + continued.model.norm.weight.float())
    assert torch.allclose(average(start, continued, 0.5).model.norm.weight, expected)


def test_the_command_writes_a_model_that_loads(tmp_path):
    tokenizer = AutoTokenizer.from_pretrained(MODEL_DIR)
    for name, seed in (("start", 0), ("continued", 1)):
        tiny(seed).save_pretrained(tmp_path / name)
        tokenizer.save_pretrained(tmp_path / name)
    main([str(tmp_path / "start"), str(tmp_path / "continued"), "--alpha", "0.5", "--out", str(tmp_path / "mix")])
    mixed = AutoModelForCausalLM.from_pretrained(tmp_path / "mix")
    expected = 0.5 * (tiny(0).model.embed_tokens.weight + tiny(1).model.embed_tokens.weight)
    assert torch.allclose(mixed.model.embed_tokens.weight, expected, atol=1e-6)
    assert AutoTokenizer.from_pretrained(tmp_path / "mix")("Q: x").input_ids == tokenizer("Q: x").input_ids


def test_a_folder_without_a_model_or_a_bad_alpha_is_a_clear_error_before_anything_loads(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main([str(tmp_path), str(tmp_path), "--out", str(tmp_path / "mix")])
    assert "holds no config.json" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([str(MODEL_DIR), str(MODEL_DIR), "--alpha", "1.5", "--out", str(tmp_path / "mix")])
    assert "alpha must lie in [0, 1]" in capsys.readouterr().err
    assert not (tmp_path / "mix").exists()
