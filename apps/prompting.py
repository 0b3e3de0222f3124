"""Prompting lab: zero-shot, few-shot and chain-of-thought prompts on a small model trained here
and on real LLMs (Wei et al. 2022). UI only; the model layer lives in `core.prompting`."""

import random
import re
from html import escape

import gradio as gr

from apps.deep_links import link_inputs
from apps.errors import user_errors
from apps.hosting import model_line
from core.prompting import models  # noqa: F401 - registers the lab model (its menu default is read below)
from core.prompting.choices import BUNDLED, NAME, SOURCES
from core.prompting.exemplars import EXEMPLARS, SOURCE
from core.prompting.in_context import LABEL_KS, MAX_MAPPING_K, default_ks, k_choices
from core.prompting.in_context import chance as probe_chance
from core.prompting.prompts import MAX_K, STRATEGIES, build_prompt, check_k
from core.prompting.tasks import Problem, sample
from core.prompting.tasks.families import FAMILIES
from core.runtime import default_source
from core.runtime.limits import Deadline
from core.runtime.registry import model_menu
from core.runtime.seeding import MAX_SEED
from core.runtime.validate import MAX_MODEL_CHARS, choice, shown, text, whole_number

TITLE = "Prompting lab"
TASK_CHOICES = [(f.title, f.name) for f in FAMILIES.values()]
STRATEGY_CHOICES = [(label, key) for key, label in STRATEGIES.items()]
LENGTH_SETS = [
    ("Multi-step, trained", "multi-step"),
    ("All trained lengths", "trained"),
    ("Longer than trained", "longer"),
    ("All", "all"),
]
MAX_LENGTH = max(max(f.longer_lengths) for f in FAMILIES.values())
PROBES = [
    ("Coin flip with unrelated answer words", "labels"),
    ("Word mapping, fresh pairs in the roster layout of pre-training", "mapping"),
    ("Word mapping in a layout never seen (Ann = fox.)", "mapping-new-layout"),
]
API_K = 4  # worked examples in the few-shot prompts of the /evaluate API, as in the README table
FEWER_QUESTIONS = "ask for fewer questions or strategies"
RUNNING = "**Running:**"  # the start of the Evaluate note while a run goes on
PARTIAL = "The table shows the questions answered until then (Asked); strategies not reached are missing."
DEFAULT_SOURCE = default_source(NAME)  # "bundled", or the hub model a GPU Space sets in GENAI_MODEL_LAB_LM


def language_model(source: str):
    """The lab model from the registry; a clear message when it cannot be loaded."""
    from core.runtime import get_model

    with user_errors():
        return get_model(NAME, source or BUNDLED)


def problem_for(task: str, length: int, question_seed: int) -> Problem:
    with user_errors():
        family = FAMILIES[choice(task, "task", FAMILIES)]
        length = whole_number(length, "problem length", 1, MAX_LENGTH)
        question = whole_number(question_seed, "question number", 0, MAX_SEED)
        return sample(family, random.Random(question), length, "test")


def describe_problem(task: str, length: int, question_seed: int) -> str:
    problem = problem_for(task, length, question_seed)
    family = FAMILIES[task]
    trained = "a trained length" if problem.length in family.train_lengths else "**longer than any trained one**"
    return (
        f"**Question** ({problem.length} {family.length_unit}, {trained}): {problem.question}\n\n"
        f"**Ground truth:** `{problem.answer}`"
    )


def build(task: str, length: int, question_seed: int, strategy: str, k: int, exemplar_source: str) -> str:
    with user_errors():
        return build_prompt(problem_for(task, length, question_seed), strategy, k, exemplar_source)


def run_generation(prompt, source, chat, max_new_tokens, temperature, top_k, top_p, seed):
    from core.prompting.generate import MAX_NEW_TOKENS, generate

    with user_errors():
        if not isinstance(prompt, str):
            raise ValueError(
                f"prompt must be text, got {shown(prompt)}: build one with 'Build prompt' or type 'Q: ...'"
            )
        max_new_tokens = whole_number(max_new_tokens, "max_new_tokens", 1, MAX_NEW_TOKENS)
        return generate(language_model(source), prompt, max_new_tokens, temperature, top_k, top_p, seed, chat)


