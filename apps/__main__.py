import os
import sys

from apps.launcher import main

try:
    code = main()
except SystemExit as stop:  # SIGTERM or SIGINT after the server stopped, or argparse's --help and errors
    code = stop.code if isinstance(stop.code, int) else 0 if stop.code is None else 1
# The server has stopped and its Streamlit page with it. A request still running in a worker thread (a training
# run, say) would hold the interpreter until it finished, past Docker's 10 s grace: nobody waits for it, so exit now.
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
