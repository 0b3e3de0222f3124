"""What the transfer lab offers a student, importable without torch or scikit-learn: the CNN's layers, the
limits and defaults of a fine-tuning run, of the claim check, of teaching a new symbol and of the text lab."""

LAYERS = ("conv1", "conv2", "fc", "head")  # the CNN's layers (core.transfer.cnn), bottom to top

MAX_SHOTS = 50  # labelled examples per target class the pool holds
MAX_EPOCHS = 200
DEFAULT_EPOCHS = 30
DEFAULT_LR = 3e-3

MAX_SEEDS = 20
DEFAULT_SEEDS = 5  # the claim check pairs seeds: at its defaults 5 give clear verdicts well inside the time limit
SWEEP_SHOTS = (1, 2, 5, 10, 20, MAX_SHOTS)  # labelled examples per class the claim check tries
DEFAULT_TARGET = 0.5  # test accuracy that counts as "reached" for the "faster" and "less data" claims

NEW_LABEL = "your symbol"
MIN_DRAWINGS = 5

MAX_TEXT_SHOTS = 30  # labelled sentences per class
MAX_SENTENCE_CHARS = 500  # a sentence to classify; the lab's own are under 100

FEWER = "ask for fewer epochs, modes or seeds"  # what to change when a run passes the server's time limit
