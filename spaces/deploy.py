"""Upload a folder built by `python spaces/build.py` to a Hugging Face Space, creating the Space if needed.

    python spaces/deploy.py DIR --repo USER/SPACE-NAME --dry-run      # says what would happen; no token needed
    HF_TOKEN=hf_... python spaces/deploy.py DIR --repo USER/SPACE-NAME [--hardware H] [--variable KEY=VALUE]
        [--secret NAME=VALUE]
    HF_TOKEN=hf_... python spaces/deploy.py all OUT --owner USER [--per-demo] [--dry-run]
    python spaces/deploy.py check --owner USER [--per-demo]           # what to fix before class

The token (a write token from https://huggingface.co/settings/tokens) is read from HF_TOKEN. The SDK and the
hardware of a new Space are read from the folder's README.md front matter (`sdk`, `suggested_hardware`); an
existing Space keeps its hardware unless --hardware is given. The upload replaces every file of the Space, so
that nothing stale from an earlier build stays. A secret is stored hidden and never printed; a variable is
public, so a token-like one is refused. Without a token, or without the Hub, it stops with one line.
"""

import argparse
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import layout
import zerogpu
from cards import read_front_matter
from cli import print_lines

HUB_TIMEOUT_S = 10
SDKS = ("gradio", "docker", "static")
IGNORE = ["__pycache__/*", "**/__pycache__/*", "*.pyc"]  # never uploaded
DELETE = ["*"]  # every file of the Space that the upload does not bring is deleted (the Hub keeps .gitattributes)
PLACEHOLDER = "OWNER"  # the course page's stand-in for the owner of the demo Spaces, in config.js
STREAMLIT_URL_VARIABLE = "GENAI_STREAMLIT_URL"  # read by the suite Space (spaces/entries.py)


class DeployError(Exception):
    """A one-line reason the upload cannot happen, and what to do."""


SECRET_NAME = re.compile(r"TOKEN|KEY|SECRET|PASSWORD|PASSWD|CREDENTIAL", re.IGNORECASE)
KEY_LIKE = re.compile(r"[A-Za-z0-9_\-+=]{32,}")  # 32 or more key characters: no spaces, dots, '/' or ':'
HEX_KEY = re.compile(r"[0-9a-fA-F]{32,}")
HUB_TOKEN_PREFIX = "hf_"


@dataclass
class Plan:
    """What a deploy creates and uploads."""

    folder: Path
    repo: str
    sdk: str
    hardware: str | None  # for a new Space; None for a static Space, which runs on no hardware of its own
    variables: dict[str, str]
    private: bool
    files: list[tuple[str, int]] = field(default_factory=list)  # (path in the Space, bytes)
    warnings: list[str] = field(default_factory=list)
    secrets: dict[str, str] = field(default_factory=dict, repr=False)  # never printed
    hardware_given: bool = False  # --hardware: an existing Space is moved to `hardware` too


@dataclass(frozen=True)
class Existing:
    """An existing Space as the Hub reports it; `hardware` is what it runs on (or asked for, while asleep)."""

    hardware: str | None
    stage: str


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
        return ("ZeroGPU: free to host for up to 2 Spaces on a free account in good standing (verified email, older "
                "than 30 days), 10 on PRO; each visitor has a daily GPU quota (2 minutes without a login, 5 with a "
                "free account), so students must log in")  # fmt: skip
    if hardware in (None, "cpu-basic"):
        return (f"cpu-basic hardware is free, but creating a {sdk} Space needs a subscription (PRO for a user, "
                "Team or Enterprise for an organisation)")  # fmt: skip
    return f"{hardware} is paid hardware, billed for the time the Space runs: set up billing first"


def looks_secret(key: str, value: str) -> str | None:
    """Why a Space variable `key=value` looks like a secret (variables are public), or None."""
    if SECRET_NAME.search(key):
        return f"its name {key} says it is a secret"
    if value.startswith(HUB_TOKEN_PREFIX):
        return "its value starts with hf_, as a Hugging Face token does"
    mixed = all(re.search(chars, value) for chars in (r"\d", "[a-z]", "[A-Z]"))
    if HEX_KEY.fullmatch(value) or (KEY_LIKE.fullmatch(value) and mixed):
        return "its value is a long random-looking string, as a key or a token is"
    return None


