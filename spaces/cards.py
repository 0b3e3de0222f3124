"""The README.md of a Space: YAML front matter that tells the Hub how to run it, then a short page for people.

Field names follow the Hub's Spaces configuration reference (`sdk`, `sdk_version`, `app_file`, `app_port`,
`python_version`, `short_description`, `suggested_hardware`, `models`, `preload_from_hub`).
"""

import yaml

SHORT_DESCRIPTION_MAX = 60  # the Hub rejects a longer short_description
PYTHON_VERSION = "3.12.12"  # one of the two versions ZeroGPU runs (3.10.13, 3.12.12); the pinned numpy needs 3.11+
LICENCES = {  # the licence of each hub model a Space uses by default; check the model card before reuse
    "Qwen/Qwen2.5-0.5B": "Apache-2.0",
    "Qwen/Qwen2.5-0.5B-Instruct": "Apache-2.0",
    "stabilityai/sd-turbo": "Stability AI community licence; check the model card",
    "stable-diffusion-v1-5/stable-diffusion-v1-5": "CreativeML OpenRAIL-M",
    "SimianLuo/LCM_Dreamshaper_v7": "MIT; check the model card",
}

QWEN_FILES = ("config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
              "vocab.json", "merges.txt")  # fmt: skip
DIFFUSERS_FILES = (  # the diffusers folders of a Stable Diffusion pipeline; not the single-file checkpoints beside them
    "model_index.json",
    "scheduler/scheduler_config.json",
    "text_encoder/config.json",
    "text_encoder/model.safetensors",
    "tokenizer/merges.txt",
    "tokenizer/special_tokens_map.json",
    "tokenizer/tokenizer_config.json",
    "tokenizer/vocab.json",
    "unet/config.json",
    "unet/diffusion_pytorch_model.safetensors",
    "vae/config.json",
    "vae/diffusion_pytorch_model.safetensors",
)
SAFETY_CHECKER_FILES = (  # an SD 1.5-class pipeline also loads its safety checker
    "feature_extractor/preprocessor_config.json",
    "safety_checker/config.json",
    "safety_checker/model.safetensors",
)
HUB_FILES = {  # what each hub model's loader reads: preloaded when a GPU Space is built (the rest stays on the Hub)
    "Qwen/Qwen2.5-0.5B": QWEN_FILES,
    "Qwen/Qwen2.5-0.5B-Instruct": QWEN_FILES,
    "stabilityai/sd-turbo": DIFFUSERS_FILES,  # each about 5 GB in full precision
    "stable-diffusion-v1-5/stable-diffusion-v1-5": DIFFUSERS_FILES + SAFETY_CHECKER_FILES,
    "SimianLuo/LCM_Dreamshaper_v7": DIFFUSERS_FILES + SAFETY_CHECKER_FILES,
}


def preload_entry(hub_id: str) -> str:
    """One `preload_from_hub` item: the repository and the files to fetch from it, comma-separated."""
    if hub_id not in HUB_FILES:
        raise ValueError(
            f"no file list for {hub_id}: add the files its loader reads to HUB_FILES in spaces/cards.py, so that "
            "building the Space does not download the whole repository, or take it out of the model's menu "
            "(its `choices`), so that no click downloads it while a class waits"
        )
    return f"{hub_id} {','.join(HUB_FILES[hub_id])}"


def short_description(concept: str) -> str:
    text = f"Course demo: {concept}"
    if len(text) > SHORT_DESCRIPTION_MAX:
        raise ValueError(
            f"short_description {text!r} is {len(text)} characters; the Hub allows {SHORT_DESCRIPTION_MAX}: "
            "shorten the demo's `concept` in apps/catalog.toml"
        )
    return text


class _PlainDumper(yaml.SafeDumper):
    """Writes a repeated list out again instead of as a YAML alias (`&id001`), which the Hub may not follow."""

    def ignore_aliases(self, data) -> bool:
        return True


def front_matter(fields: dict) -> str:
    """`fields` as YAML between `---` lines, in the given order."""
    return "---\n" + yaml.dump(fields, Dumper=_PlainDumper, sort_keys=False, allow_unicode=True) + "---\n"


def licence_of(hub_id: str) -> str:
    return LICENCES.get(hub_id, "see its model card")


def readme(fields: dict, title: str, body: str) -> str:
    return f"{front_matter(fields)}\n# {title}\n\n{body.strip()}\n"


def read_front_matter(text: str) -> dict:
    """The YAML front matter of a README, or a ValueError when it has none."""
    if not text.startswith("---\n") or "\n---\n" not in text[4:]:
        raise ValueError("README.md has no YAML front matter: it must start with a line '---'")
    return yaml.safe_load(text[4 : text.index("\n---\n", 4)])
