"""Foundation-model transfer for text: a frozen pre-trained sentence encoder plus a small classifier,
against a TF-IDF model trained from scratch on the same few labelled sentences.

Both sides use the same classifier (logistic regression); only the features differ, so the gap is what the
encoder learned from broad data before it ever saw these sentences.
"""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import torch
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline

from core.runtime import get_model, gpu, make_generator
from core.runtime.validate import text, whole_number
from core.transfer.choices import MAX_SENTENCE_CHARS, MAX_TEXT_SHOTS
from core.transfer.models import ENCODER, missing_encoder
from core.transfer.runs import check_seeds

SENTENCES_CSV = Path(__file__).resolve().parent / "sentences.csv"
TEST_FRACTION = 0.4
SHOT_STEPS = (1, 2, 4, 8, 16, 30)
CLASSIFIER_C = 10.0


@dataclass(frozen=True)
class Sentences:
    texts: list[str]
    labels: np.ndarray  # (N,) class index into LABELS


@cache
def load_sentences() -> tuple[tuple[str, ...], Sentences, Sentences]:
    """The committed sentences: the label names, a pool to draw labelled shots from, and a fixed test set."""
    with SENTENCES_CSV.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    names = tuple(dict.fromkeys(r["label"] for r in rows))
    texts = [r["text"] for r in rows]
    labels = np.array([names.index(r["label"]) for r in rows])
    pool_t, test_t, pool_y, test_y = train_test_split(
        texts, labels, test_size=TEST_FRACTION, stratify=labels, random_state=0
    )
    return names, Sentences(pool_t, pool_y), Sentences(test_t, test_y)


@gpu(duration=30)
def embed(texts: list[str]) -> np.ndarray:
    return get_model(ENCODER.name).encode(list(texts))  # (N, d)


@cache
def _embedded(texts: tuple[str, ...]) -> np.ndarray:
    return embed(list(texts))


def check_text_shots(shots: int) -> int:
    return whole_number(
        shots, "labelled sentences per class", 1, MAX_TEXT_SHOTS, hint="each class needs at least one example"
    )


def sample_sentences(pool: Sentences, shots: int, seed: int) -> np.ndarray:
    """Indices into `pool`: `shots` sentences of each class, drawn with a seeded CPU generator."""
    generator = make_generator(seed)
    picks = []
    for label in np.unique(pool.labels):
        idx = np.flatnonzero(pool.labels == label)
        picks.append(idx[torch.randperm(len(idx), generator=generator)[:shots].numpy()])
    return np.concatenate(picks)


def tfidf_classifier() -> Pipeline:
    return make_pipeline(TfidfVectorizer(sublinear_tf=True), LogisticRegression(C=CLASSIFIER_C, max_iter=2000))


def probe_classifier() -> LogisticRegression:
    return LogisticRegression(C=CLASSIFIER_C, max_iter=2000)


@dataclass(frozen=True)
class TextModels:
    names: tuple[str, ...]
    tfidf: Pipeline  # fitted on raw sentences
    probe: LogisticRegression | None  # fitted on encoder vectors; None without an encoder

    def predict(self, sentence: str) -> dict[str, dict[str, float]]:
        """Class probabilities of each model for one sentence."""
        sentence = text(
            sentence, "the sentence", max_chars=MAX_SENTENCE_CHARS, example="The keeper punched the ball clear"
        )
        out = {"TF-IDF from scratch": dict(zip(self.names, self.tfidf.predict_proba([sentence])[0], strict=True))}
        if self.probe is not None:
            proba = self.probe.predict_proba(embed([sentence]))[0]
            out["Frozen encoder + classifier"] = dict(zip(self.names, proba, strict=True))
        return out


def train_text_models(shots: int, seed: int) -> TextModels:
    """Both classifiers fitted on the same `shots` labelled sentences per class."""
    names, pool, _ = load_sentences()
    idx = sample_sentences(pool, check_text_shots(shots), seed)
    texts, y = [pool.texts[i] for i in idx], pool.labels[idx]
    probe = None
    if missing_encoder() is None:
        probe = probe_classifier().fit(_embedded(tuple(pool.texts))[idx], y)
    return TextModels(names, tfidf_classifier().fit(texts, y), probe)


@dataclass(frozen=True)
class TextScore:
    shots: int
    seed: int
    tfidf: float  # test accuracy, 0..1
    encoder: float | None  # None without an encoder


def compare_text(seeds: int, shot_steps: tuple[int, ...] = SHOT_STEPS) -> Iterator[TextScore]:
    """Test accuracy of both models at each number of labelled sentences per class, for seeds 0..seeds-1."""
    seeds = check_seeds(seeds)
    _, pool, test = load_sentences()
    with_encoder = missing_encoder() is None
    if with_encoder:
        pool_vec, test_vec = _embedded(tuple(pool.texts)), _embedded(tuple(test.texts))
    for shots in shot_steps:
        for seed in range(seeds):
            idx = sample_sentences(pool, check_text_shots(shots), seed)
            tfidf = tfidf_classifier().fit([pool.texts[i] for i in idx], pool.labels[idx])
            encoder = None
            if with_encoder:
                encoder = probe_classifier().fit(pool_vec[idx], pool.labels[idx]).score(test_vec, test.labels)
            yield TextScore(shots, seed, tfidf.score(test.texts, test.labels), encoder)
