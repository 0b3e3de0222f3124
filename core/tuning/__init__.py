"""Tuning a language model after pre-training: instruction tuning (SFT), feedback tuning (a reward model from
rankings, then PPO; or DPO), and the notes' comparison of fine-tuning, prompt engineering and RLHF."""

import warnings

# TRL's generation helper reads `is_gradient_checkpointing`, which transformers renamed: a warning on every feedback
# run that a server's operator cannot act on. Set once at import, never inside a request.
warnings.filterwarnings("ignore", message="`is_gradient_checkpointing` is deprecated", category=FutureWarning)
