"""The file a Space starts from: `app.py` for a Gradio Space, a `Dockerfile` for a Docker Space.

Docker Spaces run as UID 1000 (as the Hub asks) and expose one port, `app_port`; the image's HEALTHCHECK
asks the server whether it is up.
"""

import json

STREAMLIT_PORT = 8501
SUITE_PORT = 7860
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"  # CPU-only torch wheels: a far smaller image

GRADIO_APP = '''"""{title}: {does}

One demo of genai-demos as a Hugging Face Space, built by `python -m spaces.build {name}` from the
project's repository: change the demo there and rebuild, not here.
"""

from apps.hosting import load_models, prefer_hub_models

MODELS = {models!r}  # "module:registry name" of each model the demo uses
HUB_ON_GPU = {hub_on_gpu!r}  # the models whose hub default replaces the bundled copy on a GPU

prefer_hub_models(HUB_ON_GPU)  # before the demo is imported: its model menus read the default
from apps.{name} import demo  # noqa: E402

load_models(MODELS)

if __name__ == "__main__":
    demo.launch()
'''

DOCKERFILE = """# {title}: built by `python -m spaces.build {name}`.
FROM python:{python}-slim
RUN useradd -m -u 1000 user
USER user
ENV HOME=/home/user PATH=/home/user/.local/bin:$PATH PYTHONUNBUFFERED=1 GRADIO_ANALYTICS_ENABLED=False{env}
WORKDIR /home/user/app
COPY --chown=user requirements.txt .
RUN pip install --no-cache-dir --user --extra-index-url {torch_index} -r requirements.txt
COPY --chown=user . .
EXPOSE {port}
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s \\
  CMD python -c "import urllib.request; urllib.request.urlopen('http://localhost:{port}{health}', timeout=4)"
CMD {command}
"""


def gradio_app(name: str, title: str, does: str, models: tuple[str, ...], hub_on_gpu: tuple[str, ...]) -> str:
    return GRADIO_APP.format(name=name, title=title, does=does, models=models, hub_on_gpu=hub_on_gpu)


def streamlit_command(script: str) -> list[str]:
    return [
        "python", "-m", "streamlit", "run", script, f"--server.port={STREAMLIT_PORT}", "--server.address=0.0.0.0",
        "--server.headless=true", "--browser.gatherUsageStats=false", "--client.toolbarMode=viewer",
    ]  # fmt: skip


def suite_command() -> list[str]:
    return ["python", "-m", "apps", "--host", "0.0.0.0", "--port", str(SUITE_PORT)]


def dockerfile(
    name: str, title: str, python: str, command: list[str], port: int, health: str, env: dict[str, str]
) -> str:
    extra = "".join(f" {key}={json.dumps(value)}" for key, value in env.items())
    return DOCKERFILE.format(
        name=name, title=title, python=python, env=extra, torch_index=TORCH_CPU_INDEX, port=port, health=health,
        command=json.dumps(command),
    )  # fmt: skip


def command_of(dockerfile_text: str) -> list[str]:
    """The exec-form CMD of a Dockerfile built here."""
    for line in dockerfile_text.splitlines():
        if line.startswith("CMD "):
            return json.loads(line[4:])
    raise ValueError("the Dockerfile has no CMD line: rebuild it with python -m spaces.build")
