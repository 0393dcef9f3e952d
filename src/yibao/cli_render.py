"""Rich renderings for the terminal: policy tables and trees, settlement views."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from yibao.batch.runner import Summary
from yibao.documents.settlement import Settlement
from yibao.money import format_yuan

_PAYER_ZH = {
    "basic": "基本医保",
    "critical": "大病保险",
    "supplementary": "补充保险",
    "personal_account": "个人账户",
}


def policy_table(rows: list[dict[str, str]]) -> Table:
    """The `policies list` table."""
    table = Table(title="yibao policies", show_lines=False)
    for column in ("id", "edition", "name", "region", "kind", "valid_from", "valid_to", "assumed", "source"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            *(
                row[c]
                for c in (
                    "id",
                    "edition",
                    "name",
                    "region",
                    "kind",
                    "valid_from",
                    "valid_to",
                    "assumed",
                    "source",
                )
            )
        )
    return table


def policy_tree(described: dict[str, Any]) -> Tree:
    """Every parameter of one edition as a tree; assumed blocks are marked."""
    listing = described["listing"]
    tree = Tree(Text(f"{described['ref']}  {listing['name']}", style="bold"))
    tree.add(
        f"kind {listing['kind']}, region {listing['region']}, valid {listing['valid_from']} to "
        f"{listing['valid_to']}, published {listing['published_on']}"
    )
    tree.add(f"file {described['path']}")
    if described["assumed"]:
        flagged = tree.add(Text("ASSUMED numbers (no public source found):", style="bold yellow"))
        for item in described["assumed"]:
            flagged.add(Text(f"{item['key']}: {item['why']}", style="yellow"))
    policy = dict(described["policy"])
    for key in ("id", "name", "kind", "region", "edition", "valid_from", "valid_to", "published_on"):
        policy.pop(key, None)
    _add(tree, policy)
    return tree


def _add(node: Tree, value: Any) -> None:
    if isinstance(value, dict):
        for key, sub in value.items():
            if isinstance(sub, dict | list) and sub and any(isinstance(x, dict | list) for x in _values(sub)):
                _add(node.add(Text(str(key), style="bold")), sub)
            else:
                style = "yellow" if key == "assumed" else ""
                node.add(Text(f"{key} = {_inline(sub)}", style=style))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            _add(node.add(Text(f"[{i}]")), sub)


def _values(value: Any) -> list[Any]:
    return list(value.values()) if isinstance(value, dict) else list(value)


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_inline(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    return repr(value) if isinstance(value, str) else str(value)


def settlement_view(console: Console, doc: Settlement) -> None:
    """A person-readable settlement: payments, out of pocket, mode, then every step."""
    zh = doc.lang == "zh"
    console.print(Text(f"{doc.bill_id}  {doc.date}  {doc.scheme}", style="bold"))
    table = Table(show_header=True)
    table.add_column("付款方" if zh else "payer")
    table.add_column("项目" if zh else "benefit")
    table.add_column("依据" if zh else "policy")
    table.add_column("金额" if zh else "amount", justify="right")
    for line in doc.payments:
        payer = _PAYER_ZH[line.payer] if zh else line.payer
        table.add_row(payer, line.name if zh else (line.name_en or line.benefit), line.policy, line.amount)
    table.add_row("个人现金" if zh else "out of pocket", "", "", Text(doc.out_of_pocket, style="bold"))
    table.add_row("合计" if zh else "total", "", "", doc.total)
    console.print(table)
    headline = f"个人现金支付 {doc.out_of_pocket} 元" if zh else f"You pay {doc.out_of_pocket} yuan"
    console.print(Panel(Text(headline, style="bold"), expand=False))
    console.print(("结算方式：" if zh else "Settlement: ") + doc.settlement.explanation)
    console.print(Text("计算过程" if zh else "How it was computed", style="bold"))
    for step in doc.trace:
        console.print(f"{step.step:>3}. {step.text}", markup=False, highlight=False)
    if doc.assumptions:
        console.print(
            Text(
                "注意：以下数值为假设，未找到公开来源" if zh else "Note: these numbers are assumed",
                style="yellow",
            )
        )
        for item in doc.assumptions:
            console.print(Text(f"  - {item}", style="yellow"), markup=False, highlight=False)
    if doc.accumulators:
        console.print(
            Text(
                "本年度累计（下一张账单的 year_to_date）"
                if zh
                else "Year to date (next bill's year_to_date)",
                style="bold",
            )
        )
        for key, value in doc.accumulators.items():
            console.print(f"  {key} = {value}", markup=False, highlight=False)


def batch_summary(console: Console, summary: Summary, out_path: Path) -> None:
    """The end-of-run summary of `yibao batch`: bills, totals per payer, time."""
    table = Table(title=f"yibao batch → {out_path}")
    table.add_column("")
    table.add_column("yuan", justify="right")
    table.add_row("total billed", format_yuan(summary.total_fen))
    for payer, fen in summary.paid_fen.items():
        table.add_row(f"paid by {payer}", format_yuan(fen))
    table.add_row("out of pocket", format_yuan(summary.out_of_pocket_fen))
    console.print(table)
    rate = summary.settled / summary.seconds if summary.seconds else 0.0
    console.print(
        f"{summary.bills} bills: {summary.settled} settled, {summary.failed} not settled, "
        f"in {summary.seconds:.2f} s ({rate:,.0f} bills/s)"
    )