def parse_variables(pairs: list[str]) -> dict[str, str]:
    """--variable KEY=VALUE options; a token-like one is refused, since a Space's variables are public."""
    variables = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise DeployError(
                f"--variable {pair!r} is not KEY=VALUE: e.g. --variable {STREAMLIT_URL_VARIABLE}=https://..."
            )
        key, value = key.strip(), value.strip()
        reason = looks_secret(key, value)
        if reason:
            raise DeployError(
                f"--variable {key} looks like a secret ({reason}), and a Space's variables are public: pass it as "
                f"--secret {key}=... (stored hidden), or as --secret {key} to read it from the environment variable "
                f"{key}"
            )
        variables[key] = value
    return variables


def parse_secrets(items: list[str]) -> dict[str, str]:
    """--secret NAME=VALUE, or --secret NAME for the value of the environment variable NAME; no value is ever
    repeated in a message."""
    secrets = {}
    for number, item in enumerate(items, start=1):
        key, sep, value = item.partition("=")
        key = key.strip()
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise DeployError(
                f"--secret number {number} does not start with a name (letters, digits, _): write --secret NAME=VALUE, "
                "or --secret NAME to read the value from the environment variable NAME"
            )
        if not sep:
            value = os.environ.get(key, "")
            if not value:
                raise DeployError(
                    f"--secret {key}: the environment variable {key} is not set; set it, or write {key}=VALUE"
                )
        if not value.strip():
            raise DeployError(f"--secret {key} has an empty value: write --secret {key}=VALUE")
        secrets[key] = value
    return secrets


def listing(folder: Path) -> list[tuple[str, int]]:
    """The files the upload sends: (path in the Space, bytes), without caches."""
    files = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            files.append((path.relative_to(folder).as_posix(), path.stat().st_size))
    return files


def check_fits_zerogpu(folder: Path, hardware: str) -> None:
    """A Space whose GPU functions ask for more than a visitor's quota allows is not put on ZeroGPU."""
    if not hardware.startswith("zero"):
        return
    long_calls = zerogpu.too_long(zerogpu.folder_modules(folder))
    if long_calls:
        raise DeployError(zerogpu.refusal(str(folder), long_calls))


def plan(
    folder: Path,
    repo: str,
    private: bool = False,
    hardware: str | None = None,
    variables: dict | None = None,
    secrets: dict | None = None,
) -> Plan:
    """Check the folder and the options, and say what a deploy would do; touches neither the network nor the Hub."""
    check_repo(repo)
    meta = front_matter(folder)
    sdk = meta["sdk"]
    if sdk == "static":
        check_no_placeholder(folder)
        if hardware:
            raise DeployError("a static Space runs on no hardware of its own: leave out --hardware")
        if secrets:
            raise DeployError(
                "a static Space runs no code of its own, so it has no use for secrets: leave out --secret"
            )
    elif hardware:
        check_hardware(hardware, sdk)
    chosen = None if sdk == "static" else hardware or meta.get("suggested_hardware")
    if chosen:
        check_fits_zerogpu(folder, chosen)
    result = Plan(folder, repo, sdk, chosen, dict(variables or {}), private, listing(folder),
                  secrets=dict(secrets or {}), hardware_given=bool(hardware))  # fmt: skip
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


def hardware_line(p: Plan, existing: Existing | None, unknown: str | None) -> str:
    """What happens to the Space and its hardware: created with it, kept, or changed."""
    visibility = "private" if p.private else "public"
    if p.hardware is None:
        verb = "update" if existing else "create" if not unknown else "create (or update)"
        return f"would {verb} the {visibility} Space {p.repo}: sdk {p.sdk}, no hardware (static)"
    if unknown:
        keeps = (
            f"moved to {p.hardware} (--hardware)" if p.hardware_given else "kept as it is (add --hardware to change it)"
        )
        return (
            f"would create the {visibility} Space {p.repo} with sdk {p.sdk} and hardware {p.hardware}, or, if it "
            f"exists, update it with its hardware {keeps}; whether it exists is not known ({unknown})"
        )
    if existing is None:
        return f"would create the {visibility} Space {p.repo}: sdk {p.sdk}, hardware {p.hardware}"
    now = existing.hardware or "none yet"
    if p.hardware_given and p.hardware != existing.hardware:
        return f"would update the Space {p.repo} (sdk {p.sdk}): hardware {now} -> {p.hardware} (--hardware)"
    line = f"would update the Space {p.repo} (sdk {p.sdk}): hardware stays {now}"
    if p.hardware != existing.hardware:
        line += f" (the folder suggests {p.hardware}: add --hardware {p.hardware} to move it)"
    return line


