"""Where a student's tuned models live between clicks: a store sized by memory for a class, the least recently used
session dropped first, a message that says why a model is gone and how to get it back; and the weights file a
student downloads and uploads again, refused with a clear message when it is not a tuned copy of the base model."""

import copy
import gc
import math

import pytest
import torch

from core.tuning import sessions
from core.tuning.lab import restore_weights, tuned_weights_files
from core.tuning.policy import base_model, private_copy
from core.tuning.sessions import DEFAULT_MEMORY_MB, MEMORY_ENV, Expired, SessionStore, stored_bytes
from core.tuning.weights_file import load_weights, save_weights

BASE_MODEL_BYTES = 8_753_408  # the base's 2 188 320 float32 parameters (output layer tied) and rotary buffer
ROTARY_BYTES = 128  # the rotary embedding's inverse frequencies (16 x 2 float32 buffers): no gradient
SCORE_HEAD_BYTES = 160 * 4  # a reward model's head: hidden (160) -> 1
CLASS = 32


@pytest.fixture(scope="module")
def base(one_torch_thread):
    return base_model()


@pytest.fixture
def clock(monkeypatch):
    """The store's clock, moved by hand: `clock.now += 61` is a minute later, with no waiting."""

    class Clock:
        now = 1000.0

        def monotonic(self):
            return self.now

    fake = Clock()
    monkeypatch.setattr(sessions, "time", fake)
    return fake


def resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


def test_stored_bytes_count_weights_gradients_and_texts_once(base):
    tuned = private_copy(base).model
    assert stored_bytes(tuned) == BASE_MODEL_BYTES  # lm_head.weight is embed_tokens.weight: one tensor
    assert stored_bytes({"a": tuned, "b": [tuned, tuned]}) == BASE_MODEL_BYTES  # the same model kept twice
    assert stored_bytes(("ab", "é", 3.0, None)) == 2 + 2
    tuned(torch.tensor([[1, 2, 3]]), labels=torch.tensor([[1, 2, 3]])).loss.backward()
    assert stored_bytes(tuned) == 2 * BASE_MODEL_BYTES - ROTARY_BYTES  # gradients left on a model: as much again


def test_a_class_of_30_keeps_every_tuned_model_under_the_default_budget(base, monkeypatch):
    """Each student of a class ran every step: an instruction-tuned, a PPO- and a DPO-tuned model and a reward
    model, full copies of the bundled base, all kept; the count is the memory the process really grew by."""
    from core.tuning.reward_model import initial_reward_model

    monkeypatch.delenv(MEMORY_ENV, raising=False)
    store = SessionStore()
    assert store.budget() == DEFAULT_MEMORY_MB * 2**20
    reward_model = initial_reward_model(base, seed=0)
    gc.collect()
    before = resident_bytes()
    keys = [
        store.put(
            None,
            instruction_tuned_model=private_copy(base),
            reward_model=((), copy.deepcopy(reward_model), {}),
            ppo_tuned_model=private_copy(base),
            dpo_tuned_model=private_copy(base),
        )
        for _ in range(CLASS)
    ]
    gc.collect()
    grown = resident_bytes() - before
    # 33.4 MB; one shared path, registry name and opening token
    strings = len(base.source.encode()) + len(base.name.encode()) + len(base.document_start.encode())
    per_session = 4 * BASE_MODEL_BYTES + SCORE_HEAD_BYTES + strings
    assert store.bytes_used() == CLASS * per_session
    assert store.budget() // per_session == 61  # sessions the default budget keeps
    for key in keys:
        for name in sessions.MODELS:
            store.get(key, name, "step 1")
    assert grown < 1.5 * store.bytes_used(), grown  # measured 1.05 times the count: no memory goes uncounted


def test_a_tuned_model_outlasts_a_hundred_visitors_writing_answers(base, monkeypatch):
    monkeypatch.delenv(MEMORY_ENV, raising=False)
    store = SessionStore()
    tuned = store.put(None, instruction_tuned_model=private_copy(base))
    for _ in range(100):
        store.put(None, answers=("Q: A coin is heads up.\nA:", [" yes", " no", " The answer is no.", ""]))
    assert store.get(tuned, "instruction_tuned_model", "step 1").model is not None


