"""Commands for books of bills: `yibao batch`. Thin: they call yibao.batch."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from yibao.cli import PoliciesOpt, _date_option, err, friendly, load, out


def register(app: typer.Typer) -> None:
    """Add the batch commands to the main command."""
    app.command("batch")(batch)


@friendly
def batch(
    book: Annotated[
        Path, typer.Argument(metavar="IN", help="A book of bills: Parquet or CSV (yibao schema batch).")
    ],
    out_path: Annotated[Path, typer.Option("--out", help="Results, one row per bill (.parquet or .csv).")],
    policies: PoliciesOpt = None,
    accumulators: Annotated[
        Path | None,
        typer.Option("--accumulators", help="Write the final accumulators per person-period here."),
    ] = None,
    start_accumulators: Annotated[
        Path | None,
        typer.Option("--start-accumulators", help="Accumulators to start from (a previous run's)."),
    ] = None,
    errors: Annotated[
        Path | None, typer.Option("--errors", help="Where bad rows go (default OUT.errors.csv).")
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Stop at the first bad row.")] = False,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Dask: local:N workers, or tcp://HOST:PORT of a cluster."),
    ] = None,
    chunk_rows: Annotated[
        int, typer.Option("--chunk-rows", help="Bills per chunk (whole persons).")
    ] = 131_072,
    threads: Annotated[
        int | None,
        typer.Option(
            "--threads", min=1, help="Threads settling chunks when --processes is 0 (default: one per core)."
        ),
    ] = None,
    processes: Annotated[
        int | None,
        typer.Option(
            "--processes",
            min=0,
            help="Worker processes settling chunks (default: one per core; 0: threads in this process).",
        ),
    ] = None,
    as_known_on: Annotated[
        str | None, typer.Option("--as-known-on", metavar="DATE", help="Use only editions published by DATE.")
    ] = None,
) -> None:
    """Settle a whole book of bills, in chunks of whole persons or on a Dask cluster."""
    from rich.progress import Progress

    from yibao.batch.pool import default_processes, default_threads
    from yibao.batch.runner import BatchOptions, run_batch
    from yibao.batch.start import BookStart
    from yibao.cli_render import batch_summary

    options = BatchOptions(
        chunk_rows=chunk_rows,
        threads=default_threads() if threads is None else threads,
        processes=default_processes() if processes is None else processes,
        strict=strict,
        as_known_on=_date_option("--as-known-on", as_known_on),
        start=BookStart.read(start_accumulators) if start_accumulators else None,
        accumulators_path=accumulators,
        errors_path=errors,
    )
    policy_set = load(policies)
    if scheduler is not None:
        from yibao.batch.distributed import run_distributed

        summary = run_distributed(book, out_path, policy_set, options, scheduler, policies or [])
    else:
        with Progress(console=err, transient=True, disable=not err.is_terminal) as progress:
            task = progress.add_task("settling", total=None)
            summary = run_batch(book, out_path, policy_set, options, lambda n: progress.advance(task, n))
    batch_summary(out, summary, out_path)
    if summary.failed:
        err.print(f"{summary.failed} bill(s) not settled; see {summary.errors_path}", markup=False)
