"""Prompting lab: zero-shot, few-shot and chain-of-thought prompts on a small model trained here
and on real LLMs (Wei et al. 2022). UI only; the lab's logic lives in `core.prompting`."""

import gradio as gr

from apps.deep_links import link_inputs
from apps.hosting import family_line, model_line
from core.prompting import models  # noqa: F401 - registers the lab model (its menu default is read below)
from core.prompting.api import api_evaluate, api_generate, api_in_context, api_own_prompt
from core.prompting.choices import BUNDLED, NAME, SOURCES, with_tuned
from core.prompting.evaluation_run import RUNNING, evaluate_uses, stopped, wrong_answer
from core.prompting.in_context import LABEL_KS, default_ks, k_choices
from core.prompting.k_curve import PROBES, TARGET_NOTE, example_probe
from core.prompting.pages import exemplars_markdown
from core.prompting.prompts import MAX_K, STRATEGIES
from core.prompting.questions import MAX_LENGTH, TASK_CHOICES, describe_problem, prompt_for
from core.runtime import default_source
from core.runtime.registry import model_menu

TITLE = "Prompting lab"
STRATEGY_CHOICES = [(label, key) for key, label in STRATEGIES.items()]
LENGTH_SETS = [
    ("Multi-step, trained", "multi-step"),
    ("All trained lengths", "trained"),
    ("Longer than trained", "longer"),
    ("All", "all"),
]
OWN_PROMPT = (
    "A coin is heads up. Ka flips the coin. Is the coin still heads up? -> omega\n"
    "A coin is heads up. Sherrie does not flip the coin. Is the coin still heads up? -> alpha\n"
    "A coin is heads up. Jamey flips the coin. Teressa flips the coin. Is the coin still heads up? -> alpha\n"
    "A coin is heads up. Maybelle flips the coin. Is the coin still heads up? -> omega\n"
    "A coin is heads up. Shalonda does not flip the coin. Is the coin still heads up? -> alpha\n"
    "A coin is heads up. Millicent flips the coin. Conception does not flip the coin. Is the coin still heads up? "
    "-> omega\n"
    "A coin is heads up. Sal flips the coin. Raymond does not flip the coin. Is the coin still heads up? ->"
)
DEFAULT_SOURCE = default_source(NAME)  # "bundled", or the hub model a GPU Space sets in GENAI_MODEL_LAB_LM


def model_dropdown(label: str, **layout) -> gr.Dropdown:
    """A menu of the lab's models that also takes any hub id."""
    return gr.Dropdown(
        with_tuned(model_menu(NAME, SOURCES)), value=DEFAULT_SOURCE, label=label, allow_custom_value=True, **layout
    )


def on_generate(task, length, question_seed, prompt, source, chat, max_new_tokens, temperature, top_k, top_p, seed):
    from core.prompting.replies import graded_reply
    from core.prompting.tokens_html import render

    graded = graded_reply(
        task, length, question_seed, prompt, source, chat, max_new_tokens, temperature, top_k, top_p, seed
    )
    return render(graded.generation), graded.verdict


def on_compare(task, length, question_seed, k, exemplar_source, chat, max_new_tokens, *sides):
    from core.prompting.replies import side_by_side
    from core.prompting.tokens_html import render

    a, b = side_by_side(task, length, question_seed, k, exemplar_source, chat, max_new_tokens, sides)
    return render(a.generation), a.verdict, render(b.generation), b.verdict


def on_evaluate(task, strategies, n, length_set, k, source, chat, progress=gr.Progress()):
    """The table after every batch of answers, so that Stop or the time limit leaves what was answered, marked."""
    from core.prompting.evaluation_run import evaluation_views

    yield f"{RUNNING} the table fills in as questions are answered.", [], None, None, gr.update(choices=[]), None
    for view in evaluation_views(task, strategies, n, length_set, k, source, chat, progress):
        first = view.wrong[0][1] if view.wrong else None
        yield view.note, view.table, view.bars, view.curve, gr.update(choices=view.wrong, value=first), view.reports


def on_in_context(probe, ks, n, progress=gr.Progress()):
    from core.prompting.k_curve import k_curve

    curve = k_curve(probe, ks, n, progress)
    return curve.rows, curve.chart


def on_own_prompt(prompt: str):
    from core.prompting.charts import label_split
    from core.prompting.own_prompt import describe, measure
    from core.prompting.replies import language_model

    report = measure(language_model(BUNDLED), prompt)
    return describe(report), label_split(report.label_probs)