def verdict(prompt: str, reply: str, truth: str) -> str:
    from core.prompting.answers import extract, is_correct, with_lead

    text = with_lead(prompt, reply)
    answer = extract(text)
    if answer is None:
        return f'No answer found: the reply never says "the answer is". Ground truth: `{truth}`.'
    mark = "**right**" if is_correct(text, truth) else "**wrong**"
    return f"Extracted answer: `{answer}`: {mark} (ground truth `{truth}`)."


def on_generate(task, length, question_seed, prompt, source, chat, max_new_tokens, temperature, top_k, top_p, seed):
    from core.prompting.tokens_html import render

    generation = run_generation(prompt, source, chat, max_new_tokens, temperature, top_k, top_p, seed)
    truth = problem_for(task, length, question_seed).answer
    return render(generation), verdict(prompt, generation.text, truth)


def on_compare(task, length, question_seed, k, exemplar_source, chat, max_new_tokens, *sides):
    from core.prompting.tokens_html import render

    truth = problem_for(task, length, question_seed).answer
    with user_errors():
        for side, (strategy, source) in zip("AB", (sides[:2], sides[2:]), strict=True):
            choice(strategy, f"strategy {side}", STRATEGIES)
            text(source, f"model {side}", max_chars=MAX_MODEL_CHARS, example=BUNDLED, allow_empty=True)
    outputs = []
    for strategy, source in (sides[:2], sides[2:]):
        prompt = build(task, length, question_seed, strategy, k, exemplar_source)
        generation = run_generation(prompt, source, chat, max_new_tokens, 0.0, 0, 1.0, 0)
        header = f"**{STRATEGIES[strategy]}** on `{source}`\n\n"
        outputs += [render(generation), header + verdict(prompt, generation.text, truth)]
    return outputs


def evaluation_steps(task, strategies, n, length_set, k, source, chat, progress=None):
    """Check the settings, then yield (the strategies' reports so far, the chance baseline) after every batch of
    answers: the last strategy's report covers the questions it has answered."""
    from core.prompting.evaluate import MAX_N, chance, evaluate_in_batches, held_out_problems, lengths_of

    if not strategies:
        raise gr.Error("no strategies chosen: tick at least one, e.g. zero-shot and few-shot chain-of-thought")
    with user_errors():
        problems = held_out_problems(task, whole_number(n, "n", 1, MAX_N), lengths_of(task, length_set))
        k = check_k(k)
    lm = language_model(source)
    done = []
    for i, strategy in enumerate(strategies):
        with user_errors():
            for report in evaluate_in_batches(lm, problems, strategy, k=k, chat=chat):
                answered = len(report.items)
                if progress is not None:  # a gr.Progress is falsy (its len is 0 until it tracks an iterable)
                    total = len(strategies) * len(problems)
                    progress(
                        (i * len(problems) + answered, total),
                        desc=f"{STRATEGIES[strategy]}: {answered}/{len(problems)}",
                    )
                yield [*done, report], chance(problems)
        done.append(report)


def run_evaluation(task, strategies, n, length_set, k, source, chat):
    """Every strategy's report on all n questions, and the chance baseline."""
    from core.runtime.limits import time_limited

    with user_errors():
        *_, (reports, baseline) = time_limited(
            evaluation_steps(task, strategies, n, length_set, k, source, chat), FEWER_QUESTIONS
        )
    return reports, baseline


