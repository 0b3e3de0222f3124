"""One server for the whole suite: every Gradio demo mounted at `/<name>/`, an index at `/`,
and the Streamlit page as a child process on its own port, stopped when the launcher stops."""

import argparse
import asyncio
import contextlib
import ctypes
import importlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from apps.catalog import DEMOS, Demo, by_name
from apps.terminal import announce_loaded, announcing_server, quiet_terminal

SHARE_TIMEOUT_S = 10.0
GRACEFUL_S = 3  # open connections (event streams) get this long to finish after SIGTERM
CHILD_GRACE_S = 4.0  # then the Streamlit page this long, before SIGKILL: within Docker's 10 s in all
ROOT = Path(__file__).resolve().parents[1]
# the order of the warm-up: the demos whose imports cost least first (the transformer explorer needs torch alone,
# text to image and flows need diffusers), so that most of a class's first clicks are answered soonest
WARM_FIRST = ("transformer", "transfer", "prompting", "text_to_image", "flows", "tuning")
# how long the server waits for the warm-up before it opens its port: a class that arrives with the first page then
# finds every library imported and every bundled model loaded (a hub model still loading is waited for this long)
SERVE_WHEN_WARM_S = 60.0


class LaunchError(SystemExit):
    """A one-line error for the terminal, with exit status 2."""

    def __init__(self, message: str):
        super().__init__(2)
        self.message = message


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    names = ", ".join(d.name for d in DEMOS)
    parser = argparse.ArgumentParser(prog="python -m apps", description="Serve every genai-demos demo in one server.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0 for the whole network)")
    parser.add_argument("--port", type=int, default=7860, help="port of the main server (default 7860)")
    parser.add_argument("--streamlit-port", type=int, default=None, help="port of the Streamlit page (default port+1)")
    parser.add_argument(
        "--streamlit-url",
        default=os.environ.get("GENAI_STREAMLIT_URL") or None,
        help="link the Streamlit page to this URL (e.g. its own Space) instead of starting it here "
        "(default: $GENAI_STREAMLIT_URL)",
    )
    parser.add_argument("--only", metavar="NAME", help=f"serve one demo only: {names}")
    parser.add_argument("--share", action="store_true", help="also open a public Gradio link (needs internet)")
    parser.add_argument(
        "--public",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="treat visitors as untrusted: model menus accept only the catalog's and $GENAI_ALLOWED_MODELS' models "
        "(default: on with --share and on Hugging Face Spaces)",
    )
    parser.add_argument("--no-warm-up", action="store_true", help="load models on first use instead of at start")
    parser.add_argument(
        "--serve-early",
        action="store_true",
        help="answer at once while the models warm up (default: open the port once they are loaded, at most "
        f"{SERVE_WHEN_WARM_S:.0f} s, so the first clicks wait for nothing)",
    )
    args = parser.parse_args(argv)
    if args.streamlit_port is None:
        args.streamlit_port = args.port + 1
    return args


def select(only: str | None) -> tuple[Demo, ...]:
    if only is None:
        return DEMOS
    try:
        return (by_name(only),)
    except KeyError as err:
        raise LaunchError(err.args[0]) from None


def check_port(host: str, port: int, flag: str) -> None:
    if not 1 <= port <= 65535:
        raise LaunchError(f"{flag} {port} is not a port: use a number from 1 to 65535")
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            raise LaunchError(
                f"port {port} on {host} is already in use: choose a free one with {flag} (1-65535), "
                f"e.g. {flag} {free_port_near(host, port)}"
            ) from None


def free_port_near(host: str, port: int) -> int:
    for candidate in range(port + 2, min(port + 200, 65535)):
        with socket.socket() as sock:
            if sock.connect_ex((host if host != "0.0.0.0" else "127.0.0.1", candidate)) != 0:
                return candidate
    return 0


def build_app(
    demos: tuple[Demo, ...],
    streamlit_port: int | None,
    warm_up: bool = True,
    streamlit_url: str | None = None,
    started: float | None = None,
    serve_when_warm: bool = True,
):
    """The FastAPI app: index at `/`, each Gradio demo at `/<name>/`. Importing a demo builds its UI only.

    The index links a Streamlit page to `streamlit_url` where given, else to `streamlit_port` on this host. With
    `warm_up`, the models load in a background thread as the server starts, and one line says when they have,
    counting from `started` (a `time.perf_counter()` reading; by default, when the server starts). With
    `serve_when_warm` too, the server opens its port only once they have (at most `SERVE_WHEN_WARM_S`): the
    imports of torch, transformers and diffusers hold Python's lock for seconds, and a class that arrived while
    they ran would wait that long for its first clicks; a Space shows its "Starting" page until then."""
    import gradio as gr
    from fastapi import FastAPI, Request
    from fastapi.responses import HTMLResponse, Response

    from apps.index import index_html
    from apps.serving import MAX_FILE_SIZE, app_settings, prepare
    from core.runtime import warm_up as warm_up_models

    gradio_demos = [d for d in demos if d.kind == "gradio"]

    @contextlib.asynccontextmanager
    async def lifespan(_app) -> Iterator[None]:
        if warm_up:
            order = sorted(
                gradio_demos, key=lambda d: WARM_FIRST.index(d.name) if d.name in WARM_FIRST else len(WARM_FIRST)
            )
            names = [m for d in order for m in d.models]
            loading = warm_up_models(names)
            if names:
                since = time.perf_counter() if started is None else started
                announcing = threading.Thread(
                    target=announce_loaded, args=(loading, names, since), name="models-loaded", daemon=True
                )
                announcing.start()
                if serve_when_warm:  # until the "models loaded" line is out, so that "ready" follows it
                    await asyncio.to_thread(announcing.join, SERVE_WHEN_WARM_S)
        yield

    app = FastAPI(title="genai-demos", lifespan=lifespan)

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request) -> str:
        links = {d.name: f"/{d.name}/" for d in gradio_demos}
        for d in demos:
            if d.kind == "streamlit":
                links[d.name] = streamlit_url or f"http://{request.url.hostname}:{streamlit_port}/"
        return index_html(demos, links)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    for d in gradio_demos:
        blocks = prepare(importlib.import_module(d.module).demo)
        gr.mount_gradio_app(
            app,
            blocks,
            path=f"/{d.name}",
            max_file_size=MAX_FILE_SIZE,
            show_error=False,
            app_kwargs=app_settings(blocks),
        )
    return app


