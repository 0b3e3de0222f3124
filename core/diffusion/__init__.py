"""Text-to-image diffusion: a captioned-shapes model of our own, any diffusers pipeline from the hub, and
the forward and reverse processes written out.

The light modules (`choices`, `shapes`, `display`, `models`) import without torch. The heavy ones
(`core.diffusion.models.HEAVY`) can be reached as attributes, `core.diffusion.generate`: the first access imports
them all, once, under a lock, so a demo's handlers never race the warm-up thread into a half-loaded diffusers.
"""

import importlib


def __getattr__(name: str):
    from core.diffusion.models import HEAVY, import_heavy

    if name not in HEAVY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import_heavy()
    return importlib.import_module(f"{__name__}.{name}")
