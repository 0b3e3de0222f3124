"""genai-demos core: every model, training loop, metric and data generator the demos use.

One subpackage per course concept; `core.runtime` holds what all of them share
(device policy, seeding, the model registry and the ZeroGPU helper).
"""
