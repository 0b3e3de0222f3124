"""Transfer learning, as the course states it: start from a pre-trained model, fine-tune its last layer or
layers on the new domain, and it beats training from scratch with few labels, unless the source is unrelated."""

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw
from scipy.stats import ttest_rel
from sklearn.datasets import load_digits

from core.runtime import get_model, make_generator
from core.stats import HOLDS, UNCLEAR
from core.transfer import runs as transfer_runs
from core.transfer.choices import DEFAULT_EPOCHS, DEFAULT_SEEDS, DEFAULT_TARGET
from core.transfer.claims import UNMEASURED, claim_check, compact
from core.transfer.cnn import DigitCNN
from core.transfer.data import (
    CANVAS,
    check_shots,
    place,
    sample_shots,
    sketch_to_digit,
    source_digits,
    target_split,
)
from core.transfer.finetune import (
    EpochResult,
    build_model,
    check_epochs,
    finetune,
    make_optimizer,
    train_epoch,
)
from core.transfer.models import PRETRAINED, pretrained_cnn
from core.transfer.modes import ADAPTATIONS, count_trainable, trainable_count
from core.transfer.new_class import NEW_LABEL, teach
from core.transfer.runs import Comparison, Run, sweep_shots, train_runs

SEEDS = range(5)


def final_accuracy(mode: str, seed: int, source: str = "digits", shots: int = 5) -> float:
    return list(finetune(mode, shots, seed=seed, source=source))[-1].accuracy


def test_fine_tuning_and_linear_probe_beat_scratch_at_five_shots():
    mean = {m: np.mean([final_accuracy(m, s) for s in SEEDS]) for m in ("scratch", "last_layer", "full")}
    assert mean["full"] > mean["scratch"] + 0.05, mean
    assert mean["last_layer"] > mean["scratch"] + 0.03, mean


def test_unrelated_source_gives_negative_transfer():
    scratch = np.mean([final_accuracy("scratch", s) for s in range(3)])
    probe = np.mean([final_accuracy("last_layer", s, source="unrelated") for s in range(3)])
    assert probe < scratch - 0.1, (probe, scratch)
    assert probe < 0.3  # five classes: features learned from noise leave the probe near chance (0.2)


def test_last_layer_training_leaves_frozen_layers_unchanged():
    model = build_model(ADAPTATIONS["last_layer"], "digits", make_generator(0))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    train = sample_shots(target_split()[0], 5, make_generator(0))
    optimizer = make_optimizer(model, lr=1e-2)
    for _ in range(5):
        train_epoch(model, optimizer, train.x, train.y, make_generator(1))
    after = model.state_dict()
    source = pretrained_cnn("digits").state_dict()
    for name in ("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc.weight", "fc.bias"):
        assert torch.equal(after[name], before[name]), name
        assert torch.equal(after[name], source[name]), name  # still the pre-trained weights
    assert not torch.equal(after["head.weight"], before["head.weight"])


