"""How a demo is served to a class: the limits every demo gets, sized to this machine's CPUs.

- Each event runs at most `CONCURRENCY` requests at once (or the limit its app sets, such as a batching event's),
  in a concurrency group of its own, so a quick click never waits behind another event. Long jobs (generators and
  functions that report progress: training runs, sweeps, evaluations) run `LONG_JOBS` at a time per group, so they
  cannot take every core from the quick events: a demo's long jobs share the group "long-jobs", except those its
  app puts in a group of their own (a fine-tune, sampling, a tuning run: the clicks of a lesson, which must not
  wait behind a sweep). At most `QUEUE_SIZE` requests wait per demo, and each visitor, address and the shared
  group's long jobs only their share of them (`apps.admission`), so one visitor cannot fill a demo's queue. A
  lesson's clicks are not capped as long jobs: a class clicks Generate at once, and each visitor's share bounds them.
- Uploads are refused above `MAX_FILE_SIZE`, in demos without a file input, and above a visitor's and the
  server's share (`apps.uploads`); temporary files (uploads, generated images) older than `TEMP_MAX_AGE_S` are
  deleted every `TEMP_SWEEP_S`, and so are the folders they leave empty.
- Memory that requests freed goes back to the system within seconds (`core.runtime.memory`).
- Images above `MAX_IMAGE_PIXELS` are refused from their header, before their pixels are decoded.
- Every event runs under `apps.errors.guard`.
A long job stops itself after `GENAI_TIME_LIMIT_S` (see `core.runtime.limits`) and at its next step once its visitor
has left (Gradio drops the events of a closed connection or a cancelled job; `visitor_left` reads that).
"""

import inspect
import os
import warnings

import gradio as gr
from fastapi.middleware import Middleware
from PIL import Image

from apps.admission import active_visitors, admit_fairly
from apps.errors import guard
from apps.uploads import TEMP_MAX_AGE_S, TEMP_SWEEP_S, UploadLimits, sweep_empty_folders, takes_files
from core.runtime.limits import MAX_IMAGE_PIXELS, set_cancel_check
from core.runtime.memory import release_periodically

CPUS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
CONCURRENCY = max(1, CPUS)  # requests of one event that run at once
LONG_JOBS = max(1, CPUS // 2)  # long jobs of one demo that run at once
QUEUE_SIZE = max(128, 16 * CPUS)  # requests waiting in one demo's queue: a class of 30, several clicks each
LONG_WAITING = 4 * CPUS  # long jobs of the shared group waiting in one demo's queue; more are refused
LONG_JOBS_GROUP = "long-jobs"  # the concurrency group of the long jobs whose app names none
MAX_FILE_SIZE = "10mb"
SERVER_PID = os.getpid()  # the process whose queue `visitor_left` reads
STATUS_WORDS = gr.I18n(en={"common.complete": "Complete"})  # other languages fall back to English


def is_long_job(fn) -> bool:
    """A generator, or a function that takes a `gr.Progress`: a job that reports its steps as it runs."""
    if inspect.isgeneratorfunction(fn):
        return True
    return any(isinstance(p.default, gr.Progress) for p in inspect.signature(fn).parameters.values())


def _handled_event():
    """(queue, event) of the event being handled in this thread, the event None once it has left the queue's active
    jobs; None outside a queued event, or in a worker process (ZeroGPU's) whose copy of the queue is stale."""
    from gradio.context import LocalContext

    blocks, event_id = LocalContext.blocks.get(None), LocalContext.event_id.get(None)
    queue = getattr(blocks, "_queue", None)
    if queue is None or event_id is None or os.getpid() != SERVER_PID:
        return None
    active = (event for job in queue.active_jobs for event in job or ())
    return queue, next((event for event in active if event._id == event_id), None)


def visitor_left() -> bool:
    """Whether Gradio has dropped the event being handled in this thread: its visitor closed the page (the event is
    marked dead), or pressed Stop (the job is cancelled and leaves the queue's active jobs while this thread, which
    Gradio cannot stop, still runs). Long jobs ask this between steps."""
    handled = _handled_event()
    if handled is None:
        return False
    _, event = handled
    return event is None or not event.alive


def others_waiting() -> int:
    """How many requests wait in line behind the event being handled in this thread, in its concurrency group (0
    outside a queued event)."""
    queue, event = _handled_event() or (None, None)
    if event is None:
        return 0
    line = queue.event_queue_per_concurrency_id.get(event.concurrency_id)
    return len(line.queue) if line is not None else 0


def other_visitors() -> int:
    """How many visitors besides the one of the event being handled joined a queue of this server within the last
    minute (`apps.admission.active_visitors`)."""
    from gradio.context import LocalContext

    session = getattr(LocalContext.request.get(None), "session_hash", None)
    return len(active_visitors() - {f"page:{session}"})


def limit_images() -> None:
    """Refuse to decode images of more than MAX_IMAGE_PIXELS (Pillow checks the size in the header)."""
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    warnings.simplefilter("error", Image.DecompressionBombWarning)


def prepare(demo: gr.Blocks) -> gr.Blocks:
    """Apply the suite's limits to `demo` before it is served or mounted (idempotent)."""
    limit_images()
    set_cancel_check(visitor_left)
    guard(demo)
    long_ids = set()
    for fn_id, block_fn in demo.fns.items():
        if block_fn.fn is None:
            continue
        if is_long_job(block_fn.fn):
            if block_fn.concurrency_limit == "default":
                block_fn.concurrency_limit = LONG_JOBS
                if block_fn.concurrency_id == str(id(inspect.unwrap(block_fn.fn))):  # Gradio's default: no group named
                    block_fn.concurrency_id = LONG_JOBS_GROUP
            if block_fn.concurrency_id == LONG_JOBS_GROUP:
                long_ids.add(fn_id)
    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    admit_fairly(demo._queue, long_ids, LONG_WAITING)
    demo.delete_cache = (TEMP_SWEEP_S, TEMP_MAX_AGE_S)
    demo.i18n_instance = STATUS_WORDS  # read when the demo is mounted; `launch` passes it itself
    sweep_empty_folders(TEMP_SWEEP_S, TEMP_MAX_AGE_S)
    release_periodically()
    return demo


def app_settings(demo: gr.Blocks) -> dict:
    """The FastAPI settings of a demo's app: its upload limits (`apps.uploads`)."""
    return {"middleware": [Middleware(UploadLimits, accepts_files=takes_files(demo))]}


def launch(demo: gr.Blocks, name: str = "", **kwargs) -> None:
    """Serve one demo on its own (`python -m apps.<name>`) with the suite's limits; the models of the catalog's
    demo `name` warm up in the background, as under the launcher, so that its first requests wait for the
    heavy imports (`core.runtime.wait_for_warm_up`) instead of racing them."""
    if name:
        from apps.catalog import by_name
        from core.runtime import warm_up

        warm_up(by_name(name).models)
    prepare(demo).launch(
        max_file_size=MAX_FILE_SIZE, show_error=False, app_kwargs=app_settings(demo), i18n=STATUS_WORDS, **kwargs
    )