def evaluation_outputs(task, reports, baseline, note):
    """The Evaluate tab's note, table, charts, wrong-answer menu and stored reports."""
    from core.prompting.charts import accuracy_bars, accuracy_by_length

    table = [
        [STRATEGIES[r.strategy], f"{r.accuracy:.0%}", sum(i.correct for i in r.items), len(r.items)] for r in reports
    ]
    table.append(["Chance (most common answer)", f"{baseline:.0%}", "", ""])
    wrong = [
        (f"{STRATEGIES[r.strategy]} #{j + 1}: {item.question[:70]}", f"{r.strategy}:{j}")
        for r in reports
        for j, item in enumerate(r.items)
        if not item.correct
    ]
    bars = accuracy_bars({r.strategy: r.accuracy for r in reports}, baseline)
    curve = accuracy_by_length(task, {r.strategy: r.accuracy_by_length() for r in reports})
    stored = {r.strategy: r for r in reports}
    return note, table, bars, curve, gr.update(choices=wrong, value=wrong[0][1] if wrong else None), stored


def on_evaluate(task, strategies, n, length_set, k, source, chat, progress=gr.Progress()):  # noqa: B008 - Gradio fills it in
    """The table after every batch of answers, so that Stop or the time limit leaves what was answered, marked."""
    from core.runtime.limits import TooLong

    yield f"{RUNNING} the table fills in as questions are answered.", [], None, None, gr.update(choices=[]), None
    deadline = Deadline(FEWER_QUESTIONS)
    for reports, baseline in evaluation_steps(task, strategies, n, length_set, k, source, chat, progress):
        try:
            deadline.check()
        except TooLong as err:
            yield evaluation_outputs(task, reports, baseline, f"**Stopped:** {err}. {PARTIAL}")
            return
        latest = reports[-1]
        note = f"{RUNNING} {len(latest.items)} questions of {STRATEGIES[latest.strategy]} answered; Stop keeps them."
        yield evaluation_outputs(task, reports, baseline, note)
    yield evaluation_outputs(task, reports, baseline, "")


def stopped(note: str) -> str:
    """The note of a run that Stop ended: what the table shows."""
    return f"**Stopped** by you. {PARTIAL}" if note.startswith(RUNNING) else note


def show_wrong(choice, stored) -> str:
    if not choice or not stored:
        return ""
    strategy, index = choice.rsplit(":", 1)
    item = stored[strategy].items[int(index)]
    return (
        f"Ground truth: {item.truth}\nExtracted: {item.predicted}\n\n--- prompt ---\n{item.prompt}"
        f"\n\n--- generation ---\n{item.generation}"
    )


def api_generate(prompt: str, max_new_tokens: int = 200, temperature: float = 0.0, seed: int = 0) -> str:
    """Generate with the bundled model; returns the generated text."""
    return run_generation(prompt, BUNDLED, True, max_new_tokens, temperature, 0, 1.0, seed).text


def api_evaluate(task: str, strategy: str, n: int = 20) -> dict:
    """Accuracy of the bundled model on the first n held-out questions of `task` at its multi-step trained
    lengths (the README's cells), with k = 4 examples in few-shot prompts, and each item."""
    from core.prompting.evaluate import as_rows

    with user_errors():
        strategy = choice(strategy, "strategy", STRATEGIES)
    (report,), baseline = run_evaluation(task, [strategy], n, "multi-step", API_K, BUNDLED, True)
    return {"accuracy": report.accuracy, "chance": baseline, "items": as_rows(report)}


def measure_in_context(probe: str, ks: list, n: int, progress=None) -> dict:
    """Accuracy of the bundled model against k for one in-context probe: {k: right/wrong string}."""
    from core.prompting.evaluate import MAX_N, probe_bits

    with user_errors():
        probe = choice(probe, "probe", dict(PROBES).values())
        n = whole_number(n, "n", 1, MAX_N)
        if not isinstance(ks, list | tuple) or not ks:
            raise ValueError("no worked examples (k) chosen: tick at least one number, e.g. 0 and 4")
        ks = sorted({whole_number(k, "k", 0, MAX_MAPPING_K) for k in ks})
        if probe != "labels" and ks[0] < 1:
            raise ValueError(f"the word mapping needs k from 1 to {MAX_MAPPING_K} pairs: k = 0 leaves nothing to copy")
        if probe == "labels" and ks[-1] > max(LABEL_KS):
            raise ValueError(f"the coin flip takes k from 0 to {max(LABEL_KS)} worked examples")
    lm = language_model(BUNDLED)
    bits = {}
    for i, k in enumerate(ks):
        if progress is not None:  # a gr.Progress is falsy (its len is 0 until it tracks an iterable)
            progress((i, len(ks)), desc=f"k = {k}: {i} of {len(ks)} done")
        with user_errors():
            bits[k] = probe_bits(lm, probe, k, n)
    return bits


