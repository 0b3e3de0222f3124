"""Accuracy per prompting strategy, problem length and number of examples, on held-out questions.

    python -m core.prompting.evaluate [--n 200] [--k 4] [--write]

measures, with greedy decoding: every strategy on each task family at its multi-step trained
lengths and at lengths longer than any trained one (as in Wei et al. 2022, section 5), and whether each
reply answered at once or reasoned first; few-shot chain-of-thought in every held-out wording of each family,
on the same problems as the corpus wording, and in new draws of the corpus's own invented wordings (the
reading the corpus trains, measured on its own kind of material); and the in-context probes (`core.prompting.in_context`), all
built from held-out answer words and layouts: accuracy against the number of examples k, each layout at
k = 4, and flipped labels. `--write` stores every item's right/wrong in `model/evaluation.json`, from which
the lab's claim check computes intervals and tests. A few-shot prompt that leaves too little of the context for
its reply drops its last examples until the reply fits (`fitted_prompt`). `--chains quoted` writes the worked
examples' steps each opened by the sentence it reads (`Problem.quoted_chain`), for weights trained with
`train --chains mixed` or `quoted`. The bundled model reads every prompt after its end-of-text token, as the
registry loads it (`models.load_base`); `--document-start` reads a `--model` folder's prompts that way too.
"""

import argparse
import json
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from core.prompting.answers import NEXT_QUESTION, extract, first_reply, is_correct, mode, normalise, with_lead
from core.prompting.choices import NAME
from core.prompting.claims import EVALUATION_FILE, INVENTED
from core.prompting.grading import share_right
from core.prompting.in_context import (
    ALL_LAYOUTS,
    FLIPPED_KS,
    LABEL_KS,
    LAYOUT_K,
    MAPPING_KS,
    Probe,
    flipped_outcomes,
    probes,
    right_bits,
)
from core.prompting.models import LanguageModel
from core.prompting.prompts import STRATEGIES, build_prompt
from core.prompting.tasks import Problem, is_test_question
from core.prompting.tasks.families import FAMILIES
from core.prompting.wordings import invented_wording
from core.runtime.validate import choice

MAX_N = 500
MAX_NEW_TOKENS = 400  # a cap for any reply; a reply stops earlier at end-of-text or a new "Q:"
ANSWER_TOKENS = 16  # enough for "The answer is 01/30/2003."
PROBE_TOKENS = 12  # enough for any held-out answer word, which ends the probe's reply at its line's end
REPLY_END = ("\n\n", NEXT_QUESTION)  # a reply ends at a blank line or a new "Q:": worked answers are one line
LENGTH_SETS = ("multi-step", "longer")
BATCH = 25
INVENTED_DRAWS = 5  # invented wordings per family, taking turns over the questions
CHAINS = ("plain", "quoted")  # how the worked examples of chain-of-thought prompts write their steps


@dataclass(frozen=True)
class ItemResult:
    question: str
    length: int
    truth: str
    predicted: str | None
    correct: bool
    prompt: str
    generation: str
    mode: str = ""  # "direct" or "chain": how the reply answered


@dataclass(frozen=True)
class Report:
    task: str
    strategy: str
    items: tuple[ItemResult, ...]

    @property
    def accuracy(self) -> float:
        return share_right(i.correct for i in self.items)

    @property
    def bits(self) -> str:
        """Each item's right (1) or wrong (0), in order: what the paired tests need."""
        return "".join("1" if i.correct else "0" for i in self.items)

    @property
    def modes(self) -> str:
        """Each reply's mode, in order: "d" answered at once, "c" reasoned first."""
        return "".join(i.mode[:1] for i in self.items)

    def accuracy_by_length(self) -> dict[int, float]:
        by_length = defaultdict(list)
        for item in self.items:
            by_length[item.length].append(item.correct)
        return {length: sum(c) / len(c) for length, c in sorted(by_length.items())}