def describe(p: Plan, existing: Existing | None = None, unknown: str | None = None) -> str:
    """What `p` creates and uploads, for --dry-run; `existing` is the Space as it is now (None: there is none),
    and `unknown` why the Hub could not say. Secrets appear by name only."""
    size = sum(size for _, size in p.files)
    stays = existing.hardware if existing and not (p.hardware_given and p.hardware) else p.hardware
    lines = [
        hardware_line(p, existing, unknown),
        f"  cost: {cost(p.sdk, stays)} (check https://huggingface.co/pricing)",
        *(f"  variable {key}={value}" for key, value in p.variables.items()),
        *(f"  secret {key} (stored hidden; its value is not shown)" for key in p.secrets),
        f"would upload {len(p.files)} files ({size / 2**20:.1f} MB) from {p.folder}, and delete every other file "
        "of the Space (.gitattributes stays):",
        *(f"  {path}  ({size / 2**10:.0f} kB)" for path, size in p.files),
    ]
    return "\n".join(lines)


def hub_api(token_value: str | None = None):
    """A Hub client (huggingface_hub.HfApi), with short timeouts."""
    os.environ.setdefault("HF_HUB_ETAG_TIMEOUT", str(HUB_TIMEOUT_S))
    os.environ.setdefault("HF_HUB_DOWNLOAD_TIMEOUT", str(HUB_TIMEOUT_S))
    from huggingface_hub import HfApi

    return HfApi(token=token_value)


def lookup(api, repo: str) -> Existing | None:
    """The Space `repo` as it is now, or None when it does not exist."""
    if not api.repo_exists(repo, repo_type="space"):
        return None
    runtime = api.get_space_runtime(repo)
    return Existing(getattr(runtime, "requested_hardware", None) or getattr(runtime, "hardware", None),
                    str(getattr(runtime, "stage", "")))  # fmt: skip


def dry_run(p: Plan) -> str:
    """describe(p), after asking the Hub (read only, with HF_TOKEN when set) whether the Space exists."""
    try:
        existing, unknown = lookup(hub_api(os.environ.get("HF_TOKEN", "").strip() or None), p.repo), None
    except Exception as err:  # noqa: BLE001 - offline or refused: the dry run says so instead
        existing, unknown = None, f"the Hub could not be asked: {type(err).__name__}"
    return describe(p, existing, unknown)


def token() -> str:
    value = os.environ.get("HF_TOKEN", "").strip()
    if not value:
        raise DeployError(
            "HF_TOKEN is not set: create a write token at https://huggingface.co/settings/tokens and run "
            "HF_TOKEN=hf_... python spaces/deploy.py ... (or try --dry-run, which needs none)"
        )
    return value


