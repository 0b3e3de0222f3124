"""Tuning a language model after pre-training: instruction tuning (SFT), feedback tuning (a reward model from
rankings, then PPO; or DPO), and the notes' comparison of fine-tuning, prompt engineering and RLHF."""