def test_the_least_recently_used_session_goes_first_and_a_get_counts_as_use():
    store = SessionStore(budget_bytes=30)  # room for three sessions of 10 bytes
    a, b, c = (store.put(None, answers=letter * 10) for letter in "abc")
    assert store.get(a, "answers", "step 2") == "a" * 10  # a is now the most recently used
    d = store.put(None, answers="d" * 10)
    with pytest.raises(Expired, match="removed to make room"):
        store.get(b, "answers", "step 2")
    e = store.put(None, answers="e" * 10)
    with pytest.raises(Expired, match="removed to make room"):
        store.get(c, "answers", "step 2")
    assert [store.get(k, "answers", "step 2")[0] for k in (a, d, e)] == ["a", "d", "e"]
    assert store.bytes_used() == 30
    alone = store.put(None, answers="x" * 100)  # larger than the budget: kept, every other session goes
    assert store.get(alone, "answers", "step 2") == "x" * 100 and store.bytes_used() == 100
    assert store.put(alone, answers="y") == alone and store.bytes_used() == 1  # a session's values are replaced


def test_each_way_a_model_goes_missing_has_its_own_message(clock):
    store = SessionStore(ttl_s=30 * 60, budget_bytes=2**20)
    upload = "upload the weights you downloaded \\('Keep your tuned models'\\)"
    with pytest.raises(
        Expired, match=f"^this session has no instruction tuned model yet: run step 1 first, or {upload}$"
    ):
        store.get(None, "instruction_tuned_model", "step 1")
    key = store.put(None, answers="a")
    with pytest.raises(Expired, match="^this session has no preferences yet: run step 2 first$"):
        store.get(key, "preferences", "step 2")  # rankings cannot be uploaded: no upload hint
    with pytest.raises(Expired, match=f"no instruction tuned model yet: run step 1 first, or {upload}"):
        store.get(key, "instruction_tuned_model", "step 1")

    crowd = store.put(None, answers="x" * 2**20)  # others tuned since: this session made room
    with pytest.raises(
        Expired,
        match=f"^this session's tuned models were removed to make room: the server keeps 1 MB of tuned models, and "
        f"other visitors have tuned since this session last used them. To go on, {upload}, or run step 1 again$",
    ):
        store.get(key, "instruction_tuned_model", "step 1")

    clock.now += 30 * 60 - 1
    assert store.get(crowd, "answers", "step 2")  # used, so its 30 minutes start again
    clock.now += 30 * 60 - 1
    assert store.get(crowd, "answers", "step 2")
    clock.now += 30 * 60 + 1
    with pytest.raises(
        Expired, match=f"^this session's tuned models have expired \\(they are kept 30 minutes after their last use\\): "
        f"{upload}, or run step 1 again$"
    ):  # fmt: skip
        store.get(crowd, "instruction_tuned_model", "step 1")
    with pytest.raises(Expired, match="have expired .*: run step 2 again$"):
        store.get(crowd, "answers", "step 2")
    with pytest.raises(Expired, match="^the server holds no tuned models for this session \\(it may have restarted"):
        store.get("0123456789abcdef", "instruction_tuned_model", "step 1")


@pytest.mark.parametrize(("megabytes", "budget"), [("", 2048 * 2**20), ("64", 64 * 2**20), ("0", 2048 * 2**20)])
def test_the_budget_comes_from_the_environment(monkeypatch, megabytes, budget):
    monkeypatch.setenv(MEMORY_ENV, megabytes)
    assert SessionStore().budget() == budget
    monkeypatch.setenv(MEMORY_ENV, "lots")
    with pytest.raises(ValueError, match=f"{MEMORY_ENV} must be a number of megabytes"):
        SessionStore().budget()


def nudged(base, amount: float):
    tuned = private_copy(base)
    with torch.no_grad():
        for p in tuned.model.parameters():
            p.add_(amount)
    return tuned


def test_downloaded_weights_upload_again_into_the_same_model(base, tmp_path):
    tuned = nudged(base, 0.01)
    path = save_weights(tuned, "ppo_tuned_model", tmp_path)
    assert path.name == "ppo_tuned_model.safetensors" and path.stat().st_size < BASE_MODEL_BYTES + 2**14
    model, restored = load_weights(str(path), base)
    assert model == "ppo_tuned_model"
    ids = torch.tensor([base.tokenizer("Q: A coin is heads up.\nA:").input_ids])
    with torch.no_grad():
        assert torch.equal(restored.model(ids).logits, tuned.model(ids).logits)
    assert restored.model.lm_head.weight is restored.model.model.embed_tokens.weight  # still tied


