"""A server does not keep the memory of long prompts: refused pastes of 1 MB and long accepted prompts, many at
once, leave its memory where it was (the small loop of `bench/soak.py`)."""

import pytest

from bench.soak import soak

GROWTH_BOUND_MB = 150  # without the fixes, this loop grows the server by about 3 GB


@pytest.mark.slow
def test_refused_and_accepted_long_prompts_leave_the_servers_memory_bounded():
    result = soak(refused=20, accepted=20, concurrency=4)
    assert result["outcomes"] == {"answered": 20, "refused": 20}
    assert result["idle_mb"] - result["before_mb"] < GROWTH_BOUND_MB, result