def lengths_of(task: str, length_set: str) -> tuple[int, ...]:
    family = FAMILIES[choice(task, "task", FAMILIES)]
    sets = {
        "trained": family.train_lengths,
        "multi-step": family.eval_lengths,
        "longer": family.longer_lengths,
        "all": family.train_lengths + family.longer_lengths,
    }
    return sets[choice(length_set, "length set", sets)]


def check_n(n) -> int:
    if not 1 <= n <= MAX_N:
        raise ValueError(f"n must be from 1 to {MAX_N} questions, got {n}")
    return n


def held_out_problems(
    task: str, n: int, lengths: tuple[int, ...], seed: int = 1, wording: dict[str, str] | None = None
) -> list[Problem]:
    """n held-out problems, the lengths taking turns; in `wording`, the same problems said in other sentences
    (a problem is held out when its corpus wording is, so every wording is asked the same questions)."""
    family = FAMILIES[choice(task, "task", FAMILIES)]
    rng = random.Random(seed)
    problems = []
    for i in range(check_n(n)):
        while True:
            state = rng.getstate()
            problem = family.make(rng, lengths[i % len(lengths)])
            if is_test_question(problem.question):
                break
        if wording is not None:
            said = random.Random()
            said.setstate(state)
            problem = family.make(said, problem.length, wording)
        problems.append(problem)
    return problems


def chance(problems: list[Problem]) -> float:
    """Accuracy of always giving the most common right answer: the bar a model must beat."""
    counts = Counter(normalise(p.answer) for p in problems)
    return counts.most_common(1)[0][1] / len(problems)


def token_budget(lm: LanguageModel, problems: list[Problem], strategy: str, quoted: bool = False) -> int:
    """New tokens enough for the reply, whichever way it answers: twice the longest reference chain (quoted, with
    `quoted`)."""
    chain = max(
        len(lm.tokenizer(p.quoted_chain if quoted else p.chain, add_special_tokens=False).input_ids) for p in problems
    )
    return min(MAX_NEW_TOKENS, 2 * chain + ANSWER_TOKENS)


def fitted_prompt(
    lm: LanguageModel, problem: Problem, strategy: str, budget: int, k: int, chat: bool = False, **options
) -> str:
    """`build_prompt` with k examples, or with fewer (the last ones dropped) where the prompt (as the model reads
    it, `chat` or not) and `budget` new tokens would not fit the context, as a student shortens a prompt that is
    too long. So no reply is cut short, whether by its own prompt or by the longest prompt of its batch (a batch
    is padded to that one)."""
    from core.prompting.generate import model_input

    prompt = build_prompt(problem, strategy, k=k, **options)
    while (
        strategy.startswith("few-shot")
        and k > 1
        and len(lm.tokenizer(model_input(lm, prompt, chat), add_special_tokens=False).input_ids) + budget > lm.context
    ):
        k -= 1
        prompt = build_prompt(problem, strategy, k=k, **options)
    return prompt


def generate_all(
    lm: LanguageModel,
    prompts: list[str],
    max_new_tokens: int,
    chat: bool = True,
    batch_size: int = BATCH,
    progress: Callable[[int, int], None] | None = None,
    stop: tuple[str, ...] = REPLY_END,
) -> list[str]:
    """Greedy replies to `prompts`, `batch_size` at a time, each cut at the next worked example."""
    from core.prompting.generate import generate_batch

    replies: list[str] = []
    for start in range(0, len(prompts), batch_size):
        replies += generate_batch(lm, prompts[start : start + batch_size], max_new_tokens, chat, stop)
        if progress is not None:
            progress(len(replies), len(prompts))
    return [first_reply(r) for r in replies]