def _die_with_parent() -> None:
    """In the child: receive SIGTERM when the launcher dies, even if it is killed outright (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start_streamlit(demo: Demo, host: str, port: int) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "streamlit", "run", str(demo.script),
        "--server.port", str(port), "--server.address", host, "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer",
        "--logger.hideWelcomeMessage", "true", "--logger.level", "warning",  # the launcher prints its URL
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, preexec_fn=_die_with_parent if sys.platform == "linux" else None)


def stop(proc: subprocess.Popen, grace_s: float = 10.0) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def open_share_link(host: str, port: int) -> str:
    """A public gradio.live URL for the local server, or a LaunchError within SHARE_TIMEOUT_S."""
    from gradio.networking import setup_tunnel

    result: dict[str, object] = {}

    def run() -> None:
        try:
            local = "127.0.0.1" if host == "0.0.0.0" else host
            result["url"] = setup_tunnel(local, port, secrets.token_urlsafe(32), None, None)
        except Exception as err:  # noqa: BLE001 - any failure means no link; say why below
            result["error"] = err

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(SHARE_TIMEOUT_S)
    if "url" in result:
        return str(result["url"])
    reason = f"{type(result['error']).__name__}: {result['error']}" if "error" in result else "no answer"
    raise LaunchError(
        f"--share could not open a public link ({reason}). It needs internet access to Gradio's share "
        f"server; run without --share to serve on this machine only."
    )


def _exit_cleanly(signum: int, _frame) -> None:
    raise SystemExit(0)


def set_public(args: argparse.Namespace) -> bool:
    """Decide public mode (`--public`, `--share`, or a Space) and pass it on to the demos and the Streamlit page."""
    from core.runtime.registry import PUBLIC_ENV, public_mode

    if args.public is not None:
        os.environ[PUBLIC_ENV] = "1" if args.public else "0"
    elif args.share:
        os.environ[PUBLIC_ENV] = "1"
    public = public_mode()
    if public:  # many visitors: one torch thread per request, so that concurrent requests do not fight over cores
        os.environ.setdefault("OMP_NUM_THREADS", "1")
    return public


def main(argv: list[str] | None = None) -> int:
    try:
        return serve(parse_args(argv))
    except LaunchError as err:
        print(f"error: {err.message}", file=sys.stderr)
        return 2


def serve(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    quiet_terminal()  # before the libraries it quiets are imported
    import uvicorn

    demos = select(args.only)
    pages = [d for d in demos if d.kind == "streamlit" and not args.streamlit_url]
    check_port(args.host, args.port, "--port")
    if pages:
        if args.streamlit_port == args.port:
            raise LaunchError("--streamlit-port must differ from --port")
        check_port(args.host, args.streamlit_port, "--streamlit-port")
    public = set_public(args)
    share_url = open_share_link(args.host, args.port) if args.share else None

    for sig in (signal.SIGINT, signal.SIGTERM):  # uvicorn re-raises these after its graceful shutdown
        signal.signal(sig, _exit_cleanly)
    children = []
    shown = "localhost" if args.host in ("0.0.0.0", "127.0.0.1") else args.host
    print(f"genai-demos (starting; a 'ready' line follows once it answers): http://{shown}:{args.port}/", flush=True)
    for d in demos:
        port = args.streamlit_port if d.kind == "streamlit" else args.port
        path = "/" if d.kind == "streamlit" else f"/{d.name}/"
        url = args.streamlit_url if d.kind == "streamlit" and args.streamlit_url else f"http://{shown}:{port}{path}"
        print(f"  {d.title}: {url}", flush=True)
    if share_url:
        print(f"public link (valid for up to a week while this process runs): {share_url}", flush=True)
    if public:
        print("public mode: model menus accept only the catalog's models (see GENAI_ALLOWED_MODELS)", flush=True)
    try:
        # the Streamlit page starts first, so its own start-up runs while the Gradio demos are built
        children += [start_streamlit(page, args.host, args.streamlit_port) for page in pages]
        app = build_app(
            demos,
            args.streamlit_port,
            warm_up=not args.no_warm_up,
            streamlit_url=args.streamlit_url,
            started=started,
            serve_when_warm=not args.serve_early,
        )
        config = uvicorn.Config(
            app, host=args.host, port=args.port, log_level="warning", timeout_graceful_shutdown=GRACEFUL_S
        )
        announcing_server(uvicorn.Server, f"http://{shown}:{args.port}/")(config).run()
    finally:
        for child in children:
            child.terminate()  # all at once: the page stops while the others do
        for child in children:
            stop(child, grace_s=CHILD_GRACE_S)
    return 0