def test_the_lab_restores_a_session_from_its_downloads(base):
    tuned = nudged(base, 0.02)
    key = sessions.STORE.put(None, instruction_tuned_model=tuned, dpo_tuned_model=nudged(base, 0.03))
    files = tuned_weights_files(key)
    assert [f.name for f in files] == ["instruction_tuned_model.safetensors", "dpo_tuned_model.safetensors"]
    new_key, restored = restore_weights(None, [str(f) for f in files])  # as after a reload: a new session
    assert restored == ["instruction-tuned model", "DPO-tuned model"] and new_key != key
    back = sessions.STORE.get(new_key, "instruction_tuned_model", "step 1").model
    assert all(torch.equal(p, q) for p, q in zip(back.parameters(), tuned.model.parameters(), strict=True))
    assert sessions.STORE.get(new_key, "reward_model", "step 3") is None
    with pytest.raises(ValueError, match="no tuned model yet: run instruction tuning \\(step 1\\) or feedback"):
        tuned_weights_files(None)
    with pytest.raises(ValueError, match="no tuned weights uploaded: upload the tuned weights that 'Download"):
        restore_weights(None, None)
    with pytest.raises(ValueError, match="4 files of tuned weights uploaded: upload at most 3, one per model"):
        restore_weights(None, [str(files[0])] * 4)


def write_tensors(base, folder, change=None, metadata=None, name="model.safetensors"):
    """A safetensors file of `base`'s weights, changed by `change(tensors)`, with the lab's header unless given."""
    from safetensors.torch import save_file

    tensors = {n: p.detach().clone() for n, p in base.model.named_parameters()}
    if change is not None:
        change(tensors)
    header = {"format": "genai-demos tuning lab", "model": "instruction_tuned_model"} if metadata is None else metadata
    save_file(tensors, folder / name, metadata=header)
    return folder / name


def poke(name, value):
    def change(tensors):
        tensors[name][0] = value

    return change


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda base, d: write_tensors(base, d, name="weights.png"), "weights.png is not a .safetensors file"),
        (lambda base, d: (d / "x.safetensors").write_bytes(b"\x00" * 100) and d / "x.safetensors",
         "x.safetensors is not a readable safetensors file"),
        (lambda base, d: (d / "big.safetensors").write_bytes(b"\x00" * 12 * 2**20) and d / "big.safetensors",
         "big.safetensors is 12.0 MB, more than a tuned copy of this lab's base model can be \\(9.3 MB\\)"),
        (lambda base, d: write_tensors(base, d, metadata={}), "not one of this lab's tuned models"),
        (lambda base, d: write_tensors(base, d, metadata={"format": "genai-demos tuning lab", "model": "os.system"}),
         "not one of this lab's tuned models"),
        (lambda base, d: write_tensors(base, d, lambda t: t.pop("model.norm.weight")),
         "model.safetensors lacks model.norm.weight: it holds the weights of another base model \\(not named; "
         "this lab tunes a LlamaForCausalLM of 2,188,320 parameters\\)"),
        (lambda base, d: write_tensors(base, d, lambda t: t.update(extra=torch.zeros(2))),
         "model.safetensors has extra: it holds the weights of another base model"),
        (lambda base, d: write_tensors(base, d, lambda t: t.update({"model.norm.weight": torch.zeros(80)})),
         "model.norm.weight is torch.float32 of shape \\(80,\\), but this lab's base model has torch.float32 of "
         "shape \\(160,\\)"),
        (lambda base, d: write_tensors(base, d, lambda t: t.update({"model.norm.weight": torch.zeros(160).half()})),
         "model.norm.weight is torch.float16"),
        (lambda base, d: write_tensors(base, d, poke("model.embed_tokens.weight", math.nan)),
         "model.embed_tokens.weight holds NaN or infinite values"),
        (lambda base, d: write_tensors(base, d, poke("model.layers.0.mlp.up_proj.weight", -math.inf)),
         "model.layers.0.mlp.up_proj.weight holds NaN or infinite values"),
        (lambda base, d: d, "folder.safetensors could not be read: upload the tuned weights again"),
        (lambda base, d: None, "the tuned weights to restore must be a .safetensors file, got None"),
    ],
)  # fmt: skip
def test_an_upload_that_is_not_a_tuned_copy_of_the_base_is_refused(base, tmp_path, make, message):
    folder = tmp_path / "folder.safetensors"  # a folder named like a weights file
    folder.mkdir()
    with pytest.raises(ValueError, match=message):
        load_weights(make(base, folder), base)
