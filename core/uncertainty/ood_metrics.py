"""How well a score separates in-distribution from out-of-distribution points: the ROC curve, its area
(AUROC) and the false-positive rate at 95% true-positive rate (FPR@95TPR).

Out-of-distribution points are the positives and every score is oriented so that higher means
"more likely out of distribution": an AUROC of 1 separates perfectly, 0.5 is chance, and below 0.5
the score ranks the out-of-distribution points as *more* in-distribution than the real data.
"""

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve

TARGET_TPR = 0.95


def _labelled(score_in: np.ndarray, score_out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if len(score_in) == 0 or len(score_out) == 0:
        raise ValueError("both score sets need at least one point: pass in-distribution and out-of-distribution scores")
    labels = np.concatenate([np.zeros(len(score_in)), np.ones(len(score_out))])  # 1 = out of distribution
    return labels, np.concatenate([score_in, score_out])


def roc(score_in: np.ndarray, score_out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ROC curve (fpr, tpr): in-distribution points flagged vs out-of-distribution points caught."""
    fpr, tpr, _ = roc_curve(*_labelled(score_in, score_out), drop_intermediate=False)
    return fpr, tpr


def auroc(score_in: np.ndarray, score_out: np.ndarray) -> float:
    """The probability that a random out-of-distribution point scores higher than a random in-distribution one."""
    return float(roc_auc_score(*_labelled(score_in, score_out)))


def fpr_at_95_tpr(score_in: np.ndarray, score_out: np.ndarray) -> float:
    """The fraction of in-distribution points flagged once the threshold catches 95% of out-of-distribution points."""
    fpr, tpr = roc(score_in, score_out)
    return float(fpr[np.searchsorted(tpr, TARGET_TPR)])