def on_in_context(probe, ks, n, progress=gr.Progress()):  # noqa: B008 - Gradio fills it in
    from core.prompting.charts import accuracy_by_k
    from core.prompting.claims import LABEL_TARGET, accuracy

    bits = measure_in_context(probe, ks, n, progress)
    name = {key: label for label, key in PROBES}[probe]
    curve = {k: accuracy(b) for k, b in bits.items()}
    chance = {k: probe_chance(probe, k) for k in bits}
    rows = [
        [k, f"{e.effect:.0%}", f"[{e.low:.0%}, {e.high:.0%}]", chance_cell(chance[k]), e.n] for k, e in curve.items()
    ]
    return rows, accuracy_by_k({name: curve}, {name: chance}, LABEL_TARGET)


TARGET_NOTE = (
    'The dashed **target** line is the accuracy that the claim "with 8 examples the unrelated-label accuracy '
    'reaches ..." asks for (tab *What the numbers show*): above it, the examples were read, not guessed.'
)


def chance_cell(chance: float) -> str:
    """A guess's accuracy; with one pair in the prompt (k = 1) its only word is always right, so say why."""
    return f"{chance:.0%} (only one word to copy)" if chance == 1 else f"{chance:.0%}"


def evaluate_uses(task: str, k: int) -> str:
    """The settings Evaluate takes from the first tab, shown beside its button."""
    title = dict((key, label) for label, key in TASK_CHOICES).get(task, task)
    return (
        f"Uses the first tab's task (**{title}**), model, and **k = {int(k)}** worked examples for the few-shot "
        "strategies."
    )


def example_probe(probe: str, k: int) -> str:
    from core.prompting.in_context import probes

    with user_errors():
        probe = choice(probe, "probe", dict(PROBES).values())
        item = probes(probe, whole_number(k, "k", 0, MAX_MAPPING_K), 1)[0]
    return f"{item.prompt}\n\n(expected: {item.truth})"


def probe_controls(probe: str, k: int):
    """The k boxes and the example slider of a probe, offering only the k that probe takes."""
    with user_errors():
        probe = choice(probe, "probe", dict(PROBES).values())
        k = whole_number(k, "k", 0, MAX_MAPPING_K)
    ks = k_choices(probe)
    return (
        gr.CheckboxGroup(choices=list(ks), value=list(default_ks(probe))),
        gr.Slider(minimum=ks[0], maximum=ks[-1], value=min(max(k, ks[0]), ks[-1])),
    )


def api_in_context(probe: str = "labels", k: int = 4, n: int = 20) -> dict:
    """Accuracy of the bundled model on n in-context probes ("labels": coin flips with unrelated answer
    words; "mapping": a fresh word mapping in the roster layout of pre-training; "mapping-new-layout": the
    same in a layout never seen) with k worked examples."""
    (bits,) = measure_in_context(probe, [k], n).values()
    return {"accuracy": bits.count("1") / len(bits), "chance": probe_chance(probe, int(k)), "n": len(bits)}


