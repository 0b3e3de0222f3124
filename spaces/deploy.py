"""Upload a folder built by `python spaces/build.py` to a Hugging Face Space, creating the Space if needed.

    python spaces/deploy.py DIR --repo USER/SPACE-NAME --dry-run      # says what would happen; no token needed
    HF_TOKEN=hf_... python spaces/deploy.py DIR --repo USER/SPACE-NAME [--hardware H] [--variable KEY=VALUE]

The token (a write token from https://huggingface.co/settings/tokens) is read from HF_TOKEN. The SDK and the
hardware are read from the folder's README.md front matter (`sdk`, `suggested_hardware`). The upload replaces
every file of the Space, so that nothing stale from an earlier build stays. Without a token, or without the
Hub, it stops with one line.
"""

import argparse
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from cards import read_front_matter

HUB_TIMEOUT_S = 10
SDKS = ("gradio", "docker", "static")
IGNORE = ["__pycache__/*", "**/__pycache__/*", "*.pyc"]  # never uploaded
DELETE = ["*"]  # every file of the Space that the upload does not bring is deleted (the Hub keeps .gitattributes)
PLACEHOLDER = "OWNER"  # the course page's stand-in for the owner of the demo Spaces, in config.js
STREAMLIT_URL_VARIABLE = "GENAI_STREAMLIT_URL"  # read by the suite Space (spaces/entries.py)


class DeployError(Exception):
    """A one-line reason the upload cannot happen, and what to do."""


@dataclass
class Plan:
    """What a deploy creates and uploads."""

    folder: Path
    repo: str
    sdk: str
    hardware: str | None  # None for a static Space, which runs on no hardware of its own
    variables: dict[str, str]
    private: bool
    files: list[tuple[str, int]] = field(default_factory=list)  # (path in the Space, bytes)
    warnings: list[str] = field(default_factory=list)


def front_matter(folder: Path) -> dict:
    readme = folder / "README.md"
    if not readme.is_file():
        raise DeployError(f"{folder} has no README.md: build it first with python spaces/build.py <demo> --out DIR")
    try:
        meta = read_front_matter(readme.read_text())
    except ValueError as err:
        raise DeployError(f"{readme}: {err}") from None
    if meta.get("sdk") not in SDKS:
        raise DeployError(f"{readme} says sdk: {meta.get('sdk')!r}; rebuild the folder with python spaces/build.py")
    return meta


def check_repo(repo: str) -> None:
    owner, _, name = repo.partition("/")
    if not owner or not name or "/" in name:
        raise DeployError(f"--repo {repo!r} is not USER/SPACE-NAME: e.g. --repo my-user/prompting-lab")


def check_no_placeholder(folder: Path) -> None:
    """The course page names the owner of the demos in config.js; uploaded with the placeholder, it embeds nothing."""
    config = folder / "config.js"
    if config.is_file() and f"{PLACEHOLDER}-" in config.read_text():
        raise DeployError(
            f"{config} still names the placeholder owner {PLACEHOLDER}: build the page for your Spaces with "
            "python spaces/build.py course_page --out DIR --owner YOUR-USER, then deploy DIR/course_page"
        )


def check_hardware(hardware: str, sdk: str) -> None:
    from huggingface_hub import SpaceHardware

    known = [h.value for h in SpaceHardware]
    if hardware not in known:
        raise DeployError(f"--hardware {hardware!r} is not a Space hardware: use one of {', '.join(known)}")
    if hardware.startswith("zero") and sdk != "gradio":
        raise DeployError(f"ZeroGPU runs Gradio Spaces only and this is a {sdk} Space: use --hardware cpu-basic")


def cost(sdk: str, hardware: str | None) -> str:
    """What the Hub asks for this Space, as its documentation says; the pricing page has the current figures."""
    if sdk == "static":
        return "a static Space is free on every account"
    if hardware and hardware.startswith("zero"):
        return ("ZeroGPU: a free account may run a small number of ZeroGPU Spaces, a PRO account more; each "
                "visitor's GPU time is limited by a daily quota")  # fmt: skip
    if hardware in (None, "cpu-basic"):
        return (f"a {sdk} Space on the free cpu-basic hardware needs a subscription (PRO for a user, Team or "
                "Enterprise for an organisation)")  # fmt: skip
    return f"{hardware} is paid hardware, billed for the time the Space runs: set up billing first"


def parse_variables(pairs: list[str]) -> dict[str, str]:
    variables = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise DeployError(
                f"--variable {pair!r} is not KEY=VALUE: e.g. --variable {STREAMLIT_URL_VARIABLE}=https://..."
            )
        variables[key.strip()] = value.strip()
    return variables


def listing(folder: Path) -> list[tuple[str, int]]:
    """The files the upload sends: (path in the Space, bytes), without caches."""
    files = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            files.append((path.relative_to(folder).as_posix(), path.stat().st_size))
    return files


