"""What the suite's terminal shows a user: one line once the server answers, one once the models are loaded
(naming any that failed), and no progress bars or notes from the libraries underneath."""

import logging
import os
import threading
import time


def quiet_terminal() -> None:
    """Keep the launcher's terminal for what a user can act on. No progress bar for every model that transformers,
    diffusers or huggingface_hub load (tqdm reads TQDM_DISABLE when it is first imported; an empty value shows the
    bars), and no note, once per image processor class, that transformers found no torchvision: its Pillow fallback
    serves every demo here."""
    os.environ.setdefault("TQDM_DISABLE", "1")
    logging.getLogger("transformers.utils.import_utils").setLevel(logging.ERROR)


def announce_loaded(loading: threading.Thread, names: list[str], started: float) -> None:
    """Print one line once the warm-up thread `loading` is done: from then on a click waits for no model to load.
    A model that failed to load is named; its demo says why when it is used."""
    from core.runtime.registry import ModelUnavailable, is_loaded

    loading.join()
    seconds = time.perf_counter() - started
    missing = []
    for name in names:
        try:
            if not is_loaded(name):
                missing.append(name)
        except ModelUnavailable:
            missing.append(name)
    if missing:
        print(
            f"models loaded ({seconds:.0f} s) except {', '.join(missing)}: a demo that needs one says why when used",
            flush=True,
        )
    else:
        print(f"all models loaded ({seconds:.0f} s): no click waits for a model to load now", flush=True)


def announcing_server(server_class: type, url: str) -> type:
    """A uvicorn Server that prints one "ready" line once its socket is listening and requests get answers."""

    class AnnouncingServer(server_class):
        async def startup(self, sockets=None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                print(f"ready: {url} answers (Ctrl+C stops the suite)", flush=True)

    return AnnouncingServer