def evaluate_in_batches(
    lm: LanguageModel,
    problems: list[Problem],
    strategy: str,
    k: int = 4,
    batch_size: int = BATCH,
    chat: bool = True,
    wording: dict[str, str] | None = None,
    quoted: bool = False,
) -> Iterator[Report]:
    """Greedy answers to `problems` under `strategy`, `batch_size` prompts at a time: after each batch, the report
    on every problem answered so far, so a run stopped early keeps what it answered. The examples are in
    `wording`, the problems' own, and with `quoted` their steps open with the sentence they read."""
    budget = token_budget(lm, problems, strategy, quoted)  # the same for every batch: answers do not depend on n
    prompts = [
        fitted_prompt(lm, p, strategy, budget, k, chat, seed=1000 + i, wording=wording, quoted=quoted)
        for i, p in enumerate(problems)
    ]
    items: list[ItemResult] = []
    for start in range(0, len(problems), batch_size):
        batch = prompts[start : start + batch_size]
        replies = generate_all(lm, batch, budget, chat, batch_size)
        replies = [with_lead(prompt, r) for prompt, r in zip(batch, replies, strict=True)]
        items += [
            ItemResult(p.question, p.length, p.answer, extract(r), is_correct(r, p.answer), prompt, r, mode(r))
            for p, prompt, r in zip(problems[start : start + batch_size], batch, replies, strict=True)
        ]
        yield Report(problems[0].task, strategy, tuple(items))


def evaluate(
    lm: LanguageModel,
    problems: list[Problem],
    strategy: str,
    progress: Callable[[int, int], None] | None = None,
    **options,
) -> Report:
    """Greedy answers to `problems` under `strategy`, with the options of `evaluate_in_batches` (k, batch_size,
    chat, wording, quoted); `progress` hears of every batch."""
    for report in evaluate_in_batches(lm, problems, strategy, **options):
        if progress is not None:
            progress(len(report.items), len(problems))
    return report


def probe_replies(lm: LanguageModel, kind: str, k: int, n: int, chat: bool = False) -> tuple[list[Probe], list[str]]:
    """n probes of `kind` with k examples (see `core.prompting.in_context`) and the model's reply to each."""
    items = probes(kind, k, n)
    return items, generate_all(lm, [p.prompt for p in items], PROBE_TOKENS, chat, stop=("\n",))


def probe_bits(lm: LanguageModel, kind: str, k: int, n: int, chat: bool = False) -> str:
    """Right (1) or wrong (0) for n probes of `kind` with k examples."""
    return right_bits(*probe_replies(lm, kind, k, n, chat))


def invented_wordings(task: str) -> list[dict[str, str]]:
    """INVENTED_DRAWS wordings of `task` invented as the corpus invents them (`core.prompting.wordings`), from
    fixed seeds: the corpus's own kind of material, in draws it has never written."""
    return [invented_wording(FAMILIES[task], random.Random(f"{task}/{i}")) for i in range(INVENTED_DRAWS)]


def in_turns(
    task: str, n: int, wordings: list[dict[str, str] | None]
) -> Iterator[tuple[dict[str, str] | None, list[int], list[Problem]]]:
    """The n held-out multi-step questions of `task`, question i said in wordings[i mod len(wordings)]: for each
    wording in turn, the wording, the indices of its questions, and those questions said in it."""
    for draw, wording in enumerate(wordings):
        problems = held_out_problems(task, n, lengths_of(task, "multi-step"), wording=wording)
        mine = list(range(draw, n, len(wordings)))
        yield wording, mine, [problems[i] for i in mine]


def invented_bits(lm: LanguageModel, task: str, n: int, k: int, quoted: bool = False) -> tuple[str, str]:
    """Few-shot chain-of-thought right/wrong and modes on the held-out multi-step questions, question i said (and
    its examples written) in invented wording i mod INVENTED_DRAWS."""
    bits, modes = [""] * n, [""] * n
    for wording, mine, problems in in_turns(task, n, invented_wordings(task)):
        report = evaluate(lm, problems, "few-shot-cot", k=k, chat=False, wording=wording, quoted=quoted)
        for i, bit, reply_mode in zip(mine, report.bits, report.modes, strict=True):
            bits[i], modes[i] = bit, reply_mode
    return "".join(bits), "".join(modes)


