"""Worker processes (evaluation, oracle demonstrations, DAgger rollouts, the audit): spawned fresh,
headless, one thread each, and never outliving the process that started them.

``spawn`` gives a fresh interpreter per worker, so no pygame/SDL or thread state is inherited from
the parent (fork is unsafe with both). A worker ends with its parent even when the parent is killed
with ``kill -9`` (a worker left behind would keep playing and hold the caller's pipes open), and
ignores Ctrl-C: a terminal sends it to the whole process group, and the parent stops the workers
itself after saving what finished.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor

START_METHOD = "spawn"


def worker_pool(workers: int, torch_threads: int | None = None) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes set up by :func:`init_worker` (``torch_threads``: set
    torch's thread count too, for workers that run a policy)."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(START_METHOD),
                               initializer=init_worker, initargs=(os.getpid(), torch_threads))


def init_worker(parent: int | None = None, torch_threads: int | None = None) -> None:
    from simagym.headless import configure_sdl

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if parent is not None:
        die_with_parent(parent)
    configure_sdl()
    # K workers share the machine's cores; one BLAS/torch thread each avoids oversubscription.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("MKL_NUM_THREADS", "1")
    if torch_threads is not None:
        import torch

        torch.set_num_threads(torch_threads)


def die_with_parent(parent: int) -> None:
    """End this process when ``parent`` does. Linux kills it at once (``PR_SET_PDEATHSIG``, which the
    kernel delivers when the parent exits, however it ends); elsewhere a watcher thread notices
    within half a second."""
    try:
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="simagym-parent-watch", daemon=True).start()


def stop_now(pool: ProcessPoolExecutor) -> None:
    """Terminate the pool's processes without waiting for the work they hold (an interrupted run)."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()
