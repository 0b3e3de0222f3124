"""Transformer explorer: tokens, embeddings, positional encoding, every attention head of the encoder, the
decoder and the cross-attention between them, and generation one token at a time."""

import gradio as gr

from apps.deep_links import link_inputs
from apps.hosting import family_line
from core.attention.choices import BUNDLED_NAMES, LAB_LM, MODES, TRANSLATOR
from core.attention.choices import STACK_TITLES as STACK_LABELS
from core.attention.tables import HEAD_COLUMNS, TOKEN_COLUMNS, head_table, token_table
from core.runtime.seeding import check_seed

EXAMPLES = [
    ["the small red car sees a black dog", TRANSLATOR],
    ["the big green birds follow a white horse", TRANSLATOR],
    ["a pretty blue flower likes the white cats", TRANSLATOR],
    ["Q: A coin is heads up. Dan flips it. Is the coin still heads up?", LAB_LM],
    ["Ann likes fox.\nBob likes 7.\nCora likes red.\nDan likes owl.\nAgain:\nBob likes", LAB_LM],
]


def _open(model: str):
    from core.attention.models import open_transformer
    from core.runtime import ModelUnavailable

    try:
        return open_transformer(model)
    except (ModelUnavailable, ValueError, OSError) as err:
        raise gr.Error(str(err)) from None


def _stack_key(label: str) -> str:
    return next((k for k, v in STACK_LABELS.items() if v == label), label)


def attention(text: str, model: str):
    """Run the text through the model; draw tokens, one head, every head and the head labels."""
    from core.attention.extract import attention_view
    from core.attention.induction import head_to_open

    tf = _open(model)
    view = attention_view(tf, text)
    stacks = list(view.maps)
    stack = "cross" if "cross" in stacks else stacks[0]
    n_layers, n_heads = view.maps[stack].shape[:2]
    layer, head, note = 0, 0, ""
    if stack == "decoder":
        opening = head_to_open(tf, view)
        layer, head, note = opening.layer, opening.head, opening.note and f"\n\n{opening.note}"
    return (
        _status(tf, view) + note,
        token_table(view),
        *_draw(view, stack, layer, head),
        gr.Radio(choices=[STACK_LABELS[s] for s in stacks], value=STACK_LABELS[stack]),
        gr.Slider(minimum=0, maximum=n_layers - 1, value=layer, step=1),
        gr.Slider(minimum=0, maximum=n_heads - 1, value=head, step=1),
        view,
    )


def _status(tf, view) -> str:
    lines = [f"**{tf.kind}** with {sum(len(m) for m in view.maps.values())} attention layers."]
    if tf.kind == "encoder-decoder":
        lines.append(f"Translation: **{view.translation}**")
    if view.recomputation_error is not None:
        error = view.recomputation_error
        match = "exactly" if error == 0 else f"up to a rounding difference of {error:.1g}"
        lines.append(
            "The weights shown are recomputed here as softmax(QKᵀ/√d + mask) from the model's own queries and "
            f"keys; they match the model's attention {match}."
        )
    if view.message:
        lines.append(f"**Note:** {view.message}")
    return "\n\n".join(lines)


def _draw(view, stack: str, layer: int, head: int):
    from core.attention.charts import attention_heatmap, model_view
    from core.attention.head_patterns import label_heads

    maps = view.maps[stack]  # (L, nh, Tq, Tk)
    layer = min(int(layer), maps.shape[0] - 1)
    head = min(int(head), maps.shape[1] - 1)
    causal = stack == "decoder"
    queries, keys = view.query_tokens(stack), view.key_tokens(stack)
    title = f"{STACK_LABELS[stack]}, layer {layer}, head {head}"
    if stack == "cross":
        title += " (rows: the word being produced)"
    single = attention_heatmap(maps[layer, head].numpy(), queries, keys, title, causal=causal)
    grid = model_view(maps.numpy(), f"{STACK_LABELS[stack]}: every layer × head", causal=causal, selected=(layer, head))
    labels = label_heads(maps, stack, view.query_ids(stack), view.key_ids(stack))
    return single, grid, head_table(labels)


def redraw(view, stack_label: str, layer: float, head: float):
    """Show another stack, layer or head of the attention already computed."""
    if view is None:
        raise gr.Error("nothing to draw yet: type a sentence and press 'Look inside'")
    stack = _stack_key(stack_label)
    if stack not in view.maps:
        raise gr.Error(
            f"this model has no {stack_label}: choose one of {', '.join(STACK_LABELS[s] for s in view.maps)}"
        )
    return _draw(view, stack, layer, head)


