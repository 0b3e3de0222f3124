"""The confidence-vs-density page's explanations: why confidence is not distance, each score's formula and the
paper it comes from, how to read the detection measures, what the classifier's input scaler does to far-away
inputs, and when a density beats confidence. Markdown with LaTeX; `{...}` fields are filled by the page."""

INTRO = """
A discriminative classifier learns p(y | x) and nothing else. Its probability is often read as
certainty, yet it ignores where a point lies relative to each class's centre of mass: a point can be
classified "blue" with probability 0.99 while it is far from both centres, **like a hologram of a chair
classified as a chair**. A model of the density over the whole feature space would catch it.
Left: what the classifier says. Right: how far from the training data the point is.
"""

MAPS_NOTE = (
    "Both maps share one {columns} x {rows} grid. White dots on the left: the decision boundary. Right: the density "
    "model's score on a log colour scale, labelled with the score; bright means far from the data. Click either map "
    "to add a test point there."
)

POINTS_NOTE = (
    "Density score: {density}. Percentiles are among {n} held-out in-distribution points. Density pct: the share "
    "of held-out points that are at most as dense (0 = farther than all of them). A point is flagged when max p is "
    "at least the threshold and density pct is below {rare:g}."
)

OOD_NOTE = (
    "Out-of-distribution points are the positives; every score is oriented so that higher means "
    '"more likely out of distribution" (the max probability is negated). AUROC 1 separates perfectly, '
    "0.5 is chance, below 0.5 the score finds the out-of-distribution points *more* in-distribution "
    "than real held-out data. FPR@95TPR: the share of held-out points flagged once 95% of the "
    "out-of-distribution points are caught. The 95% interval is a stratified bootstrap of the AUROC "
    "({held_out} held-out and {ood} out-of-distribution points)."
)

SCALER_NOTE = """
**What the scaler does to far-away inputs.** Both classifiers first standardise each pixel:
(x - mean) / std, with the mean and std of the training digits. Border pixels are almost always blank,
so their std is tiny. An inverted digit lights them all up, and after standardising its most extreme pixel
sits **{deviations:.0f} standard deviations** from the mean (median over the inverted digits, this setup).
The logits grow with the input, the softmax saturates, and the classifier is certain: most of the dramatic
failure on inverted digits is the scaler's doing. Floor each std at {floor:g}, or drop the scaler, and the
same classifiers rank inverted digits as unusual far more often. The lesson stands (a classifier's confidence
is not a distance from the data), but read it from all three columns, not from the first alone.
"""

SCALING_AUROC_NOTE = (
    "AUROC on held-out digits vs their inverted copies, with its 95% interval, n and the verdict on "
    '"the score detects inverted digits better than chance" (AUROC above 0.5). "Does not hold" below 0.5 '
    "means the score finds inverted digits *more* in-distribution than real ones."
)

NEAR_FAR_NOTE = """
**Density wins far from the data; near it, it depends.** Inverted digits lie far from every training digit:
every density or distance score catches them. Novel digits 8 and 9 look like the training digits, and there
the classifier's confidence is a strong detector too: only some density models beat it, and which ones
depends on the space the density is computed in. Each row: the density score's AUROC, its gap to the
max-probability AUROC on the same points, and whether "the density score beats confidence" holds.
"""

PAIRED_NOTE = (
    "Intervals: paired stratified bootstrap over the same points; a verdict holds when the interval of the AUROC gap "
    "excludes 0."
)

DIGITS_PLANE_NOTE = (
    "Digits live in 64 dimensions. The maps show one plane through that space: the plane through the mean image "
    "spanned by the first two principal components. Every grid node and test point is a full 64-pixel image on "
    "that plane, and every score is computed in the full 64-dimensional space."
)

SCORE_NOTES = r"""
**Max softmax probability** (Hendrycks & Gimpel 2017): $\max_c p(c \mid x)$ with
$p = \operatorname{softmax}(z)$. As an out-of-distribution score it is used negated: low confidence = suspicious.

**Entropy** of the prediction: $H = -\sum_c p_c \log p_c$, from 0 (certain) to $\log C$ (uniform).

**Energy** (Liu et al. 2020, *Energy-based out-of-distribution detection*): $E(x) = -T \log \sum_c e^{z_c / T}$
with $T = 1$. scikit-learn gives a two-class model one logit $z$; it becomes $[-z/2, z/2]$.

All three read only p(y | x). A ReLU network is piecewise linear, so far from the data its logits grow
linearly and the softmax saturates (Hein et al. 2019, *Why ReLU networks yield high-confidence predictions
far away from the training data*).

**Mahalanobis distance** (Lee et al. 2018): $\min_c (f - \mu_c)^\top \Sigma^{-1} (f - \mu_c)$ with one
covariance $\Sigma$ shared by all classes (squared distance; Ledoit-Wolf shrinkage, since some digit
pixels never vary).

**Class-conditional Gaussian** (Gaussian discriminant analysis, as in DDU, Mukhoti et al. 2021):
$-\log \sum_c \pi_c\, \mathcal{N}(f; \mu_c, \Sigma_c)$, one covariance per class.

**Gaussian mixture** with k components, fitted by EM without labels: $-\log \sum_j w_j\, \mathcal{N}(f; \mu_j, \Sigma_j)$.

**kNN distance** (Sun et al. 2022, *Out-of-distribution detection with deep nearest neighbors*):
$\lVert f - f_{(k)} \rVert$, the distance to the k-th nearest training point.

Here $f$ is the input or the MLP's last hidden layer, as chosen in the sidebar. Models that build the
distance into the network itself: DUQ (van Amersfoort et al. 2020, an RBF distance to learned class
centroids) and SNGP (Liu et al. 2020, a distance-aware output layer).
"""