def probe_controls(probe: str, k: int):
    """The k boxes and the example slider of a probe, offering only the k that probe takes."""
    from core.prompting.k_curve import k_controls

    c = k_controls(probe, k)
    return gr.CheckboxGroup(choices=c.choices, value=c.ticked), gr.Slider(minimum=c.low, maximum=c.high, value=c.value)


def claim_check():
    from core.prompting.pages import claim_page

    page = claim_page()
    if page is None:
        return "No stored evaluation yet.", None, None, None
    return page.text, page.by_k, page.coin_flip, page.arithmetic


with gr.Blocks(title=TITLE) as demo:
    gr.Markdown(f"# {TITLE}")
    gr.Markdown(
        "In-context learning uses a model *out of the box*: **zero-shot** it answers from what it has learned, "
        "**few-shot** a few worked examples in the prompt show the task, and **chain-of-thought** examples "
        "show the reasoning steps. The bundled model is a small *base* model, a 2.2 M-parameter Llama-style decoder pre-trained "
        "here on generated documents whose formats and answer words vary at random, so only a prompt's examples say "
        "how to answer. Pick a hub base or instruct model to see what instruction tuning changes (GPU)."
    )
    gr.Markdown(f"{model_line(NAME)} {family_line()}")
    with gr.Row():
        source = model_dropdown("Model", scale=2)
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
                source_a = model_dropdown("Model A")
            with gr.Column():
                strategy_b = gr.Dropdown(STRATEGY_CHOICES, value="few-shot-cot", label="Strategy B")
                source_b = model_dropdown("Model B")
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
            "Tasks the model can only do by reading its prompt, built from answer words and layouts that its "
            "pre-training corpus never uses. **Held-out answer words**: a coin flip whose answers are two words "
            "drawn for every prompt (`alpha`/`omega`, `#`/`@`, `Paris`/`Tokyo`, `ice cream`/`hot dog`, `404`/`777`, "
            "`wug`/`dax`); nothing names them but the examples, so with none the model cannot know either (Wei et "
            "al. 2023). **Word mapping**: names paired with such words, then one name again; to answer, the model "
            "must copy what followed that name earlier, which is what an induction head does. **Flipped labels**: "
            "examples that say `yes` for tails (Wei et al. 2023 find that small models keep their prior). Half of "
            "the questions have the flipped answer `yes` and half `no`; the chart's second line is how often the model "
            "gives the coin's true side instead. Given examples, the bundled model answers `no` to every question: it "
            "follows them on one half and keeps its prior on the other, so it does neither."
        )
        with gr.Accordion("Your own prompt: does the model read it?", open=True):
            gr.Markdown(
                "Write a few examples in any layout, with any answer words, one per line (or separated by blank "
                "lines), and end the last line where its answer goes. The lab finds the layout from your prompt, "
                "answers your last line, and hides each example in turn to see whether the others teach it."
            )
            own_prompt = gr.Textbox(OWN_PROMPT, lines=8, label="Your few-shot prompt", max_length=6000)
            own_btn = gr.Button("Measure my prompt", variant="primary")
            own_result = gr.Markdown()
            own_split = gr.Plot(label="Probability of each of your answer words at the last line")
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
    build_btn.click(prompt_for, [*problem_inputs, strategy, k, exemplar_source], prompt, api_name="build_prompt")
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
    wrong.change(wrong_answer, [wrong, reports], wrong_text, api_name="show_wrong")
    probe.change(probe_controls, [probe, probe_example_k], [probe_ks, probe_example_k], api_visibility="private")
    probe_example_btn.click(example_probe, [probe, probe_example_k], probe_example, api_name="example_probe")
    probe_btn.click(on_in_context, [probe, probe_ks, probe_n], [probe_table, probe_curve], api_name="in_context_ui")
    own_btn.click(on_own_prompt, own_prompt, [own_result, own_split], api_name="own_prompt_ui")
    demo.load(claim_check, None, [claims, claims_k, claims_coin, claims_arithmetic], api_name="claims")
    gr.api(api_generate, api_name="generate")
    gr.api(api_evaluate, api_name="evaluate")
    gr.api(api_in_context, api_name="in_context")
    gr.api(api_own_prompt, api_name="own_prompt")

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
        "own_prompt": own_prompt,
    },
)


if __name__ == "__main__":
    from apps.serving import launch

    launch(demo, "prompting")