def test_fine_tuning_does_not_touch_the_shared_pretrained_model():
    before = {k: v.clone() for k, v in pretrained_cnn("digits").state_dict().items()}
    list(finetune("full", 5, epochs=3, seed=0))
    after = pretrained_cnn("digits").state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_trainable_parameter_counts():
    conv1 = 1 * 16 * 3 * 3 + 16  # 160
    conv2 = 16 * 32 * 3 * 3 + 32  # 4,640
    fc = 32 * (CANVAS // 4) ** 2 * 64 + 64  # 288 inputs -> 64: 18,496
    head = 64 * 5 + 5  # 325
    expected = {
        "scratch": conv1 + conv2 + fc + head,
        "last_layer": head,
        "last_2": fc + head,
        "last_3": conv2 + fc + head,
        "full": conv1 + conv2 + fc + head,
    }
    assert expected["full"] == 23_621
    for key, mode in ADAPTATIONS.items():
        model = build_model(mode, "digits", make_generator(0))
        assert count_trainable(model) == trainable_count(key) == expected[key], key


def test_seeded_runs_repeat_and_seeds_differ():
    a = list(finetune("last_2", 3, epochs=4, seed=7))
    b = list(finetune("last_2", 3, epochs=4, seed=7))
    c = list(finetune("last_2", 3, epochs=4, seed=8))
    assert [p.accuracy for p in a] == [p.accuracy for p in b]
    assert [p.accuracy for p in a] != [p.accuracy for p in c]
    assert [p.epoch for p in a] == [0, 1, 2, 3, 4]


def test_bundled_weights_load_through_the_registry_and_round_trip(tmp_path):
    model = get_model(PRETRAINED["digits"].name)
    assert isinstance(model, DigitCNN)
    model.save_pretrained(tmp_path)
    again = DigitCNN.from_pretrained(tmp_path)
    x = source_digits(make_generator(0)).x[:16]
    with torch.no_grad():
        assert torch.allclose(model.cpu()(x), again(x))
    assert all(f.stat().st_size < 10_000_000 for f in PRETRAINED["digits"].bundled.iterdir())


def test_pretrained_source_model_reads_digits_anywhere_on_the_card():
    data = source_digits(make_generator(3))  # positions the model has not been scored on before
    with torch.no_grad():
        acc = (pretrained_cnn("digits").cpu()(data.x).argmax(1) == data.y).float().mean().item()
    assert acc > 0.95


def test_bad_inputs_say_what_to_do():
    with pytest.raises(ValueError, match="at least 1 example of each target class"):
        check_shots(0)
    with pytest.raises(ValueError, match="epochs must be a whole number from 1 to 200"):
        check_epochs(10**9)
    with pytest.raises(ValueError, match="epochs must be a whole number from 1 to 200"):
        list(finetune("full", 5, epochs=10**9))
    with pytest.raises(ValueError, match="unknown mode"):
        list(finetune("all of them", 5))
    with pytest.raises(ValueError, match="no modes to compare are ticked"):
        next(train_runs(Comparison([], 5)))
    with pytest.raises(ValueError, match="seed must be a whole number from 0 to .*, got None"):
        next(train_runs(Comparison(["scratch"], 5, first_seed=None)))
    blank = np.zeros((280, 280, 4), dtype=np.uint8)  # a transparent canvas nobody drew on
    for empty in (None, blank):
        with pytest.raises(ValueError, match="the sketch is empty"):
            sketch_to_digit(empty)


def draw(kind: str, rng: np.random.Generator) -> np.ndarray:
    """A hand-drawn-looking sketch: black strokes on a transparent 280x280 canvas, jittered by `rng`."""
    image = Image.new("RGBA", (280, 280), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)

    def j(v: int) -> int:
        return v + int(rng.integers(-18, 19))

    if kind == "x":
        pen.line([(j(50), j(50)), (j(230), j(230))], fill=(0, 0, 0, 255), width=14)
        pen.line([(j(230), j(50)), (j(50), j(230))], fill=(0, 0, 0, 255), width=14)
    else:  # a triangle
        pen.polygon([(j(140), j(40)), (j(40), j(240)), (j(240), j(240))], outline=(0, 0, 0, 255), width=14)
    return np.asarray(image)


def test_teach_a_new_symbol_from_five_drawings():
    rng = np.random.default_rng(0)
    taught = teach([sketch_to_digit(draw("x", rng)) for _ in range(5)])
    probs = taught.classify(sketch_to_digit(draw("x", rng)))
    assert max(probs, key=probs.get) == NEW_LABEL
    digits = load_digits()
    zero = torch.from_numpy(digits.images[digits.target == 0][0].astype(np.float32) / 16)
    probs = taught.classify(zero)
    assert max(probs, key=probs.get) == "0"  # the old classes are still there
    with pytest.raises(ValueError, match="draw 2 more"):
        teach([sketch_to_digit(draw("x", rng)) for _ in range(3)])


def test_sketch_becomes_a_digit_like_scikit_learns():
    digit = sketch_to_digit(draw("triangle", np.random.default_rng(1)))
    assert digit.shape == (8, 8)
    assert 0.0 <= digit.min() and digit.max() == 1.0  # a full 4x4 block of ink counts 16, scaled to 1
    assert (digit > 0).float().mean() < 0.8  # strokes, not a filled square
    card = place(digit[None], make_generator(0))
    assert card.shape == (1, 1, CANVAS, CANVAS) and torch.isclose(card.sum(), digit.sum())


def curve(*accuracies: float) -> list[EpochResult]:
    return [EpochResult(i, a, 0.1 * i) for i, a in enumerate(accuracies)]


def claim_runs() -> list[Run]:
    """Ten seeds: full fine-tuning clearly better on every seed, the linear probe +-3 points around scratch."""
    runs = []
    for s in range(10):
        wobble = 0.01 if s % 2 else -0.01
        runs += [
            Run("scratch", 1, s, curve(0.2, 0.25, 0.3)),
            Run("scratch", 5, s, curve(0.2, 0.3, 0.4 + 0.02 * s)),  # reaches 50% at epoch 2 from seed 5 on
            Run("full", 1, s, curve(0.2, 0.5, 0.55)),
            Run("full", 5, s, curve(0.2, 0.55, 0.6 + 0.02 * s + wobble)),
            Run("last_layer", 1, s, curve(0.2, 0.2, 0.2)),
            Run("last_layer", 5, s, curve(0.2, 0.3, 0.4 + 0.02 * s + 3 * wobble)),
        ]
    return runs


def test_claim_check_pairs_seeds_and_gives_every_verdict_its_interval():
    runs = claim_runs()
    faster, accurate, less_data = claim_check(runs, shots=5, target=0.5)
    full, probe = accurate.evidence["full"], accurate.evidence["last_layer"]
    scratch5 = [r.final_accuracy for r in runs if r.mode == "scratch" and r.shots == 5]
    full5 = [r.final_accuracy for r in runs if r.mode == "full" and r.shots == 5]
    assert full.effect == pytest.approx(0.2) and full.n == 10
    assert full.p_value == pytest.approx(ttest_rel(full5, scratch5).pvalue)
    assert accurate.transfer["full"].startswith("✓ 69.0% ± 6.0%; +20.0 pp [+19.2, +20.8]")
    assert accurate.transfer["full"].endswith("n = 10 seeds, p < 0.001: holds")
    assert probe.effect == pytest.approx(0.0, abs=1e-12) and probe.verdict == UNCLEAR
    assert accurate.transfer["last_layer"].startswith("≈ ")
    # scratch needs 3 epochs (never, counted as 3) on seeds 0-4 and 2 on seeds 5-9; full fine-tuning 1
    assert faster.scratch == "2.5 epochs (5 never)"
    assert faster.evidence["full"].effect == pytest.approx(1.5) and faster.evidence["full"].verdict == HOLDS
    # scratch reaches 50% with 5 labels on seeds 5-9 and never (counted as 10) on 0-4; full with 1
    assert less_data.scratch == "7.5 per class (median), 5 seeds never"
    assert less_data.evidence["full"].effect == pytest.approx(6.5) and less_data.evidence["full"].verdict == HOLDS
    _, _, none_reach = claim_check(runs, shots=5, target=0.99)
    assert none_reach.evidence["full"].effect == 0 and none_reach.evidence["full"].verdict == UNCLEAR
    assert claim_check(runs, 5, 0.99)[0].transfer["full"] == UNMEASURED
    with pytest.raises(ValueError, match="same seeds"):
        claim_check([Run("scratch", 5, 0, curve(0.2, 0.4)), Run("full", 5, 1, curve(0.2, 0.6))], 5, 0.5)


def test_one_seed_gives_no_interval_and_never_nan():
    runs = [r for r in claim_runs() if r.seed == 0]
    for verdict in claim_check(runs, shots=5, target=0.5):
        for mode in ("full", "last_layer"):
            assert verdict.transfer[mode] == UNMEASURED or verdict.transfer[mode].endswith("needs 2 or more seeds")
            assert "nan" not in verdict.transfer[mode] + compact(verdict, mode)
    assert (
        claim_check(runs, 5, 0.5)[1].transfer["full"] == "59.0% ± 0.0%; no interval from 1 seed: needs 2 or more seeds"
    )


def test_the_claim_checks_defaults_train_75_short_runs_seed_by_seed(monkeypatch):
    """The cost of the default claim check: every mode, DEFAULT_SEEDS seeds, each sweep stopping at the first
    amount that reaches the target (here every run reaches it at 5 labels, the default setting)."""
    trained = []

    def fake_finetune(mode, shots, epochs, seed, lr, source):
        trained.append((seed, mode, shots, epochs))
        return iter([EpochResult(0, 0.2, 0.0), EpochResult(epochs, 0.2 if shots < 5 else 0.6, 1.0)])

    monkeypatch.setattr(transfer_runs, "finetune", fake_finetune)
    runs = list(sweep_shots(Comparison(list(ADAPTATIONS), 5, DEFAULT_EPOCHS, seeds=DEFAULT_SEEDS), DEFAULT_TARGET))[-1]
    assert len(runs) == len(trained) == 75 == DEFAULT_SEEDS * len(ADAPTATIONS) * 3
    assert {epochs for *_, epochs in trained} == {DEFAULT_EPOCHS}
    assert [seed for seed, *_ in trained] == sorted(seed for seed, *_ in trained)  # each seed whole before the next
    assert [shots for seed, mode, shots, _ in trained if mode == "full" and seed == 0] == [1, 2, 5]
