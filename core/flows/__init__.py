"""Normalizing flows (exact likelihood, invertibility) and a small DDPM on the same data, for comparison."""

from core.flows.choices import DDPM_MODEL, FLOW_MODEL

__all__ = ["DDPM_MODEL", "FLOW_MODEL"]
