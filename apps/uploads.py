"""The files a shared server accepts, and the temporary folders it leaves behind.

- A demo with no file input takes no uploads at all (403).
- Each upload is counted, from its `Content-Length`, before a byte of it is read: one address may upload at most
  `PER_ADDRESS_MB` and the whole server at most `TOTAL_MB` within `UPLOAD_LIFETIME_S`, the age at which the
  server deletes them (`TEMP_MAX_AGE_S` plus one sweep, `TEMP_SWEEP_S`). Over that, the upload is refused (413, 503)
  with a message that says when to try again.
- Gradio deletes old temporary files but not their folders (one per file): `remove_empty_folders` does.
"""

import os
import tempfile
import threading
import time
from collections import deque
from pathlib import Path

from fastapi import Request
from fastapi.responses import PlainTextResponse

from apps.admission import client_address

PER_ADDRESS_MB = 50
TOTAL_MB = 500
TEMP_SWEEP_S, TEMP_MAX_AGE_S = 300, 900  # how often temporary files are swept, and the age at which they go
UPLOAD_LIFETIME_S = TEMP_MAX_AGE_S + TEMP_SWEEP_S
UPLOAD_TYPES = ("File", "Image", "ImageEditor", "Sketchpad", "Paint", "ImageMask", "Audio", "Video", "Model3D",
                "UploadButton", "MultimodalTextbox", "Gallery")  # fmt: skip


def takes_files(demo) -> bool:
    """Whether any event of `demo` reads a component into which a file can be uploaded."""
    inputs = (block for block_fn in demo.fns.values() for block in block_fn.inputs)
    return any(type(block).__name__ in UPLOAD_TYPES for block in inputs)


class Ledger:
    """Bytes uploaded per address during the last `UPLOAD_LIFETIME_S` seconds (one ledger per server)."""

    def __init__(self, per_address_mb: float = PER_ADDRESS_MB, total_mb: float = TOTAL_MB):
        self.per_address, self.total = per_address_mb * 1e6, total_mb * 1e6
        self._entries: deque[tuple[float, str, int]] = deque()  # (time, address, bytes), oldest first
        self._lock = threading.Lock()

    def admit(self, address: str, size: int) -> tuple[int, str] | None:
        """Record an upload of `size` bytes from `address`, or (HTTP status, why it may not be made now)."""
        now = time.monotonic()
        with self._lock:
            while self._entries and now - self._entries[0][0] > UPLOAD_LIFETIME_S:
                self._entries.popleft()
            mine = sum(n for _, a, n in self._entries if a == address)
            everyone = sum(n for _, _, n in self._entries)
            minutes = f"{UPLOAD_LIFETIME_S / 60:.0f} minutes"
            if mine + size > self.per_address:
                return 413, (
                    f"you have uploaded {mine / 1e6:.0f} MB in the last {minutes}, and each visitor may upload at "
                    f"most {self.per_address / 1e6:.0f} MB in that time: try again later, or send a smaller file"
                )
            if everyone + size > self.total:
                return 503, (
                    f"this server holds {everyone / 1e6:.0f} MB of uploads, its limit is {self.total / 1e6:.0f} MB: "
                    "try again in a few minutes, when old uploads are deleted"
                )
            self._entries.append((now, address, size))
            return None


LEDGER = Ledger()


class UploadLimits:
    """ASGI middleware for one demo's app: applies `takes_files` and the ledger to its upload route."""

    def __init__(self, app, accepts_files: bool, ledger: Ledger = LEDGER):
        self.app, self.accepts_files, self.ledger = app, accepts_files, ledger

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"].endswith("/gradio_api/upload"):
            refusal = self.refusal(Request(scope))
            if refusal is not None:
                return await refusal(scope, receive, send)
        return await self.app(scope, receive, send)

    def refusal(self, request: Request) -> PlainTextResponse | None:
        if not self.accepts_files:
            return PlainTextResponse("this demo takes no files: there is nothing to upload here", status_code=403)
        try:
            size = int(request.headers.get("content-length", ""))
        except ValueError:
            return PlainTextResponse("send the upload with its size (a Content-Length header)", status_code=411)
        refused = self.ledger.admit(client_address(request), size)
        return None if refused is None else PlainTextResponse(refused[1], status_code=refused[0])


def temp_folder() -> Path:
    """Where Gradio keeps uploads and generated files."""
    return Path(os.environ.get("GRADIO_TEMP_DIR") or Path(tempfile.gettempdir()) / "gradio")


def remove_empty_folders(root: Path, older_than_s: float) -> int:
    """Remove the empty folders under `root` (not `root`) last changed more than `older_than_s` ago; how many."""
    removed, now = 0, time.time()
    for folder, _subfolders, files in os.walk(root, topdown=False):
        path = Path(folder)
        if path == root or files:
            continue
        try:
            if now - path.stat().st_mtime > older_than_s:
                path.rmdir()  # fails, harmlessly, if a file arrived meanwhile
                removed += 1
        except OSError:
            continue
    return removed


_sweeper_started = threading.Event()


def sweep_empty_folders(every_s: float, older_than_s: float) -> None:
    """Start (once per process) a thread that calls `remove_empty_folders` on Gradio's temporary folder."""
    if _sweeper_started.is_set():
        return
    _sweeper_started.set()

    def run() -> None:
        while True:
            time.sleep(every_s)
            remove_empty_folders(temp_folder(), older_than_s)

    threading.Thread(target=run, name="empty-folder-sweep", daemon=True).start()
