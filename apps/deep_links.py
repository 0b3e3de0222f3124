"""Deep links: the URL's query string sets a demo's key inputs, so a course page can link to one exact setup.

A demo names its linkable inputs once, as the last line of its `with gr.Blocks() as demo:` block:

    link_inputs(demo, {"prompt": prompt, "strategy": strategy, "seed": seed})

Opening `/<demo>/?prompt=a+red+circle&strategy=zero-shot` then fills those inputs as the page loads. Each
value is checked against its component: a Radio's or Dropdown's choice, a number in a Slider's range, a whole
number for a Number with `precision=0`, true/false for a Checkbox, comma-separated choices for a CheckboxGroup,
a tab id for a `gr.Tabs`, any text for a Textbox. A bad value is ignored with a warning that names the
parameter and what it accepts; parameters the demo does not name are ignored silently. A component can come
with its own parser, a function from the text to the value that raises ValueError saying what to send:
`{"steps": (steps_box, number_in(1, 5000, whole=True))}`.

The page also gets a "Link to this setup" button: it writes the link to the inputs' current values in a box,
and copies it to the clipboard, ready for a lecture slide.

Called after the block instead, `link_inputs` reopens the Blocks, which rebuilds its app (under a second):
needed only to link `some_tab.parent`, the `gr.Tabs` that Gradio puts around bare tabs when the block closes.
"""

import math
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import urlencode

import gradio as gr
from gradio.context import Context

Parse = Callable[[str], object]

# Query parameters the link cannot use: Gradio's own (`?view=api`, `?__theme=dark`, ...), and the course
# page's, which a `<gradio-app>` web component passes on to the demo it embeds.
RESERVED = frozenset({"view", "__theme", "deep_link", "ui", "write_token", "base", "streamlit", "gradio_js", "zerogpu"})
TRUE, FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")


def choice_of(allowed: Sequence) -> Parse:
    def parse(text: str):
        if text not in allowed:
            raise ValueError(f"choose one of {', '.join(map(str, allowed))}")
        return text

    return parse


def choices_of(allowed: Sequence) -> Parse:
    """Comma-separated choices, e.g. `instruction,reasoning`; an empty value chooses none."""
    one = choice_of(allowed)

    def parse(text: str) -> list:
        return [one(part.strip()) for part in text.split(",") if part.strip()]

    return parse


def number_in(low: float | None, high: float | None, whole: bool) -> Parse:
    kind = "a whole number" if whole else "a number"
    if low is not None and high is not None:
        wanted = f"{kind} from {low:g} to {high:g}"
    elif low is not None:
        wanted = f"{kind} of at least {low:g}"
    else:
        wanted = kind

    def parse(text: str) -> float | int:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or (whole and not value.is_integer()):
            raise ValueError(f"use {wanted}")
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(f"use {wanted}")
        return int(value) if whole else value

    return parse


def boolean(text: str) -> bool:
    if text.lower() in TRUE:
        return True
    if text.lower() in FALSE:
        return False
    raise ValueError("use true or false")


def _is_whole(x) -> bool:
    return x is None or float(x).is_integer()


def parser_for(component) -> Parse:
    """How the text of a query parameter becomes a value of `component`, with its checks."""
    if isinstance(component, gr.Tabs):
        return choice_of([tab.id for tab in component.children if tab.id is not None])
    if isinstance(component, (gr.Radio, gr.Dropdown, gr.CheckboxGroup)):
        allowed = [value for _label, value in component.choices]
        if isinstance(component, gr.CheckboxGroup) or getattr(component, "multiselect", False):
            return choices_of(allowed)
        return str if getattr(component, "allow_custom_value", False) else choice_of(allowed)
    if isinstance(component, gr.Slider):
        whole = _is_whole(component.step) and _is_whole(component.minimum)
        return number_in(component.minimum, component.maximum, whole)
    if isinstance(component, gr.Number):
        return number_in(component.minimum, component.maximum, component.precision == 0)
    if isinstance(component, gr.Checkbox):
        return boolean
    if isinstance(component, gr.Textbox):
        return str
    raise TypeError(
        f"deep links cannot read a {type(component).__name__} on their own: pass (component, parse) with a "
        "function that turns the query text into its value"
    )