def embeddings(text: str, model: str):
    """Token embeddings in 2-D and the positional encoding, formula against the model's own scheme."""
    from core.attention.charts import embedding_scatter, positional_tables
    from core.attention.embeddings import embedding_map
    from core.attention.inputs import encode
    from core.attention.positional import FORMULA, model_scheme, sinusoidal

    tf = _open(model)
    enc = encode(tf, text)
    ids = enc.ids[0].tolist()
    emb = embedding_map(tf, ids)
    d_model = tf.model.get_input_embeddings().weight.shape[1]
    scheme = model_scheme(tf, len(ids))
    note = f"**Formula:** `{FORMULA}` (d = {d_model}).\n\n**This model:** {scheme.note}."
    return (
        embedding_scatter(emb, enc.tokens, "token embeddings, PCA to 2-D"),
        positional_tables(sinusoidal(len(ids), d_model).numpy(), scheme, enc.tokens),
        note,
    )


def next_token(text: str, model: str, temperature: float) -> dict[str, float]:
    """The ten most likely next tokens (for a translator: the first word of the translation)."""
    from core.attention.generation import next_token as top_next

    return top_next(_open(model), text, temperature)


def generate(text: str, model: str, temperature: float, mode: str, seed: float):
    """Decode step by step; the step slider then walks through the generated tokens."""
    from core.attention.generation import decode

    decoding = decode(_open(model), text, temperature=temperature, mode=mode, seed=check_seed(seed))
    n = len(decoding.steps)
    warning = f"\n\n**Note:** {decoding.source.message}" if decoding.source.message else ""
    return (
        f"Generated {n} tokens:\n\n```\n{decoding.text}\n```{warning}",
        gr.Slider(minimum=1, maximum=max(n, 2), value=1, step=1, interactive=n > 1),
        decoding,
        *_draw_step(decoding, 1),
    )


def _draw_step(decoding, step: int):
    from core.attention.charts import step_attention, top_tokens

    s = decoding.steps[min(max(int(step), 1), len(decoding.steps)) - 1]
    bars = top_tokens(s.top_tokens, s.top_probs, f"step {int(step)}: next-token distribution, chose {s.token!r}")
    own = step_attention(
        s.self_attention.numpy(), s.context, f"what the position choosing {s.token!r} attends to (decoder)"
    )
    cross = None
    if s.cross_attention is not None:
        cross = step_attention(
            s.cross_attention.numpy(), decoding.source.tokens, f"cross-attention while choosing {s.token!r}"
        )
    return bars, own, cross


def show_step(decoding, step: float):
    if decoding is None:
        raise gr.Error("nothing generated yet: press 'Generate'")
    return _draw_step(decoding, step)


def ablate(text: str, model: str, stack_label: str, layer: float, head: float):
    """Remove one head and compare the output distributions (KL divergence)."""
    from core.attention.ablation import ablate as remove_head
    from core.attention.charts import kl_by_position, top_tokens
    from core.attention.extract import token_strings
    from core.attention.generation import TOP_K

    tf = _open(model)
    result = remove_head(tf, text, _stack_key(stack_label), layer, head)
    top = result.before.topk(TOP_K)
    worst = result.most_affected
    bars = top_tokens(
        token_strings(tf, top.indices.tolist()),
        top.values.tolist(),
        f"next-token distribution after position {worst}, where it moved most",
        compare=result.after[top.indices].tolist(),
    )
    summary = (
        f"Removing {stack_label} layer {int(layer)} head {int(head)}: mean KL(full ‖ ablated) = "
        f"**{result.mean_kl:.2e} nats**, largest {max(result.kl):.2e} nats at position {worst}."
    )
    return summary, kl_by_position(result.positions, result.kl, "KL divergence at each position"), bars


def ablate_every_head(text: str, model: str, stack_label: str):
    """Remove each head of the chosen attention in turn: which heads does the output depend on?"""
    from core.attention.ablation import kl_per_head
    from core.attention.charts import head_grid

    grid = kl_per_head(_open(model), text, _stack_key(stack_label))
    return head_grid(grid.numpy(), f"{stack_label}: mean KL when each head is removed", "KL (nats)")


