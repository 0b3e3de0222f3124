"""The launcher's front page: every demo, what it lets a student do, and the course concept it teaches."""

from html import escape

from apps.catalog import Demo

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 900px; margin: 2rem auto; padding: 0 1rem; color: #222; }
h1 { margin-bottom: 0.2rem; } .lead { color: #555; margin-top: 0; }
li { margin: 1rem 0; list-style: none; border-left: 4px solid #4c78a8; padding-left: 0.8rem; }
a.demo { font-size: 1.15rem; font-weight: 600; } .concept { color: #4c78a8; font-size: 0.9rem; }
"""


def _concept(demo: Demo) -> str:
    """The course concept, a line under every entry, so that each one names it in the same place."""
    return f'<div class="concept">Course concept: {escape(demo.concept)}</div>'


def index_html(demos: tuple[Demo, ...], links: dict[str, str]) -> str:
    """The index page; `links` maps each demo name to the URL it is served at."""
    items = "\n".join(
        f'<li><a class="demo" href="{escape(links[d.name])}">{escape(d.title)}</a><div>{escape(d.does)}</div>'
        f"{_concept(d)}</li>"
        for d in demos
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>genai-demos</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><style>{STYLE}</style></head>
<body><h1>genai-demos</h1>
<p class="lead">Interactive demos for the course on generative models: each runs a real model and shows measured results.</p>
<ul>
{items}
</ul></body></html>"""
