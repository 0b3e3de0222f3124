"""Word lists shared by the corpus and the in-context probes.

LABEL_WORDS stand in for "yes"/"no" in documents whose answer words are drawn at random, as in the
"semantically unrelated labels" setting of Wei et al. 2023: a reader can only tell which word means
which answer from the worked examples.
"""

LABEL_WORDS = (
    "red", "blue", "green", "black", "white", "pink", "gold", "gray",
    "cat", "dog", "fox", "owl", "bee", "cow", "pig", "ant",
    "7", "3", "5", "9", "1", "4",
    "foo", "bar", "zap", "mox",
)  # fmt: skip
ROSTER_VALUES = LABEL_WORDS + tuple(str(n) for n in range(10, 40))