def cells() -> list[tuple[str, ...]]:
    """Every measurement of a full run: (task, length set, strategy), (task, "wording:<name>", strategy)
    and (probe, k)."""
    found = [(t, s, st) for t in FAMILIES for s in LENGTH_SETS for st in STRATEGIES]
    found += [(t, f"wording:{w}", "few-shot-cot") for t, family in FAMILIES.items() for w in family.held_out]
    found += [(t, f"wording:{INVENTED}", "few-shot-cot") for t in FAMILIES]
    found += [(kind, str(k)) for kind in ("labels", "labels-trained", "labels-new-layout") for k in LABEL_KS]
    found += [(f"layout:{name}", str(LAYOUT_K)) for name in ALL_LAYOUTS]
    found += [(kind, str(k)) for kind in ("mapping", "mapping-new-layout") for k in MAPPING_KS]
    return found + [("flipped", str(k)) for k in FLIPPED_KS]


def measure(lm: LanguageModel, cell: tuple[str, ...], n: int, k: int, quoted: bool = False) -> tuple[str, str]:
    """The right/wrong string of one cell, and the reply modes where the cell asks questions of a family (for
    flipped labels, what each reply did: `flipped_outcome`; "" for other probes); with `quoted`, worked examples
    whose steps open with the sentence they read."""
    if len(cell) == 2:  # a probe; flipped labels keep what each reply did (`flipped_outcome`) in place of modes
        items, replies = probe_replies(lm, cell[0], int(cell[1]), n)
        return right_bits(items, replies), flipped_outcomes(items, replies) if cell[0] == "flipped" else ""
    task, length_set, strategy = cell
    if length_set == f"wording:{INVENTED}":
        return invented_bits(lm, task, n, k, quoted)
    wording = FAMILIES[task].held_out[length_set[len("wording:") :]] if length_set.startswith("wording:") else None
    problems = held_out_problems(task, n, lengths_of(task, "multi-step" if wording else length_set), wording=wording)
    report = evaluate(lm, problems, strategy, k=k, chat=False, wording=wording, quoted=quoted)
    return report.bits, report.modes


_worker_lm: LanguageModel | None = None


def _measure_in_worker(
    model: str | None, cell: tuple[str, ...], n: int, k: int, quoted: bool, document_start: bool = False
) -> tuple[str, str]:
    """One cell in a worker process, which loads the model once and runs on one thread."""
    global _worker_lm
    if _worker_lm is None:
        import torch

        from core.prompting.models import load, opened
        from core.runtime import get_model

        torch.set_num_threads(1)
        _worker_lm = load(model) if model else get_model(NAME)
        _worker_lm = opened(_worker_lm) if document_start else _worker_lm
    return measure(_worker_lm, cell, n, k, quoted)