def deploy(p: Plan) -> str:
    """Create the Space (or update it) and upload the folder; the Space's URL.

    A new Space gets its hardware, variables and secrets when it is created. An existing one gets the variables
    and secrets, and the hardware only when --hardware was given (its owner may have changed it under Settings)."""
    api = hub_api(token())
    try:
        api.whoami()  # fails fast, with a clear reason, on a bad token or no network
        if api.repo_exists(p.repo, repo_type="space"):
            url = f"https://huggingface.co/spaces/{p.repo}"
            for key, value in p.variables.items():
                api.add_space_variable(p.repo, key, value)
            for key, value in p.secrets.items():
                api.add_space_secret(p.repo, key, value)
            if p.hardware_given and p.hardware:
                api.request_space_hardware(p.repo, p.hardware)
        else:
            url = api.create_repo(
                p.repo, repo_type="space", space_sdk=p.sdk, private=p.private, exist_ok=True,
                space_hardware=p.hardware,
                space_variables=[{"key": k, "value": v} for k, v in p.variables.items()] or None,
                space_secrets=[{"key": k, "value": v} for k, v in p.secrets.items()] or None,
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
        detail = str(err).splitlines()[0] if str(err) else "no detail"
        for value in p.secrets.values():
            detail = detail.replace(value, "***")
        raise DeployError(
            f"could not reach the Hugging Face Hub or it refused the deploy ({type(err).__name__}: {detail}): check "
            "the network, that HF_TOKEN can write, and that your plan allows this SDK and hardware (see "
            "docs/deploy.md)"
        ) from None
    return str(url)


def deploy_all(out: Path, owner: str, per_demo: bool, dry: bool, secrets: dict[str, str]) -> Iterator[str]:
    """Deploy every Space a class needs from `out` (built by `python spaces/build.py all`), in order: the Streamlit
    page, then the suite with GENAI_STREAMLIT_URL set to the page's address (or each Gradio demo), then the course
    page when `out` has one. Everything is checked before anything is uploaded; yields the lines to print, each
    Space's as it is deployed."""
    course_page = (out / layout.COURSE_PAGE).is_dir()
    spaces = layout.spaces_for(per_demo, course_page)
    missing = [space for space in spaces if not (out / space / "README.md").is_file()]
    if missing:
        raise DeployError(
            f"{out} has no built {', '.join(missing)}: build them first with python spaces/build.py all --out {out}"
        )
    if course_page:
        try:
            config = layout.read_course_config((out / layout.COURSE_PAGE / "config.js").read_text())
        except (OSError, ValueError) as err:
            raise DeployError(f"{out / layout.COURSE_PAGE}: {err}") from None
        mismatches = layout.course_mismatches(config, owner, per_demo, lambda space: layout.space_url(owner, space))
        if mismatches:
            raise DeployError(mismatches[0])
    (page,) = layout.streamlit_pages()
    plans = []
    for space in spaces:
        variables = {STREAMLIT_URL_VARIABLE: layout.space_url(owner, page)} if space == layout.SUITE else {}
        hidden = {} if space == layout.COURSE_PAGE else secrets
        plans.append(plan(out / space, f"{owner}/{layout.repo_name(space)}", variables=variables, secrets=hidden))
    if not course_page:
        yield (
            f"warning: {out} has no course page: build it with python spaces/build.py course_page --out {out} "
            f"--owner {owner}{' --per-demo' if per_demo else ''} to deploy it too"
        )
    for number, p in enumerate(plans, start=1):
        yield from [f"{number}/{len(plans)} {p.folder.name}:", *(f"warning: {w}" for w in p.warnings)]
        yield dry_run(p) if dry else f"deployed {p.folder} to {deploy(p)}"


def main_all(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python spaces/deploy.py all",
        description="Deploy every Space of a class, Streamlit page first, then the suite (or each demo), then the "
        "course page.",
    )
    parser.add_argument("out", type=Path, help="the folder python spaces/build.py all --out OUT built")
    parser.add_argument("--owner", required=True, help="the Hugging Face user or organisation that owns the Spaces")
    parser.add_argument("--per-demo", action="store_true", help="one Space per Gradio demo instead of the suite")
    parser.add_argument("--dry-run", action="store_true", help="say what would be created and uploaded, and stop")
    parser.add_argument("--secret", action="append", default=[], metavar="NAME=VALUE",
                        help="a secret of every Space that runs code (repeatable; NAME alone reads $NAME)")  # fmt: skip
    args = parser.parse_args(argv)

    def lines() -> Iterator[str]:
        yield from deploy_all(args.out, args.owner, args.per_demo, args.dry_run, parse_secrets(args.secret))
        if args.dry_run:
            yield "dry run: nothing was created or uploaded"

    return print_lines(lines(), DeployError)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["all"]:
        return main_all(argv[1:])
    if argv[:1] == ["check"]:
        import check

        return check.main(argv[1:])
    parser = argparse.ArgumentParser(prog="python spaces/deploy.py", description=__doc__.splitlines()[0],
                                     epilog="Also: python spaces/deploy.py all OUT --owner USER, and "
                                     "python spaces/deploy.py check --owner USER (each with --help).")  # fmt: skip
    parser.add_argument("folder", type=Path, help="a folder built by python spaces/build.py, e.g. out/prompting")
    parser.add_argument("--repo", required=True, help="the Space to create or update: USER/SPACE-NAME")
    parser.add_argument("--dry-run", action="store_true", help="say what would be created and uploaded, and stop")
    parser.add_argument("--hardware", help="e.g. cpu-basic or zero-a10g (default: the README's suggested_hardware)")
    parser.add_argument(
        "--variable", action="append", default=[], metavar="KEY=VALUE", help="a public Space variable (repeatable)"
    )
    parser.add_argument("--secret", action="append", default=[], metavar="NAME=VALUE",
                        help="a Space secret, stored hidden and never printed (repeatable; NAME alone reads $NAME)")  # fmt: skip
    parser.add_argument("--private", action="store_true", help="create the Space as private (it cannot be embedded)")
    args = parser.parse_args(argv)

    def lines() -> Iterator[str]:
        p = plan(args.folder, args.repo, args.private, args.hardware, parse_variables(args.variable),
                 parse_secrets(args.secret))  # fmt: skip
        for warning in p.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        if args.dry_run:
            yield from [dry_run(p), "dry run: nothing was created or uploaded"]
        else:
            yield f"deployed {args.folder} to {deploy(p)}"

    return print_lines(lines(), DeployError)


if __name__ == "__main__":
    sys.exit(main())
