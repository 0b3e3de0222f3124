"""Upload a folder built by `python -m spaces.build` to a Hugging Face Space, creating the Space if needed.

    HF_TOKEN=hf_... python -m spaces.deploy DIR --repo USER/SPACE-NAME [--private]

The token (a write token from https://huggingface.co/settings/tokens) is read from HF_TOKEN. The SDK is read
from the folder's README.md front matter. Without a token, or without the Hub, it stops with one line.
"""

import argparse
import os
import sys
from pathlib import Path

from spaces.cards import read_front_matter

HUB_TIMEOUT_S = 10


class DeployError(Exception):
    """A one-line reason the upload cannot happen, and what to do."""


def space_sdk(folder: Path) -> str:
    readme = folder / "README.md"
    if not readme.is_file():
        raise DeployError(f"{folder} has no README.md: build it first with python -m spaces.build <demo> --out DIR")
    try:
        sdk = read_front_matter(readme.read_text()).get("sdk")
    except ValueError as err:
        raise DeployError(f"{readme}: {err}") from None
    if sdk not in ("gradio", "docker", "static"):
        raise DeployError(f"{readme} says sdk: {sdk!r}; rebuild the folder with python -m spaces.build")
    return sdk


def check_repo(repo: str) -> None:
    owner, _, name = repo.partition("/")
    if not owner or not name or "/" in name:
        raise DeployError(f"--repo {repo!r} is not USER/SPACE-NAME: e.g. --repo my-user/prompting-lab")


def deploy(folder: Path, repo: str, private: bool = False) -> str:
    """Create the Space `repo` (or keep it) and upload `folder` to it; the Space's URL."""
    check_repo(repo)
    sdk = space_sdk(folder)
    token = os.environ.get("HF_TOKEN", "").strip()
    if not token:
        raise DeployError(
            "HF_TOKEN is not set: create a write token at https://huggingface.co/settings/tokens and run "
            "HF_TOKEN=hf_... python -m spaces.deploy ..."
        )
    os.environ.setdefault("HF_HUB_ETAG_TIMEOUT", str(HUB_TIMEOUT_S))
    os.environ.setdefault("HF_HUB_DOWNLOAD_TIMEOUT", str(HUB_TIMEOUT_S))
    from huggingface_hub import HfApi

    api = HfApi(token=token)
    try:
        api.whoami()  # fails fast, with a clear reason, on a bad token or no network
        url = api.create_repo(repo, repo_type="space", space_sdk=sdk, private=private, exist_ok=True)
        api.upload_folder(
            folder_path=str(folder),
            repo_id=repo,
            repo_type="space",
            commit_message="Deploy with python -m spaces.deploy",
            ignore_patterns=["__pycache__/*", "**/__pycache__/*", "*.pyc"],
        )
    except Exception as err:  # noqa: BLE001 - any failure (DNS, TLS, HTTP 401/403, timeout) ends in one line
        raise DeployError(
            f"could not reach the Hugging Face Hub or it refused the upload ({type(err).__name__}: "
            f"{str(err).splitlines()[0] if str(err) else 'no detail'}): check the network and that HF_TOKEN can write"
        ) from None
    return str(url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spaces.deploy", description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a folder built by python -m spaces.build, e.g. out/prompting")
    parser.add_argument("--repo", required=True, help="the Space to create or update: USER/SPACE-NAME")
    parser.add_argument("--private", action="store_true", help="create the Space as private")
    args = parser.parse_args(argv)
    try:
        url = deploy(args.folder, args.repo, args.private)
    except DeployError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"deployed {args.folder} to {url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