def run_all(
    model: str | None,
    n: int,
    k: int,
    workers: int = 1,
    log: Callable[[str], None] = print,
    chains: str = "plain",
    document_start: bool = False,
) -> dict:
    """Every measurement the claim check reads, as right/wrong strings per cell (and, for flipped labels, what each
    reply did), on `workers` processes; the worked examples' chains `plain` or `quoted` (`Problem.quoted_chain`);
    with `document_start`, every prompt read after the end-of-text token (`models.opened`)."""
    from concurrent.futures import ProcessPoolExecutor

    todo = cells()
    quoted = choice(chains, "chains", CHAINS) == "quoted"
    with ProcessPoolExecutor(workers) as pool:
        futures = [pool.submit(_measure_in_worker, model, cell, n, k, quoted, document_start) for cell in todo]
        measured, modes = {}, {}
        for cell, future in zip(todo, futures, strict=True):
            measured[cell], modes[cell] = future.result()
            log(f"{' '.join(cell)}: {measured[cell].count('1') / n:.0%}")
    families: dict = {}
    for task in FAMILIES:
        families[task] = {}
        for length_set in LENGTH_SETS:
            problems = held_out_problems(task, n, lengths_of(task, length_set))
            cell = {"chance": chance(problems), "lengths": [p.length for p in problems]}
            cell["modes"] = {st: modes[(task, length_set, st)] for st in STRATEGIES}
            families[task][length_set] = cell | {st: measured[(task, length_set, st)] for st in STRATEGIES}
    wordings = {
        task: {"corpus": families[task]["multi-step"]["few-shot-cot"]}
        | {w: measured[(task, f"wording:{w}", "few-shot-cot")] for w in family.held_out}
        | {INVENTED: measured[(task, f"wording:{INVENTED}", "few-shot-cot")]}
        for task, family in FAMILIES.items()
    }
    return {
        "n": n,
        "k": k,
        "command": f"python -m core.prompting.evaluate --n {n} --k {k}"
        + (" --chains quoted" if quoted else "")
        + (" --document-start" if document_start and model else ""),
        "families": families,
        "wordings": wordings,
        "unrelated_labels": {str(kk): measured[("labels", str(kk))] for kk in LABEL_KS},
        "label_kinds": [p.kind for p in probes("labels", 0, n)],
        "trained_labels": {str(kk): measured[("labels-trained", str(kk))] for kk in LABEL_KS},
        "unrelated_labels_new_layout": {str(kk): measured[("labels-new-layout", str(kk))] for kk in LABEL_KS},
        "layouts": {name: measured[(f"layout:{name}", str(LAYOUT_K))] for name in ALL_LAYOUTS},
        "word_mapping": {str(kk): measured[("mapping", str(kk))] for kk in MAPPING_KS},
        "word_mapping_new_layout": {str(kk): measured[("mapping-new-layout", str(kk))] for kk in MAPPING_KS},
        "flipped_labels": {str(kk): measured[("flipped", str(kk))] for kk in FLIPPED_KS},
        "flipped_outcomes": {str(kk): modes[("flipped", str(kk))] for kk in FLIPPED_KS},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200, help="questions per cell")
    parser.add_argument("--k", type=int, default=4, help="worked examples in few-shot prompts")
    parser.add_argument("--workers", type=int, default=2, help="processes, one thread each")
    parser.add_argument("--model", default=None, help="a model folder instead of the bundled model")
    parser.add_argument("--write", action="store_true", help=f"store the results in {EVALUATION_FILE.name}")
    parser.add_argument("--out", type=Path, default=EVALUATION_FILE, help="where --write stores them")
    parser.add_argument(
        "--chains",
        choices=CHAINS,
        default="plain",
        help="worked examples' chains: plain, or quoted (each step opens with the sentence it reads)",
    )
    parser.add_argument(
        "--document-start",
        action="store_true",
        help="read every prompt of a --model folder after the end-of-text token, as a document of the training "
        "stream is read (the bundled model always is)",
    )
    args = parser.parse_args(argv)

    from core.prompting.claims import claims_table, curve_table, flipped_table, layout_table, wording_table

    began = time.monotonic()
    results = run_all(args.model, args.n, args.k, args.workers, chains=args.chains, document_start=args.document_start)
    results["seconds"] = round(time.monotonic() - began)
    print(claims_table(results))
    print()
    print(curve_table(results))
    print()
    print(layout_table(results))
    print()
    print(wording_table(results))
    print()
    print(flipped_table(results))
    print(f"\n{args.n} questions per cell, k = {args.k}, {results['seconds']} s")
    if args.write:
        args.out.write_text(json.dumps(results, indent=1))


def as_rows(report: Report) -> list[dict]:
    return [asdict(item) for item in report.items]


if __name__ == "__main__":
    main()
