"""The scale ladder: its members' sizes, the 6ND compute count, the two kinds of metric, and a toy training run."""

import json
import math
from types import SimpleNamespace

import pytest
import torch

from core.prompting.choices import MODEL_DIR
from core.prompting.train import CONTEXT, batch
from core.scale import ladder
from core.scale.emergence import answer_logprob, exact_match, token_edit_distance

PARAMETERS = {  # 2048 x width (tied embedding) + depth x (4 width^2 + 3 width x intermediate + 2 width) + width
    "w16-d1": 35_760,
    "w32-d2": 90_784,
    "w64-d3": 282_048,
    "w96-d4": 639_840,
    "w128-d4": 1_053_824,
    "w160-d6": 2_188_320,
    "w192-d8": 3_972_288,
}
HELD_OUT_W16 = 7.6273  # w16-d1's held-out loss after the toy run below (seed 0, one thread)


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(MODEL_DIR)


def test_training_compute_is_six_n_d():
    assert ladder.training_flops(1e6, 2e7) == pytest.approx(1.2e14)
    assert ladder.training_flops(70e9, 1.4e12) == pytest.approx(5.88e23)  # Chinchilla


def test_every_member_has_its_parameter_count_and_the_ladder_spans_two_orders_of_magnitude(tokenizer):
    from transformers import LlamaForCausalLM

    counts = {}
    for member in ladder.LADDER:
        config = ladder.config_for(member, len(tokenizer), tokenizer.eos_token_id)
        counts[member.name] = ladder.count_parameters(LlamaForCausalLM(config))
        width, depth, inner = member.hidden_size, member.num_hidden_layers, member.intermediate_size
        assert counts[member.name] == 2048 * width + depth * (4 * width**2 + 3 * width * inner + 2 * width) + width
    assert counts == PARAMETERS
    assert max(counts.values()) / min(counts.values()) >= 100
    assert list(counts.values()) == sorted(counts.values())


def test_the_bundled_shape_is_a_member_built_by_the_same_recipe(tokenizer):
    from core.prompting.train import model_config

    bundled = model_config(len(tokenizer), tokenizer.eos_token_id).to_dict()
    member = ladder.config_for(ladder.MEMBERS["w160-d6"], len(tokenizer), tokenizer.eos_token_id).to_dict()
    assert member == bundled


def test_rows_at_the_full_context_are_the_training_batch(tokenizer):
    assert torch.equal(ladder.rows(3, 0, tokenizer, 2, CONTEXT), batch(3, 0, tokenizer, 2))
    short = ladder.rows(3, 0, tokenizer, 4, 64)  # (4, 65): the same stream, cut shorter
    assert short.shape == (4, 65)
    assert torch.equal(short.flatten(), batch(3, 0, tokenizer, 1).flatten()[: 4 * 65])


@pytest.mark.parametrize(
    "a,b,distance",
    [
        ([], [], 0),
        ([1, 2, 3], [], 3),  # three deletions
        ([], [7, 8], 2),  # two insertions
        ([1, 2, 3], [1, 2, 3], 0),
        ([1, 2, 3], [1, 9, 3], 1),  # one substitution
        ([1, 2, 3, 4], [2, 3, 4, 5], 2),  # delete 1, insert 5
        ([5, 6, 7, 8, 9, 10], [5, 7, 8, 11, 10, 12], 3),  # delete 6, substitute 9 -> 11, insert 12
    ],
)
def test_token_edit_distance_by_hand(a, b, distance):
    assert token_edit_distance(a, b) == distance
    assert token_edit_distance(b, a) == distance


def test_exact_match_reads_the_first_line_only():
    assert exact_match(" yes\nQ: next question", "yes")
    assert not exact_match(" yes, I think\n", "yes")
    assert not exact_match("\nyes", "yes")


class Bigram(torch.nn.Module):
    """A language model whose next-token logits are one row of a table, chosen by the current token."""

    def __init__(self, vocab: int):
        super().__init__()
        self.table = torch.nn.Parameter(torch.zeros(vocab, vocab))  # (vocab, vocab): logits after each token

    @property
    def device(self) -> torch.device:
        return self.table.device

    def forward(self, ids: torch.Tensor) -> SimpleNamespace:
        return SimpleNamespace(logits=self.table[ids])  # (B, T, vocab)


def test_answer_logprob_by_hand(tokenizer):
    prompt, answer = "Q: What is the capital of France?\nA:", " Paris"
    last = tokenizer(prompt).input_ids[-1]
    first, second, third = tokenizer(answer).input_ids  # " Paris" is three tokens after "A:"
    assert tokenizer(prompt + answer).input_ids[-4:] == [last, first, second, third]
    vocab = len(tokenizer)
    model = Bigram(vocab)
    with torch.no_grad():
        model.table[last, first] = math.log(vocab - 1)  # e^a / (e^a + vocab - 1) = 1/2
        model.table[first, second] = math.log(3 * (vocab - 1))  # 3/4
        # after `second` every token has logit 0: 1 / vocab
    expected = math.log(1 / 2) + math.log(3 / 4) + math.log(1 / vocab)
    assert answer_logprob(model, tokenizer, prompt, answer) == pytest.approx(expected, abs=1e-5)


@pytest.fixture(scope="module")
def toy_ladder(tmp_path_factory, one_torch_thread):
    out = tmp_path_factory.mktemp("ladder")
    argv = ["--tokens", "640", "--out", str(out), "--members", "w16-d1,w32-d2"]
    ladder.main([*argv, "--context", "64", "--batch-size", "2", "--threads", "1"])
    return out


def test_toy_ladder_records_both_members_with_six_n_d(toy_ladder):
    record = json.loads((toy_ladder / "ladder.json").read_text())
    assert list(record["members"]) == ["w16-d1", "w32-d2"]
    for name, row in record["members"].items():
        assert row["parameters"] == PARAMETERS[name]
        assert row["steps"] == 5  # ceil(640 / (2 x 64))
        assert row["tokens"] == 5 * 2 * 64
        assert row["flops"] == 6 * row["parameters"] * row["tokens"]
        assert math.isfinite(row["train_loss"]) and math.isfinite(row["held_out_loss"])


def test_toy_ladder_members_load_back_and_keep_their_held_out_loss(toy_ladder, tokenizer):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    record = json.loads((toy_ladder / "ladder.json").read_text())
    for name in ("w16-d1", "w32-d2"):
        model = AutoModelForCausalLM.from_pretrained(toy_ladder / name)
        assert ladder.count_parameters(model) == PARAMETERS[name]
        assert len(AutoTokenizer.from_pretrained(toy_ladder / name)) == len(tokenizer)
        loss = ladder.held_out_loss(model, tokenizer, seed=0, batch_size=2, context=64, batches=4, device="cpu")
        assert loss == pytest.approx(record["members"][name]["held_out_loss"], abs=1e-5)
    assert record["members"]["w16-d1"]["held_out_loss"] == pytest.approx(HELD_OUT_W16, abs=1e-3)


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--tokens", "0"], "--tokens must be a positive whole number"),
        (["--tokens", "640", "--members", "w16-d1,huge"], "choose from w16-d1"),
        (["--tokens", "640", "--context", "0"], "--context must be a positive whole number"),
        (["--tokens", "640", "--device", "tpu"], "--device must be cpu or cuda"),
    ],
)
def test_bad_arguments_say_what_to_do(argv, message, tmp_path, capsys):
    with pytest.raises(SystemExit):
        ladder.main([*argv, "--out", str(tmp_path)])
    assert message in capsys.readouterr().err