with gr.Blocks(title="Transformer explorer") as demo:
    gr.Markdown("# Transformer explorer")
    gr.Markdown(
        "Look inside a running transformer: the text becomes tokens, each token an embedding plus a position; "
        "every layer's attention heads decide which words to read; the decoder adds cross-attention to the "
        "encoder and an output layer that predicts the next word, one word at a time, until the end token. "
        f"`{TRANSLATOR}` is an encoder-decoder trained here to translate a toy English into a French-like "
        f"language (colours move after the noun); `{LAB_LM}` is the prompting lab's decoder. "
        "Or type a hub id that returns attentions (gpt2, bert-base-uncased, t5-small)."
    )
    gr.Markdown(family_line())
    with gr.Row():
        text = gr.Textbox(label="Sentence", value=EXAMPLES[0][0], lines=1, max_lines=8, scale=3)
        model = gr.Dropdown(
            label="Model", choices=list(BUNDLED_NAMES), value=TRANSLATOR, allow_custom_value=True, scale=1
        )
        go = gr.Button("Look inside", variant="primary", scale=0)
    gr.Examples(EXAMPLES, [text, model])
    status = gr.Markdown()
    view = gr.State()
    decoding = gr.State()

    with gr.Tab("Attention"):
        with gr.Row():
            stack = gr.Radio(label="Attention", choices=list(STACK_LABELS.values()), value=STACK_LABELS["cross"])
            layer = gr.Slider(label="Layer", minimum=0, maximum=1, value=0, step=1)
            head = gr.Slider(label="Head", minimum=0, maximum=3, value=0, step=1)
        single = gr.Plot(label="Attention of one head")
        grid = gr.Plot(label="Model view: every layer × head")
        gr.Markdown(
            "**Each head looks for different patterns.** Share of each head's attention on the previous token, "
            "the first token, the same token, or (cross-attention) the source-target diagonal:"
        )
        patterns = gr.Dataframe(headers=HEAD_COLUMNS, label="Head patterns", interactive=False)
    with gr.Tab("Tokens"):
        tokens = gr.Dataframe(headers=TOKEN_COLUMNS, label="Tokens and ids", interactive=False)
    with gr.Tab("Embeddings and positions"):
        scatter = gr.Plot(label="Token embeddings (PCA)")
        positional_note = gr.Markdown()
        positional = gr.Plot(label="Positional encoding")
    with gr.Tab("Generation"):
        with gr.Row():
            temperature = gr.Slider(label="Temperature", minimum=0.05, maximum=2.0, value=1.0, step=0.05)
            mode = gr.Radio(label="Decoding", choices=list(MODES), value=MODES[0])
            seed = gr.Number(label="Seed", value=0, precision=0)
        with gr.Row():
            predict = gr.Button("Next token")
            run_generation = gr.Button("Generate", variant="primary")
        next_label = gr.Label(label="Next token: top 10", num_top_classes=10)
        generated = gr.Markdown()
        step = gr.Slider(label="Step", minimum=1, maximum=2, value=1, step=1, interactive=False)
        step_bars = gr.Plot(label="Next-token distribution at this step")
        step_self = gr.Plot(label="Attention of the generated token (decoder)")
        step_cross = gr.Plot(label="Attention of the generated token (cross-attention)")
    with gr.Tab("Head ablation"):
        gr.Markdown("Removes the head chosen on the Attention tab and measures how the output distribution changes.")
        with gr.Row():
            remove = gr.Button("Remove this head")
            remove_each = gr.Button("Remove each head in turn")
        kl = gr.Markdown()
        kl_positions = gr.Plot(label="KL divergence by position")
        compare = gr.Plot(label="Before and after")
        kl_heads = gr.Plot(label="KL divergence for every head")

    explore_outputs = [status, tokens, single, grid, patterns, stack, layer, head, view]
    gr.on([go.click, text.submit], attention, [text, model], explore_outputs, api_name="attention").then(
        embeddings, [text, model], [scatter, positional, positional_note], api_name="embeddings"
    )
    gr.on(
        [stack.input, layer.input, head.input],
        redraw,
        [view, stack, layer, head],
        [single, grid, patterns],
        api_name="attention_head",
    )
    predict.click(next_token, [text, model, temperature], next_label, api_name="next_token")
    run_generation.click(
        generate,
        [text, model, temperature, mode, seed],
        [generated, step, decoding, step_bars, step_self, step_cross],
        api_name="generate",
    )
    step.input(show_step, [decoding, step], [step_bars, step_self, step_cross], api_name="generation_step")
    remove.click(ablate, [text, model, stack, layer, head], [kl, kl_positions, compare], api_name="ablate")
    remove_each.click(ablate_every_head, [text, model, stack], kl_heads, api_name="ablate_every_head")
    link_inputs(demo, {"text": text, "model": model, "temperature": temperature, "decoding": mode, "seed": seed})


if __name__ == "__main__":
    from apps.serving import launch

    launch(demo, "transformer")
