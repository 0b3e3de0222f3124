"""Compositional generalisation needs combinations the model never saw: the held-out colour-shape-place
triples are absent from every training caption, each of their parts is still taught, and the evaluation
measures them apart from the seen ones."""

import itertools
import json
from dataclasses import replace

import numpy as np

from core.diffusion import held_out, shapes
from core.diffusion.fidelity import ALL_COMBINATIONS
from core.diffusion.held_out import HELD_OUT


def training_captions(n: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    return [held_out.training_scene(rng).caption for _ in range(n)]


def described(caption: str) -> set[tuple[str, str, str]]:
    """The (colour, shape, place) of every shape a caption names, read back through the caption grammar."""
    return {(s.colour, s.shape, s.position) for s in shapes.parse_caption(caption).shapes}


def test_training_captions_never_name_a_held_out_combination():
    captions = training_captions(4000)
    named = set().union(*(described(c) for c in captions))
    assert not named & set(HELD_OUT)
    assert named == set(ALL_COMBINATIONS) - set(HELD_OUT)  # every other combination is taught
    assert any(len(shapes.parse_caption(c).shapes) == 2 for c in captions)  # pairs stay in the stream


def test_every_part_of_a_held_out_combination_is_taught():
    named = set().union(*(described(c) for c in training_captions(4000, seed=1)))
    assert len(HELD_OUT) == len(set(HELD_OUT)) == 12 and set(HELD_OUT) <= set(ALL_COMBINATIONS)
    for colour, shape, place in HELD_OUT:
        assert any((c, s) == (colour, shape) for c, s, _ in named)
        assert any((c, p) == (colour, place) for c, _, p in named)
        assert any((s, p) == (shape, place) for _, s, p in named)
    for a, b in itertools.combinations(HELD_OUT, 2):  # no two held-out triples share a pair of attributes
        assert sum(x == y for x, y in zip(a, b, strict=True)) <= 1


def test_the_training_loop_draws_from_the_held_out_stream_and_records_the_list(tmp_path, monkeypatch):
    from core.diffusion import train

    seen = []

    def recording(rng, n):
        images, scenes = held_out.training_batch(rng, n)
        seen.extend(s.caption for s in scenes)
        return images, scenes

    monkeypatch.setattr(train, "training_batch", recording)
    meta = train.train(tmp_path, replace(train.TRAINING, steps=1, batch_size=16), save_every=1)
    assert len(seen) == 16 and not set().union(*(described(c) for c in seen)) & set(HELD_OUT)
    assert [tuple(c) for c in meta["held_out"]] == list(HELD_OUT)
    assert held_out.held_out_in_training(tmp_path) == HELD_OUT
    assert json.loads((tmp_path / "training.json").read_text())["held_out"] == meta["held_out"]


def test_the_bundled_model_was_trained_without_the_held_out_combinations():
    from core.diffusion.choices import MODEL_DIR

    assert held_out.held_out_in_training(MODEL_DIR) == held_out.HELD_OUT


def test_held_out_fidelity_samples_only_combinations_absent_from_training(monkeypatch):
    from core.diffusion import fidelity

    asked = []

    def fake_sample(model, requests):
        asked.extend(r.prompt for r in requests)
        return np.zeros((len(requests), shapes.SIZE, shapes.SIZE, 3), dtype=np.uint8)

    def read_back(judge, images):  # a perfect judge: it reads each image's prompt back
        found = [shapes.parse_caption(prompt).shapes[0] for prompt in asked[-len(images) :]]
        return [(s.position, f"{s.colour} {s.shape}", s.size) for s in found]

    monkeypatch.setattr(fidelity, "sample", fake_sample)
    monkeypatch.setattr(fidelity, "main_object", read_back)
    f = fidelity.single_shape_fidelity(None, None, 20, 3.0, "DPM-Solver++", seeds_per_prompt=2, combinations=HELD_OUT)
    assert set().union(*(described(p) for p in asked)) == set(HELD_OUT)
    trained = set().union(*(described(c) for c in training_captions(4000, seed=2)))
    assert not trained & set().union(*(described(p) for p in asked))
    assert f.samples == 2 * len(HELD_OUT) and f.hits["all_four"] == f.samples
    assert f.estimate("all_four").low > 0.8 and f.estimate("all_four").high == 1.0


def test_the_composition_claim_reads_seen_and_held_out_prompts_and_gives_the_gap_its_verdict(monkeypatch):
    """A fake judge that reads every seen prompt back right and every held-out one in the wrong place: the gap is
    -1 with an interval below 0, so "held out below seen" holds; a judge right on both leaves no evidence."""
    from core.diffusion import claims, fidelity

    asked, wrong_place = [], {"held_out": True}

    def fake_sample(model, requests):
        asked.extend(r.prompt for r in requests)
        return np.zeros((len(requests), shapes.SIZE, shapes.SIZE, 3), dtype=np.uint8)

    def read_back(judge, images):
        found = []
        for prompt in asked[-len(images) :]:
            (s,) = shapes.parse_caption(prompt).shapes
            held = (s.colour, s.shape, s.position) in HELD_OUT
            place = "centre" if held and wrong_place["held_out"] and s.position != "centre" else s.position
            place = "top" if held and wrong_place["held_out"] and s.position == "centre" else place
            found.append((place, f"{s.colour} {s.shape}", s.size))
        return found

    monkeypatch.setattr(fidelity, "sample", fake_sample)
    monkeypatch.setattr(fidelity, "main_object", read_back)
    steps_seen = []
    result = claims.measure(
        None, None, seeds_per_prompt=2, progress=lambda done, total: steps_seen.append((done, total))
    )
    # 48 seen prompts, then 12 held out, in batches of PROMPTS_PER_BATCH = 12
    assert steps_seen == [(12, 60), (24, 60), (36, 60), (48, 60), (60, 60)]
    assert (result.seen.samples, result.held_out.samples) == (96, 24)
    assert result.gap.effect == -1.0 and result.gap.high < 0 and result.gap.verdict == "holds"
    assert result.rows()[1][:2] == ["held out of training", "24"] and result.rows()[1][4].startswith("0.00 [")
    assert result.claim_line().endswith(": holds")

    wrong_place["held_out"] = False
    fair = claims.measure(None, None, seeds_per_prompt=1)
    assert fair.gap.effect == 0.0 and fair.gap.verdict == "not enough evidence"


def test_prompts_sampled_together_are_judged_as_when_sampled_one_by_one(monkeypatch, one_torch_thread):
    """Batching the prompts keeps each sample's own x_T and generator: every 10th prompt (6), 2 seeds each, gets
    the same verdicts in batches of 12 prompts as one prompt at a time."""
    from core.diffusion import attributes, fidelity
    from core.diffusion import models as _registered  # noqa: F401 - registers "text-to-image"
    from core.diffusion.choices import NAME
    from core.runtime import get_model

    model, judge = get_model(NAME), attributes.load()
    together = fidelity.single_shape_fidelity(model, judge, 8, 3.0, "DPM-Solver++", seeds_per_prompt=2, every=10)
    monkeypatch.setattr(fidelity, "PROMPTS_PER_BATCH", 1)
    alone = fidelity.single_shape_fidelity(model, judge, 8, 3.0, "DPM-Solver++", seeds_per_prompt=2, every=10)
    assert together.samples == alone.samples == 12
    assert together.each == alone.each and together.hits == alone.hits
    assert together.rate("colour") >= 0.9  # the model draws the colours it is asked for
