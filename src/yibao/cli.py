"""The command line: thin commands over the policy, settlement and schema modules.

Bad input exits with status 2 and one line per problem (where: what, value, fix); never
a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, Literal, ParamSpec, TypeVar

import typer
from rich.console import Console

from yibao.errors import YibaoError
from yibao.policy.lookup import PolicySet

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="yibao: who pays what for a medical bill in China."
)
policies_app = typer.Typer(no_args_is_help=True, help="List, show and check policy files.")
app.add_typer(policies_app, name="policies")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

P = ParamSpec("P")
R = TypeVar("R")

PoliciesOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--policies", help="A folder of your own policy files (repeatable; also YIBAO_POLICY_PATH)."
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


def friendly(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn YibaoError into one stderr line per problem and exit status 2."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except YibaoError as exc:
            for problem in exc.problems:
                err.print(f"error: {problem}", markup=False, highlight=False)
            raise typer.Exit(2) from None

    return wrapper


def load(extra: list[Path] | None) -> PolicySet:
    """Built-in packs plus the user's folders."""
    return PolicySet.load(extra or [])


def print_json(data: Any) -> None:
    """JSON on stdout, UTF-8, no escaping of Chinese."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@policies_app.command("list")
@friendly
def policies_list(policies: PoliciesOpt = None, as_json: JsonOpt = False) -> None:
    """Every scheme and product edition: id, name, region, kind, validity and source."""
    from yibao.cli_render import policy_table
    from yibao.policy.describe import listing_row

    rows = [listing_row(p) for p in load(policies).all()]
    if as_json:
        print_json(rows)
    else:
        out.print(policy_table(rows))


@policies_app.command("show")
@friendly
def policies_show(
    ref: Annotated[str, typer.Argument(help="A policy id (newest edition) or id@edition.")],
    policies: PoliciesOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """All parameters of one edition with their sources; assumed numbers are flagged."""
    from yibao.cli_render import policy_tree
    from yibao.policy.describe import full_description

    described = full_description(load(policies), ref)
    if as_json:
        print_json(described)
    else:
        out.print(policy_tree(described))


@policies_app.command("check")
@friendly
def policies_check(
    paths: Annotated[list[Path], typer.Argument(help="Policy files or folders to validate.")],
    as_json: JsonOpt = False,
) -> None:
    """Validate policy files; print every problem as file: key: message, and exit 2 if any."""
    from yibao.policy.load import builtin_pack_dir, load_policies

    loaded, problems = load_policies([builtin_pack_dir(), *paths])
    own = [p for p, _ in loaded if any(p.resolve().is_relative_to(x.resolve()) for x in paths)]
    if as_json:
        print_json(
            {
                "ok": not problems,
                "files": len(own),
                "problems": [{"where": p.where, "message": p.message, "value": p.value} for p in problems],
            }
        )
    else:
        for problem in problems:
            err.print(f"error: {problem}", markup=False, highlight=False)
        if not problems:
            out.print(f"{len(own)} policy file(s) OK")
    if problems:
        raise typer.Exit(2)


@app.command("settle")
@friendly
def settle(
    bill_path: Annotated[
        Path, typer.Argument(metavar="BILL.json", help="A bill document (see `yibao schema bill`).")
    ],
    policies: PoliciesOpt = None,
    as_json: JsonOpt = False,
    lang: Annotated[Literal["zh", "en"], typer.Option("--lang", help="Language of the explanation.")] = "zh",
    as_known_on: Annotated[
        str | None, typer.Option("--as-known-on", metavar="DATE", help="Use only editions published by DATE.")
    ] = None,
) -> None:
    """Settle one bill: every payment, the out-of-pocket amount and why, step by step."""
    from yibao.cli_render import settlement_view
    from yibao.documents.bill import read_bill
    from yibao.settle import settle_bill

    known = _date_option("--as-known-on", as_known_on)
    doc = settle_bill(read_bill(bill_path), load(policies), known, lang)
    if as_json:
        print_json(doc.model_dump(mode="json"))
    else:
        settlement_view(out, doc)


@app.command("schema")
@friendly
def schema(
    document: Annotated[
        Literal["bill", "settlement", "policy", "batch"], typer.Argument(help="Which document.")
    ],
) -> None:
    """Print the JSON Schema of a bill, a settlement or a policy file, or the batch book format."""
    from yibao.schemas import json_schema

    print_json(json_schema(document))


def _date_option(name: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        from yibao.errors import InputError, Problem

        raise InputError(Problem(name, f"{value!r} is not a date; write it as YYYY-MM-DD", value)) from None


def main() -> None:
    """Entry point of the `yibao` command."""
    from yibao import cli_batch, cli_crossregion, cli_service

    cli_service.register(app)
    cli_batch.register(app)
    cli_crossregion.register(app)
    app()