def claim_check():
    from core.prompting.charts import accuracy_by_k, accuracy_by_length
    from core.prompting.claims import (
        LABEL_ROW,
        LABEL_TARGET,
        accuracy,
        by_length,
        claims,
        claims_table,
        curve_table,
        k_curves,
        load,
    )

    results = load()
    if results is None:
        return "No stored evaluation yet.", None, None, None
    checked = "\n".join(f"- **{c.verdict}**: {c.line()}" for c in claims(results))
    text = (
        f"Measured on the bundled base model ({results['n']} held-out questions per cell, greedy decoding, "
        f"k = {results['k']} worked examples in few-shot prompts). Every accuracy has its 95% Wilson interval; "
        "every claim is a paired comparison on the same questions (Newcombe interval, McNemar's exact test), "
        "and it **holds** only when the interval excludes no effect.\n\n"
        f"{checked}\n\n### Accuracy per strategy\n\n{claims_table(results)}\n\n"
        f"### Accuracy against the number of examples\n\n{curve_table(results)}"
    )
    bits = k_curves(results)  # the rows of the table above, one line each
    curves = {title: {k: accuracy(b) for k, b in curve.items()} for title, curve in bits.items()}
    chances = {
        title: {k: probe_chance("labels" if title == LABEL_ROW else "mapping", k) for k in curve}
        for title, curve in bits.items()
    }
    return (
        text,
        accuracy_by_k(curves, chances, LABEL_TARGET),
        accuracy_by_length("coin_flip", by_length(results, "coin_flip")),
        accuracy_by_length("arithmetic", by_length(results, "arithmetic")),
    )


def plain_math(text: str) -> str:
    """The notes' inline LaTeX as plain text: `$5 + 6 = 11$` -> `5 + 6 = 11`."""
    return re.sub(r"\$([^$]+)\$", r"\1", text)


def exemplars_markdown() -> str:
    # preformatted, but the long lines wrap: readable on a phone and a projector without scrolling each block
    blocks = [
        f'**{e.family}**\n\n<pre style="white-space: pre-wrap">{escape(plain_math(e.text))}</pre>' for e in EXEMPLARS
    ]
    return f"Source: {SOURCE}.\n\n" + "\n\n".join(blocks)


