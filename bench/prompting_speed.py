"""Speed of the bundled prompting-lab model on this CPU, measured in one run.

    python bench/prompting_speed.py [--threads 1] [--tokens 200] [--n 100] [--model DIR]

1. Tokens (and characters) per second of one seeded generation, with and without the KV cache (without
   it, every step re-reads the whole sequence, so the cost per token grows with its length). Characters
   per second compare models whose tokenizers differ (one token per character vs BPE).
2. Time to answer a 100-question evaluation batch (zero-shot, greedy), batched vs one by one.
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--tokens", type=int, default=200, help="new tokens per timed generation")
    parser.add_argument("--n", type=int, default=100, help="questions in the evaluation batch")
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--model", default=None, help="a model folder instead of the bundled model")
    args = parser.parse_args()

    import torch

    from core.prompting.evaluate import evaluate, held_out_problems
    from core.prompting.generate import generate
    from core.prompting.models import NAME, load
    from core.prompting.prompts import build_prompt
    from core.runtime import get_model

    torch.set_num_threads(args.threads)
    lm = load(args.model) if args.model else get_model(NAME)
    problem = held_out_problems("coin_flip", 1, (4,))[0]
    prompt = build_prompt(problem, "few-shot-cot", k=2)
    n_prompt = len(lm.tokenizer(prompt).input_ids)
    print(f"device {lm.model.device}, {torch.get_num_threads()} thread(s), prompt {n_prompt} tokens")
    for use_cache in (True, False):
        generate(lm, prompt, 5, temperature=1.0, seed=0, use_cache=use_cache)  # warm-up
        start = time.perf_counter()
        generation = generate(lm, prompt, args.tokens, temperature=1.0, seed=0, use_cache=use_cache)
        seconds = time.perf_counter() - start
        label = "with KV cache   " if use_cache else "without KV cache"
        n_tokens, n_chars = len(generation.tokens), len(generation.text)
        print(
            f"{label}: {n_tokens / seconds:7.1f} tokens/s, {n_chars / seconds:7.1f} characters/s "
            f"({n_tokens} tokens, {n_chars} characters)"
        )

    problems = held_out_problems("arithmetic", args.n, (1, 2, 3))
    for batch_size in (args.batch_size, 1):
        start = time.perf_counter()
        report = evaluate(lm, problems, "zero-shot", batch_size=batch_size)
        seconds = time.perf_counter() - start
        print(f"{args.n} questions, batch size {batch_size:3d}: {seconds:6.1f} s (accuracy {report.accuracy:.0%})")


if __name__ == "__main__":
    main()
