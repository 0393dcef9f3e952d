"""Read policy files (TOML) into validated editions, collecting every problem with file and key.

The built-in packs ship inside the package; a user adds folders with `--policies DIR`
or the `YIBAO_POLICY_PATH` variable (folders separated by the OS path separator).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from yibao.errors import PolicyError, Problem
from yibao.policy.checks import check_policy
from yibao.policy.models import Policy
from yibao.validation import problems_from

POLICY_PATH_VARIABLE = "YIBAO_POLICY_PATH"


def builtin_pack_dir() -> Path:
    """The folder of policy files that ship with yibao."""
    return Path(str(resources.files("yibao") / "packs"))


def policy_dirs(extra: Sequence[Path] = ()) -> list[Path]:
    """Built-in packs, then folders from YIBAO_POLICY_PATH, then folders given on the command line."""
    from_env = [Path(p) for p in os.environ.get(POLICY_PATH_VARIABLE, "").split(os.pathsep) if p]
    return [builtin_pack_dir(), *from_env, *extra]


def policy_files(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Every *.toml below the given files or folders, sorted; missing paths become problems."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.rglob("*.toml")))
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(str(path), "no such file or folder", str(path)))
    unique = list({path.resolve(): path for path in files}.values())  # a folder named twice is read once
    return unique, problems


def read_policy(path: Path) -> tuple[Policy | None, list[Problem]]:
    """Parse and validate one policy file; return the edition or the problems found."""
    where = _display(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        return None, [Problem(where, f"not valid TOML: {exc}")]
    except UnicodeDecodeError:
        return None, [Problem(where, "not UTF-8 text; save the file as UTF-8")]
    try:
        policy = Policy.model_validate(raw)
    except ValidationError as exc:
        return None, problems_from(exc, raw, f"{where}:", noun="key")
    findings = check_policy(policy)
    if findings:
        return None, [Problem(f"{where}: {key}", message) for key, message in findings]
    return policy, []


def load_policies(paths: Sequence[Path]) -> tuple[list[tuple[Path, Policy]], list[Problem]]:
    """Read every policy file below `paths`; return the good editions and every problem."""
    files, problems = policy_files(paths)
    loaded: list[tuple[Path, Policy]] = []
    for path in files:
        policy, found = read_policy(path)
        problems.extend(found)
        if policy is not None:
            loaded.append((path, policy))
    problems.extend(_duplicates(loaded))
    return loaded, problems


def load_or_raise(paths: Sequence[Path]) -> list[tuple[Path, Policy]]:
    """Load policies, raising one PolicyError that lists every problem."""
    loaded, problems = load_policies(paths)
    if problems:
        raise PolicyError(problems)
    return loaded


def _duplicates(loaded: list[tuple[Path, Policy]]) -> list[Problem]:
    seen: dict[str, Path] = {}
    problems = []
    for path, policy in loaded:
        if policy.ref in seen:
            problems.append(
                Problem(
                    f"{_display(path)}: edition",
                    f"{policy.ref} is defined again (first in {_display(seen[policy.ref])}); "
                    "give a correction its own edition and 'supersedes'",
                    policy.ref,
                )
            )
        seen.setdefault(policy.ref, path)
    refs = set(seen)
    for path, policy in loaded:
        if policy.supersedes is not None and policy.supersedes not in refs:
            problems.append(
                Problem(
                    f"{_display(path)}: supersedes",
                    f"{policy.supersedes!r} is not a loaded edition; known editions of "
                    f"{policy.id}: {', '.join(sorted(r for r in refs if r.startswith(policy.id + '@')))}",
                    policy.supersedes,
                )
            )
    return problems


def _display(path: Path) -> str:
    """A short path: relative to the packs folder for built-ins, else as given."""
    try:
        return str(path.relative_to(builtin_pack_dir().parent))
    except ValueError:
        return str(path)
