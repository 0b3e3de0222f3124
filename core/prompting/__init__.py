"""In-context learning: zero-shot, few-shot and chain-of-thought prompting (Wei et al. 2022),
on a small language model trained here on generated tasks and on any hub causal LM."""