def query_text(value) -> str | None:
    """A component's value as the text its parser reads back: `3` not `3.0`, `true`, `a,b`; None for no value."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def link_query(names: Sequence[str], values: Sequence) -> str:
    """`?name=value&...` for the values that have one, each encoded so that a space or `&` survives."""
    pairs = [(name, query_text(value)) for name, value in zip(names, values, strict=True)]
    return "?" + urlencode([(name, text) for name, text in pairs if text is not None], safe=",")


# Runs in the browser on the query the server built: prefixes the page's own address and copies the link.
COPY_LINK_JS = """(query) => {
    const link = window.location.origin + window.location.pathname + query;
    navigator.clipboard?.writeText(link).catch(() => {});
    return link;
}"""


def _first_tab(tabs: gr.Tabs):
    ids = [tab.id for tab in tabs.children if tab.id is not None]
    return tabs.selected if tabs.selected is not None else (ids[0] if ids else None)


def _follow_tab(tabs: gr.Tabs) -> gr.State:
    """A gr.Tabs cannot be an event's input, so a State follows the selected tab's id."""
    selected = gr.State(_first_tab(tabs))

    def follow(evt: gr.SelectData):
        return tabs.children[evt.index].id

    tabs.select(follow, None, selected, api_visibility="private", show_progress="hidden", concurrency_limit=None)
    return selected


def _copy_link_button(names: Sequence[str], components: Sequence) -> list:
    """The "Link to this setup" button and its box; returns the inputs it reads, a State standing in for a Tabs."""
    inputs = [_follow_tab(c) if isinstance(c, gr.Tabs) else c for c in components]
    with gr.Row():
        button = gr.Button("Link to this setup", size="sm", scale=0, min_width=180)
        box = gr.Textbox(
            label="Link to paste into a slide (also copied to the clipboard)",
            interactive=True,  # an input's label names its box for screen readers, and its text selects at a click
            scale=4,
        )
    button.click(
        lambda *values: link_query(names, values),
        inputs=inputs,
        outputs=box,
        api_visibility="private",
        show_progress="hidden",
        concurrency_limit=None,
    ).then(None, inputs=box, outputs=box, js=COPY_LINK_JS, show_progress="hidden")
    return inputs


def _update(component, value) -> dict:
    return gr.update(selected=value) if isinstance(component, gr.Tabs) else gr.update(value=value)


def link_inputs(demo: gr.Blocks, params: Mapping[str, object]) -> None:
    """Fill `params` (query-parameter name -> component, or (component, parse)) from the URL on page load."""
    for name in params:
        if name in RESERVED:
            raise ValueError(f"query parameter {name!r} is taken by Gradio or the course page: choose another name")
    names = list(params)
    specs = [spec if isinstance(spec, tuple) else (spec, parser_for(spec)) for spec in params.values()]

    def prefill(request: gr.Request):
        query = dict(request.query_params) if request else {}
        updates = []
        for name, (component, parse) in zip(names, specs, strict=True):
            if name not in query:
                updates.append(gr.skip())
                continue
            try:
                updates.append(_update(component, parse(query[name])))
            except ValueError as err:
                gr.Warning(f"The link's {name}={query[name]} was ignored: {err}.")
                updates.append(gr.skip())
        return updates if len(updates) > 1 else updates[0]

    demo.link_params = dict(zip(names, specs, strict=True))  # what docs/deploy.md's table is checked against
    components = [component for component, _ in specs]
    tab_indices = [i for i, component in enumerate(components) if isinstance(component, gr.Tabs)]

    def prefill_and_follow(request: gr.Request):
        """The prefill, plus each linked tab's id for the State that follows it."""
        updates = prefill(request)
        updates = updates if len(names) > 1 else [updates]
        followed = [updates[i]["selected"] if "selected" in updates[i] else gr.skip() for i in tab_indices]
        return [*updates, *followed]

    def attach() -> None:
        inputs = _copy_link_button(names, components)
        followers = [i for i, c in zip(inputs, components, strict=True) if isinstance(c, gr.Tabs)]
        demo.load(
            prefill_and_follow if followers else prefill,
            inputs=None,
            outputs=components + followers,
            api_visibility="private",
            show_progress="hidden",
            concurrency_limit=None,
        )

    if Context.root_block is demo:  # called inside `with demo:`
        attach()
    else:
        with demo:
            attach()
