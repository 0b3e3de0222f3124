"""Discriminative classifiers: logistic regression and a ReLU MLP. They model p(y|x) and nothing about p(x).

A ReLU network is piecewise linear, so far from the data its logits grow linearly and its softmax
saturates: it is confident where it has seen nothing (Hein et al. 2019, "Why ReLU networks yield
high-confidence predictions far away from the training data").

Both classifiers usually standardise each input first. Where a feature barely varies in training (a digit's
border pixels), that division by a tiny standard deviation throws a far-away input hundreds of standard
deviations out, which makes the logits explode on its own: SCALINGS lets the page compare.
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

CLASSIFIERS = {"logreg": "logistic regression", "mlp": "MLP (ReLU, 128-64)"}
HIDDEN_LAYERS = (128, 64)
MAX_EPOCHS = 300
HIDDEN_NEEDS_MLP = "hidden features exist only for the MLP: choose classifier 'mlp' or space 'input'"
SCALINGS = {
    "standard": "standardised: (x - mean) / std per feature",
    "floored": "standardised, each std floored at 0.1",
    "none": "raw inputs, no scaler",
}
MIN_SCALE = 0.1  # the floored scaler never divides by less than this (in input units; digit pixels are 0-1)


class FlooredScaler(StandardScaler):
    """StandardScaler that divides by max(std, MIN_SCALE), so a near-constant feature cannot blow up."""

    def fit(self, x, y=None, sample_weight=None):
        super().fit(x, y, sample_weight)
        self.scale_ = np.maximum(self.scale_, MIN_SCALE)
        return self


def check_scaling(name: str) -> None:
    if name not in SCALINGS:
        raise ValueError(f"unknown input scaling {name!r}: choose one of {', '.join(SCALINGS)}")


def make_scaler(name: str):
    """The first step of the pipeline: StandardScaler, its floored variant, or the identity."""
    check_scaling(name)
    return {"standard": StandardScaler, "floored": FlooredScaler, "none": FunctionTransformer}[name]()


def check_classifier(name: str) -> None:
    if name not in CLASSIFIERS:
        raise ValueError(f"unknown classifier {name!r}: choose one of {', '.join(CLASSIFIERS)}")


def fit_classifier(name: str, x: np.ndarray, y: np.ndarray, seed: int, scaling: str = "standard") -> Pipeline:
    """Scale the inputs as `scaling` says, then fit logistic regression or the MLP with `seed`."""
    check_classifier(name)
    if name == "logreg":
        head = LogisticRegression(max_iter=1000)
    else:
        head = MLPClassifier(hidden_layer_sizes=HIDDEN_LAYERS, max_iter=MAX_EPOCHS, random_state=seed)
    model = make_pipeline(make_scaler(scaling), head)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(x, y)


def hidden_features(model: Pipeline, x: np.ndarray) -> np.ndarray:
    """The MLP's last hidden layer, relu(W h + b), for inputs x (n, d) -> (n, 64)."""
    scaler, mlp = model[0], model[-1]
    if not isinstance(mlp, MLPClassifier):
        raise ValueError(HIDDEN_NEEDS_MLP)
    h = scaler.transform(x)
    for weights, bias in zip(mlp.coefs_[:-1], mlp.intercepts_[:-1], strict=True):
        h = np.maximum(h @ weights + bias, 0.0)  # (n, width)
    return h


def logits(model: Pipeline, x: np.ndarray) -> np.ndarray:
    """Logits z (n, n_classes) with softmax(z) = p(y|x).

    scikit-learn gives a two-class model one logit z; it becomes [-z/2, z/2], the same probabilities
    and a symmetric input for the energy score.
    """
    head = model[-1]
    if isinstance(head, MLPClassifier):
        z = hidden_features(model, x) @ head.coefs_[-1] + head.intercepts_[-1]
    else:
        z = model.decision_function(x)
    z = z.reshape(len(x), -1)  # (n, 1) for two classes, else (n, n_classes)
    if z.shape[1] == 1:
        z = np.hstack([-z / 2, z / 2])
    return z


def standard_deviations_out(model: Pipeline, x: np.ndarray) -> np.ndarray:
    """(n,) the largest |feature| of each row of x (n, d) after the pipeline's scaler: how many training
    standard deviations the point's most extreme feature lies from the training mean (for raw inputs, the
    largest |feature| itself)."""
    return np.abs(model[0].transform(x)).max(axis=1)
