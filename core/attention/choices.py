"""What the transformer explorer offers a student, importable without torch or transformers: the bundled
models' registry names, the three kinds of attention and the decoding modes."""

from core.prompting.choices import NAME as LAB_LM

TRANSLATOR = "toy-translator"  # the registry name of the bundled encoder-decoder
BUNDLED_NAMES = (TRANSLATOR, LAB_LM)
STACKS = ("encoder", "decoder", "cross")
STACK_TITLES = {"encoder": "encoder self-attention", "decoder": "decoder self-attention", "cross": "cross-attention"}
HUB_EXAMPLES = ("gpt2", "bert-base-uncased", "t5-small")  # hub models the page suggests (they return attentions)
MODES = ("greedy", "sample")  # decoding: take the most likely token, or draw one
MAX_TARGET_TOKENS = 24  # the longest translation the translator generates, in tokens (training and the explorer)
