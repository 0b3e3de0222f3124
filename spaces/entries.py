"""The file a Space starts from: `app.py` for a Gradio Space and for the suite, a `Dockerfile` for a Docker Space.

Docker Spaces run as UID 1000 (as the Hub asks) and expose one port, `app_port`; the image's HEALTHCHECK
asks the server whether it is up.
"""

import json
from html import escape

STREAMLIT_PORT = 8501
SUITE_PORT = 7860
STREAMLIT_URL_VARIABLE = "GENAI_STREAMLIT_URL"  # the suite Space's variable: the Streamlit page's own Space

GRADIO_APP = '''"""{title}: {does}

One demo of genai-demos as a Hugging Face Space, built by `python spaces/build.py {name}` from the
project's repository: change the demo there and rebuild, not here.
"""

import importlib

from apps.hosting import load_models, prefer_hub_models
from apps.serving import launch

MODELS = {models!r}  # the registry name of each model the demo uses
HUB_ON_GPU = {hub_on_gpu!r}  # the models whose hub default replaces the bundled copy on a GPU
GPU_MODULES = {gpu_modules!r}  # every module with a GPU function (`core.runtime.gpu`)

prefer_hub_models(HUB_ON_GPU)  # before the demo is imported: its model menus read the default
from apps.{name} import demo  # noqa: E402

for module in GPU_MODULES:  # ZeroGPU looks for its GPU functions when the app starts, so import them all now
    importlib.import_module(module)
load_models(MODELS)

if __name__ == "__main__":
    launch(demo)  # with the suite's limits; public mode is on by default on Spaces
'''

SUITE_APP = '''"""genai-demos: every Gradio demo of the course in one Docker Space, built by `python spaces/build.py suite`
from the project's repository: change the demos there and rebuild, not here.

A Docker Space exposes one port, so the Streamlit page runs as its own Space. The index links to
`/{page}/`, which forwards to the URL in the Space variable {variable}, or says what to do while it is unset.
"""

import argparse
import os
import sys

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from apps.catalog import DEMOS
from apps.launcher import build_app

PAGE = "{page}"  # the Streamlit page's name in the catalog, and its path here
NOT_SET = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not linked yet</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto">
<h1>{page_title}</h1>
<p>This page runs as its own Hugging Face Space, and this Space does not know where yet.</p>
<p>The owner of this Space: deploy the page's Space, then set the variable <code>{variable}</code> to its URL
(for example <code>https://USER-confidence-vs-density.hf.space</code>) under Settings, Variables and secrets.</p>
<p><a href="/">Back to every demo</a></p></body></html>"""


def streamlit_url() -> str | None:
    """The Streamlit Space's URL from {variable}, or None (with a line in the log) when unset or not a URL."""
    url = os.environ.get("{variable}", "").strip()
    if url.startswith(("https://", "http://")):
        return url.rstrip("/") + "/"
    problem = f"={{url!r}} is not an http(s) URL" if url else " is not set"
    print(f"{variable}{{problem}}: /{{PAGE}}/ says how to link the Streamlit page's Space", file=sys.stderr)
    return None


def make_app(url: str | None, warm_up: bool = True, demos=DEMOS):
    """The launcher's app (every Gradio demo at /<name>/), with /{page}/ forwarding to `url`."""
    app = build_app(demos, None, warm_up=warm_up, streamlit_url=f"/{{PAGE}}/")

    @app.get(f"/{{PAGE}}/", include_in_schema=False)
    def streamlit_page(request: Request):
        if url is None:
            return HTMLResponse(NOT_SET, status_code=503)
        query = request.url.query
        return RedirectResponse(url + (f"?{{query}}" if query else ""))

    return app


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description="Serve the suite Space.")
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default={port})
    parser.add_argument("--no-warm-up", action="store_true", help="load models on first use instead of at start")
    args = parser.parse_args()
    app = make_app(streamlit_url(), warm_up=not args.no_warm_up)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
'''

DOCKERFILE = """# {title}: built by `python spaces/build.py {name}`.
FROM python:{python}-slim
RUN useradd -m -u 1000 user
USER user
ENV HOME=/home/user PATH=/home/user/.local/bin:$PATH PYTHONUNBUFFERED=1 GRADIO_ANALYTICS_ENABLED=False
WORKDIR /home/user/app
COPY --chown=user requirements.txt .
RUN pip install --no-cache-dir --user -r requirements.txt
COPY --chown=user . .
EXPOSE {port}
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s \\
  CMD python -c "import urllib.request; urllib.request.urlopen('http://localhost:{port}{health}', timeout=4)"
CMD {command}
"""


def gradio_app(
    name: str, title: str, does: str, models: tuple[str, ...], hub_on_gpu: tuple[str, ...], gpu_modules: list[str]
) -> str:
    return GRADIO_APP.format(
        name=name, title=title, does=does, models=models, hub_on_gpu=hub_on_gpu, gpu_modules=gpu_modules
    )


def suite_app(page: str, page_title: str) -> str:
    return SUITE_APP.format(page=page, page_title=escape(page_title), variable=STREAMLIT_URL_VARIABLE, port=SUITE_PORT)


def streamlit_command(script: str) -> list[str]:
    return [
        "python", "-m", "streamlit", "run", script, f"--server.port={STREAMLIT_PORT}", "--server.address=0.0.0.0",
        "--server.headless=true", "--browser.gatherUsageStats=false", "--client.toolbarMode=viewer",
    ]  # fmt: skip


def suite_command() -> list[str]:
    return ["python", "app.py", "--host", "0.0.0.0", "--port", str(SUITE_PORT)]


def dockerfile(name: str, title: str, python: str, command: list[str], port: int, health: str) -> str:
    return DOCKERFILE.format(
        name=name, title=title, python=python, port=port, health=health, command=json.dumps(command)
    )


def command_of(dockerfile_text: str) -> list[str]:
    """The exec-form CMD of a Dockerfile built here."""
    for line in dockerfile_text.splitlines():
        if line.startswith("CMD "):
            return json.loads(line[4:])
    raise ValueError("the Dockerfile has no CMD line: rebuild it with python spaces/build.py")
