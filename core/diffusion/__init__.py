"""Text-to-image diffusion: a captioned-shapes model of our own, any diffusers pipeline from the hub, and
the forward and reverse processes written out.

The light modules (`choices`, `shapes`, `display`, `models`) import without torch; the others import torch and
diffusers, so a demo imports them inside its handlers, which wait for the warm-up's imports
(`core.runtime.warming`) on a cold start.
"""