def plan(
    folder: Path, repo: str, private: bool = False, hardware: str | None = None, variables: dict | None = None
) -> Plan:
    """Check the folder and the options, and say what a deploy would do; touches neither the network nor the Hub."""
    check_repo(repo)
    meta = front_matter(folder)
    sdk = meta["sdk"]
    if sdk == "static":
        check_no_placeholder(folder)
        if hardware:
            raise DeployError("a static Space runs on no hardware of its own: leave out --hardware")
    elif hardware:
        check_hardware(hardware, sdk)
    result = Plan(folder, repo, sdk, None if sdk == "static" else hardware or meta.get("suggested_hardware"),
                  dict(variables or {}), private, listing(folder))  # fmt: skip
    if private:
        result.warnings.append(
            "a private Space opens only for accounts that may read it: it cannot be embedded in a course page "
            "or opened by students through a link; leave out --private for a class"
        )
    if (folder / "apps" / "launcher.py").is_file() and STREAMLIT_URL_VARIABLE not in result.variables:
        result.warnings.append(
            f"the suite links its Streamlit page through the variable {STREAMLIT_URL_VARIABLE}: deploy that page's "
            f"Space, then add --variable {STREAMLIT_URL_VARIABLE}=https://USER-confidence-vs-density.hf.space "
            "(or set it under the Space's Settings)"
        )
    return result


def describe(p: Plan) -> str:
    """What `p` creates and uploads, for --dry-run."""
    size = sum(size for _, size in p.files)
    where = "no hardware (static)" if p.hardware is None else f"hardware {p.hardware}"
    lines = [
        f"would create (or update) the {'private' if p.private else 'public'} Space {p.repo}: sdk {p.sdk}, {where}",
        f"  cost: {cost(p.sdk, p.hardware)} (check https://huggingface.co/pricing)",
        *(f"  variable {key}={value}" for key, value in p.variables.items()),
        f"would upload {len(p.files)} files ({size / 2**20:.1f} MB) from {p.folder}, and delete every other file "
        "of the Space (.gitattributes stays):",
        *(f"  {path}  ({size / 2**10:.0f} kB)" for path, size in p.files),
    ]
    return "\n".join(lines)


def token() -> str:
    value = os.environ.get("HF_TOKEN", "").strip()
    if not value:
        raise DeployError(
            "HF_TOKEN is not set: create a write token at https://huggingface.co/settings/tokens and run "
            "HF_TOKEN=hf_... python spaces/deploy.py ... (or try --dry-run, which needs none)"
        )
    return value


def deploy(p: Plan, hardware_given: bool = False) -> str:
    """Create the Space (or update it) and upload the folder; the Space's URL.

    A new Space gets its hardware and variables when it is created. An existing one gets the variables, and the
    hardware only when `hardware_given` (its owner may have changed it under Settings since)."""
    secret = token()
    os.environ.setdefault("HF_HUB_ETAG_TIMEOUT", str(HUB_TIMEOUT_S))
    os.environ.setdefault("HF_HUB_DOWNLOAD_TIMEOUT", str(HUB_TIMEOUT_S))
    from huggingface_hub import HfApi

    api = HfApi(token=secret)
    try:
        api.whoami()  # fails fast, with a clear reason, on a bad token or no network
        if api.repo_exists(p.repo, repo_type="space"):
            url = f"https://huggingface.co/spaces/{p.repo}"
            for key, value in p.variables.items():
                api.add_space_variable(p.repo, key, value)
            if hardware_given and p.hardware:
                api.request_space_hardware(p.repo, p.hardware)
        else:
            url = api.create_repo(
                p.repo, repo_type="space", space_sdk=p.sdk, private=p.private, exist_ok=True,
                space_hardware=p.hardware,
                space_variables=[{"key": k, "value": v} for k, v in p.variables.items()] or None,
            )  # fmt: skip
        api.upload_folder(
            folder_path=str(p.folder),
            repo_id=p.repo,
            repo_type="space",
            commit_message="Deploy with python spaces/deploy.py",
            ignore_patterns=IGNORE,
            delete_patterns=DELETE,
        )
    except Exception as err:  # noqa: BLE001 - any failure (DNS, TLS, HTTP 401/402/403, timeout) ends in one line
        raise DeployError(
            f"could not reach the Hugging Face Hub or it refused the deploy ({type(err).__name__}: "
            f"{str(err).splitlines()[0] if str(err) else 'no detail'}): check the network, that HF_TOKEN can write, "
            "and that your plan allows this SDK and hardware (see docs/deploy.md)"
        ) from None
    return str(url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python spaces/deploy.py", description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a folder built by python spaces/build.py, e.g. out/prompting")
    parser.add_argument("--repo", required=True, help="the Space to create or update: USER/SPACE-NAME")
    parser.add_argument("--dry-run", action="store_true", help="say what would be created and uploaded, and stop")
    parser.add_argument("--hardware", help="e.g. cpu-basic or zero-a10g (default: the README's suggested_hardware)")
    parser.add_argument(
        "--variable", action="append", default=[], metavar="KEY=VALUE", help="a Space variable (repeatable)"
    )
    parser.add_argument("--private", action="store_true", help="create the Space as private (it cannot be embedded)")
    args = parser.parse_args(argv)
    try:
        p = plan(args.folder, args.repo, args.private, args.hardware, parse_variables(args.variable))
        for warning in p.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        if args.dry_run:
            print(describe(p))
            print("dry run: nothing was created or uploaded")
            return 0
        url = deploy(p, hardware_given=bool(args.hardware))
    except DeployError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"deployed {args.folder} to {url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
