"""Text-to-image diffusion: a captioned-shapes model of our own, any diffusers pipeline from the hub, and
the forward and reverse processes written out."""
