"""How the spaces scripts answer in a terminal: each line of output as it comes, and a refusal as one
`error: ...` line on stderr with exit status 2."""

import sys
from collections.abc import Iterable


def print_lines(lines: Iterable[str], *errors: type[Exception]) -> int:
    """Print each of `lines` as it comes and return 0; when producing them raises one of `errors` (a reason and
    what to do), print it as `error: <reason>` on stderr and return 2. Pass a generator, so that its work runs here."""
    try:
        for line in lines:
            print(line, flush=True)
    except errors as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0