with gr.Blocks(title=TITLE) as demo:
    gr.Markdown(f"# {TITLE}")
    gr.Markdown(
        "In-context learning uses a model *out of the box*: **zero-shot** it answers from what it has learned, "
        "**few-shot** a few worked examples in the prompt show the task, and **chain-of-thought** examples "
        "show the reasoning steps. The bundled model is a small *base* model, a 2.2 M-parameter Llama-style decoder pre-trained "
        "here on generated documents whose formats and answer words vary at random, so only a prompt's examples say "
        "how to answer. Pick a hub base or instruct model to see what instruction tuning changes (GPU)."
    )
    gr.Markdown(model_line(NAME))
    with gr.Row():
        source = gr.Dropdown(
            model_menu(NAME, SOURCES), value=DEFAULT_SOURCE, label="Model", allow_custom_value=True, scale=2
        )
        chat = gr.Checkbox(value=True, label="Use the model's chat template (if it has one)")
    with gr.Row():
        task = gr.Dropdown(TASK_CHOICES, value="coin_flip", label="Task family")
        length = gr.Slider(1, MAX_LENGTH, value=3, step=1, label="Problem length (people, words, steps)")
        question_seed = gr.Number(value=0, precision=0, label="Question number")
    problem_md = gr.Markdown(describe_problem("coin_flip", 3, 0))

    with gr.Tab("Prompt and generate", id="generate") as generate_tab:
        with gr.Row():
            strategy = gr.Radio(STRATEGY_CHOICES, value="few-shot-cot", label="Strategy")
            k = gr.Slider(1, MAX_K, value=4, step=1, label="Worked examples (k)")
            exemplar_source = gr.Radio(
                [("Generated", "generated"), ("Notes' exemplar first", "notes")], value="generated", label="Examples"
            )
        build_btn = gr.Button("Build prompt")
        prompt = gr.Textbox(label="Prompt (editable)", lines=10, max_lines=30)
        with gr.Accordion("Sampling", open=False):
            with gr.Row():
                temperature = gr.Slider(0, 2, value=0, step=0.05, label="Temperature (0 = greedy)")
                top_k = gr.Slider(0, 100, value=0, step=1, label="Top-k (0 = off)")
                top_p = gr.Slider(0.05, 1, value=1, step=0.05, label="Top-p (1 = off)")
                max_new_tokens = gr.Slider(1, 600, value=300, step=1, label="Max new tokens")
                seed = gr.Number(value=0, precision=0, label="Seed")
        generate_btn = gr.Button("Generate", variant="primary")
        tokens_out = gr.HTML(label="Generation")
        verdict_md = gr.Markdown()

    with gr.Tab("Side by side", id="compare"):
        gr.Markdown("The same question under two strategies, or on two models (greedy decoding).")
        with gr.Row():
            with gr.Column():
                strategy_a = gr.Dropdown(STRATEGY_CHOICES, value="zero-shot", label="Strategy A")
                source_a = gr.Dropdown(
                    model_menu(NAME, SOURCES), value=DEFAULT_SOURCE, label="Model A", allow_custom_value=True
                )
            with gr.Column():
                strategy_b = gr.Dropdown(STRATEGY_CHOICES, value="few-shot-cot", label="Strategy B")
                source_b = gr.Dropdown(
                    model_menu(NAME, SOURCES), value=DEFAULT_SOURCE, label="Model B", allow_custom_value=True
                )
        compare_btn = gr.Button("Compare", variant="primary")
        with gr.Row():
            with gr.Column():
                verdict_a = gr.Markdown()
                tokens_a = gr.HTML()
            with gr.Column():
                verdict_b = gr.Markdown()
                tokens_b = gr.HTML()

    with gr.Tab("Evaluate", id="evaluate"):
        with gr.Row():
            eval_strategies = gr.CheckboxGroup(STRATEGY_CHOICES, value=list(STRATEGIES), label="Strategies")
            n = gr.Slider(5, 200, value=10, step=5, label="Questions per strategy (N)")
            length_set = gr.Radio(LENGTH_SETS, value="multi-step", label="Problem lengths")
        with gr.Row():
            evaluate_btn = gr.Button("Run evaluation", variant="primary", scale=3)
            evaluate_stop = gr.Button("Stop", variant="stop", scale=1)
        evaluate_settings = gr.Markdown(evaluate_uses(task.value, k.value))
        evaluate_note = gr.Markdown()
        accuracy_table = gr.Dataframe(headers=["Strategy", "Accuracy", "Right", "Asked"], label="Accuracy")
        with gr.Row():
            bars = gr.Plot(label="Accuracy per strategy")
            curve = gr.Plot(label="Accuracy against problem length")
        wrong = gr.Dropdown([], label="Wrong answers: open one to see its generation")
        wrong_text = gr.Textbox(label="Prompt and generation", lines=12)
        reports = gr.State()

    with gr.Tab("Learning from the prompt", id="in_context"):
        gr.Markdown(
            "Two tasks the model can only do by reading its prompt. **Unrelated answer words**: a coin flip whose "
            "answers are two fresh words (say `owl` for heads up, `7` for not), drawn for every prompt; the "
            "instruction names both, so zero-shot is a coin toss, and only the examples say which is which (Wei et "
            "al. 2023). **Word mapping**: names paired with fresh words, then one name again; to answer, the model "
            "must copy what followed that name earlier, which is what an induction head does. In the roster layout "
            "of pre-training (`Ann: fox.` lines, then `Again:`) the pairs are new; in `Ann = fox.` the layout is new too."
        )
        with gr.Row():
            probe = gr.Radio(PROBES, value="labels", label="Task")
            probe_ks = gr.CheckboxGroup(
                list(k_choices("labels")), value=list(default_ks("labels")), label="Worked examples (k)"
            )
            probe_n = gr.Slider(10, 200, value=40, step=10, label="Questions per k")
        with gr.Row():
            probe_example_k = gr.Slider(0, max(LABEL_KS), value=2, step=1, label="Show a prompt with k examples")
            probe_example_btn = gr.Button("Show a prompt")
        probe_example = gr.Textbox(label="A probe prompt and the answer its examples imply", lines=8)
        probe_btn = gr.Button("Measure accuracy against k", variant="primary")
        probe_table = gr.Dataframe(headers=["k", "Accuracy", "95% interval", "Chance", "Questions"], label="Accuracy")
        probe_curve = gr.Plot(label="Accuracy against the number of examples")
        gr.Markdown(TARGET_NOTE)

    with gr.Tab("What the numbers show", id="claims"):
        claims = gr.Markdown()
        with gr.Row():
            claims_k = gr.Plot(label="Accuracy against k (stored evaluation)")
        gr.Markdown(TARGET_NOTE)
        with gr.Row():
            claims_coin = gr.Plot(label="Coin flip: chain-of-thought vs answer-only, by length")
            claims_arithmetic = gr.Plot(label="Arithmetic: chain-of-thought vs answer-only, by length")

    with gr.Tab("The notes' exemplars", id="exemplars"):
        gr.Markdown(exemplars_markdown())

    problem_inputs = [task, length, question_seed]
    gr.on([c.change for c in problem_inputs], describe_problem, problem_inputs, problem_md, api_name="describe_problem")
    build_btn.click(build, [*problem_inputs, strategy, k, exemplar_source], prompt, api_name="build_prompt")
    generate_btn.click(
        on_generate,
        [*problem_inputs, prompt, source, chat, max_new_tokens, temperature, top_k, top_p, seed],
        [tokens_out, verdict_md],
        api_name="generate_tokens",
    )
    compare_btn.click(
        on_compare,
        [*problem_inputs, k, exemplar_source, chat, max_new_tokens, strategy_a, source_a, strategy_b, source_b],
        [tokens_a, verdict_a, tokens_b, verdict_b],
        api_name="compare",
    )
    evaluating = evaluate_btn.click(
        on_evaluate,
        [task, eval_strategies, n, length_set, k, source, chat],
        [evaluate_note, accuracy_table, bars, curve, wrong, reports],
        api_name="evaluate_ui",
    )
    evaluate_stop.click(stopped, evaluate_note, evaluate_note, cancels=[evaluating], api_visibility="private")
    gr.on([task.change, k.change], evaluate_uses, [task, k], evaluate_settings, api_visibility="private")
    wrong.change(show_wrong, [wrong, reports], wrong_text, api_name="show_wrong")
    probe.change(probe_controls, [probe, probe_example_k], [probe_ks, probe_example_k], api_visibility="private")
    probe_example_btn.click(example_probe, [probe, probe_example_k], probe_example, api_name="example_probe")
    probe_btn.click(on_in_context, [probe, probe_ks, probe_n], [probe_table, probe_curve], api_name="in_context_ui")
    demo.load(claim_check, None, [claims, claims_k, claims_coin, claims_arithmetic], api_name="claims")
    gr.api(api_generate, api_name="generate")
    gr.api(api_evaluate, api_name="evaluate")
    gr.api(api_in_context, api_name="in_context")

link_inputs(
    demo,
    {
        "tab": generate_tab.parent,
        "model": source,
        "chat": chat,
        "task": task,
        "length": length,
        "question": question_seed,
        "strategy": strategy,
        "k": k,
        "examples": exemplar_source,
        "prompt": prompt,
        "temperature": temperature,
        "top_k": top_k,
        "top_p": top_p,
        "max_new_tokens": max_new_tokens,
        "seed": seed,
        "strategy_a": strategy_a,
        "model_a": source_a,
        "strategy_b": strategy_b,
        "model_b": source_b,
        "strategies": eval_strategies,
        "n": n,
        "lengths": length_set,
    },
)


if __name__ == "__main__":
    from apps.serving import launch

    launch(demo)
