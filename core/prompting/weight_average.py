"""Weight averaging: a model continued on a new corpus, mixed with the weights it started from (WiSE-FT,
Wortsman et al. 2022). Both lie in one basin of the loss (linear mode connectivity, Frankle et al. 2020), so the
mix keeps much of what the start could do and much of what the continuation learned.

    python -m core.prompting.weight_average START CONTINUED --alpha 0.5 --out DIR

theta = (1 - alpha) * theta_START + alpha * theta_CONTINUED, tensor by tensor; DIR gets the mixed weights and
CONTINUED's tokenizer, in float32. The mix is written out here (one `lerp_` per tensor) because it is the idea this
module shows.
"""

import argparse
from pathlib import Path

import torch

# what may differ between two checkpoints of one architecture: where and how they were saved, and settings that
# change neither a weight's shape nor the computation (TRL turns `use_cache` off while it trains)
IGNORED_CONFIG_KEYS = {
    "_name_or_path",
    "transformers_version",
    "dtype",
    "torch_dtype",
    "use_cache",
    "output_attentions",
    "output_hidden_states",
    "return_dict",
}


def same_architecture(start, continued) -> None:
    """Raise unless the two models have one architecture, so that their weights can be mixed name by name."""
    a, b = (
        {k: v for k, v in model.config.to_dict().items() if k not in IGNORED_CONFIG_KEYS}
        for model in (start, continued)
    )
    differing = sorted(key for key in a.keys() | b.keys() if a.get(key) != b.get(key))
    if differing:
        raise ValueError(
            f"the two models differ in {', '.join(differing)}: only two checkpoints of one architecture "
            "(a model and a continuation of it) can be averaged"
        )


def check_alpha(alpha: float) -> None:
    if not 0.0 <= alpha <= 1.0:  # NaN fails too
        raise ValueError(f"alpha must lie in [0, 1] (0 keeps START, 1 gives CONTINUED), not {alpha}")


def average(start, continued, alpha: float):
    """`start` with every weight moved `alpha` of the way to `continued`'s (in place; returned)."""
    check_alpha(alpha)
    same_architecture(start, continued)
    target = dict(continued.named_parameters())
    with torch.no_grad():
        for name, weight in start.named_parameters():  # tied weights are listed once, so moved once
            weight.lerp_(target[name].to(weight.dtype), alpha)
    return start


def main(argv: list[str] | None = None) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("start", type=Path, help="the weights the continuation started from")
    parser.add_argument("continued", type=Path, help="the continued weights")
    parser.add_argument("--alpha", type=float, default=0.5, help="the continuation's share, 0 to 1")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        check_alpha(args.alpha)
    except ValueError as error:
        parser.error(str(error))
    for folder in (args.start, args.continued):
        if not (folder / "config.json").is_file():
            parser.error(f"{folder} holds no config.json: give two folders written by save_pretrained")
    try:
        mixed = average(
            AutoModelForCausalLM.from_pretrained(args.start, dtype=torch.float32),  # a tuned copy may be float16
            AutoModelForCausalLM.from_pretrained(args.continued, dtype=torch.float32),
            args.alpha,
        )
    except ValueError as error:
        parser.error(str(error))
    mixed.save_pretrained(args.out)
    AutoTokenizer.from_pretrained(args.continued).save_pretrained(args.out)
    print(f"wrote {args.out}: {1 - args.alpha:g} x {args.start} + {args.alpha:g} x {args.continued}")


if __name__ == "__main__":
    main()
