"""``python -m contest_local.profiled OUT MODULE``: run a service under cProfile and write
the profile to OUT when it stops (SIGTERM included)."""

from __future__ import annotations

import cProfile
import runpy
import signal
import sys


def main() -> None:
    """Run MODULE as ``__main__`` with the profiler on."""
    out, module = sys.argv[1], sys.argv[2]
    # uvicorn re-raises the SIGTERM it handled once it has shut down; exiting on it (rather
    # than dying of it) lets the profile be written.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit:
        pass
    finally:
        profiler.disable()
        profiler.dump_stats(out)


if __name__ == "__main__":
    main()
