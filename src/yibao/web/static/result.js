// The result: out-of-pocket in large type, who pays (bar, legend, table), split, steps, assumptions.
import { amountFen, displayYuan } from "./money.js";

export const PAYERS = ["basic", "critical", "supplementary", "personal_account", "out_of_pocket"];

/** Build an element: el("p", {className: "x"}, "text", child). */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key.startsWith("data-") || key.startsWith("aria-") || key === "role") node.setAttribute(key, value);
    else node[key] = value;
  }
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

/** Fen by payer, out-of-pocket last; only payers that appear. */
export function byPayer(settlement) {
  const totals = new Map();
  for (const line of settlement.payments) {
    totals.set(line.payer, (totals.get(line.payer) ?? 0) + amountFen(line.amount));
  }
  totals.set("out_of_pocket", amountFen(settlement.out_of_pocket));
  return PAYERS.filter((p) => totals.has(p)).map((payer) => ({ payer, fen: totals.get(payer) }));
}

/** A stacked bar of who pays what (its text lives in the legend and the label). */
export function stackedBar(bar, settlement, words) {
  const total = amountFen(settlement.total);
  const parts = byPayer(settlement);
  bar.replaceChildren(
    ...parts
      .filter((p) => p.fen > 0)
      .map((p) => {
        const seg = el("span", { className: `seg seg-${p.payer}`, "data-payer": p.payer });
        seg.style.width = `${total ? (100 * p.fen) / total : 0}%`;
        return seg;
      }),
  );
  const label = parts.map((p) => `${words[`payer_${p.payer}`]} ${displayYuan(p.fen)}`).join("; ");
  bar.setAttribute("aria-label", label);
  return parts;
}

function renderLegend(list, parts, total, words) {
  list.replaceChildren(
    ...parts.map((p) =>
      el(
        "li",
        { "data-payer": p.payer },
        el("span", { className: `swatch seg-${p.payer}`, "aria-hidden": "true" }),
        el("span", { className: "legend-name" }, words[`payer_${p.payer}`]),
        el("span", { className: "legend-amount amount" }, displayYuan(p.fen)),
        el("span", { className: "legend-share" }, total ? `${((100 * p.fen) / total).toFixed(1)}%` : ""),
      ),
    ),
  );
}

function renderPayments(table, settlement, words, lang) {
  const rows = settlement.payments.map((line) =>
    el(
      "tr",
      { "data-policy": line.policy, "data-benefit": line.benefit },
      el("td", {}, words[`payer_${line.payer}`]),
      el("td", {}, lang === "en" && line.name_en ? line.name_en : line.name),
      el("td", {}, el("a", { href: `/policies/${line.policy}?lang=${lang}` }, line.policy)),
      el("td", { className: "num amount" }, displayYuan(amountFen(line.amount))),
    ),
  );
  table.tBodies[0].replaceChildren(...rows);
  const foot = (name, amount, id) =>
    el(
      "tr",
      { "data-row": id },
      el("th", { scope: "row", colSpan: 3 }, name),
      el("td", { className: "num amount" }, displayYuan(amountFen(amount))),
    );
  table.tFoot.replaceChildren(
    foot(words.payer_out_of_pocket, settlement.out_of_pocket, "out_of_pocket"),
    foot(words.res_total, settlement.total, "total"),
  );
}

function renderSplit(list, split, words) {
  const rows = [
    [words.form_class_a, split.class_a],
    [words.form_class_b, split.class_b],
    [words.res_class_b_copay, split.class_b_copay],
    [words.res_in_policy, split.in_policy],
    [words.form_class_c, split.class_c],
    [words.form_over_limit, split.over_limit],
    ...Object.entries(split.special_drugs ?? {}).map(([name, amount]) => [`${words.form_special}: ${name}`, amount]),
  ];
  list.replaceChildren(
    ...rows.map(([name, amount]) =>
      el("div", {}, el("dt", {}, name), el("dd", { className: "amount" }, displayYuan(amountFen(amount)))),
    ),
  );
}

function sourceOf(source, words) {
  if (!source) return null;
  const title = source.url ? el("a", { href: source.url, rel: "noreferrer" }, source.title) : source.title;
  return el("span", { className: "source" }, `${words.res_source}: `, title, source.file ? ` (${source.file})` : "");
}

function renderSteps(list, settlement, words) {
  list.replaceChildren(
    ...settlement.trace.map((step) =>
      el(
        "li",
        { "data-op": step.op, "data-assumed": step.assumed ? "true" : "false" },
        el("p", { className: "step-text" }, step.text),
        el(
          "p",
          { className: "step-meta" },
          step.assumed ? el("span", { className: "badge assumed" }, words.res_assumed) : null,
          step.rule ? el("code", {}, step.rule) : null,
          sourceOf(step.source, words),
        ),
      ),
    ),
  );
}

function renderAssumptions(box, settlement, words) {
  if (!settlement.assumptions.length) {
    box.replaceChildren();
    return;
  }
  box.replaceChildren(
    el("h4", {}, words.res_assumptions),
    el("ul", {}, ...settlement.assumptions.map((a) => el("li", {}, a))),
  );
}

/** Show a settlement in the result section. */
export function renderResult(settlement, context) {
  const { words, lang } = context;
  const total = amountFen(settlement.total);
  const oop = amountFen(settlement.out_of_pocket);
  document.getElementById("out-of-pocket").textContent = displayYuan(oop);
  document.getElementById("out-of-pocket-share").textContent = words.res_of_total
    .replace("{total}", displayYuan(total))
    .replace("{share}", total ? `${((100 * oop) / total).toFixed(1)}%` : "0%");
  const parts = stackedBar(document.getElementById("bar"), settlement, words);
  renderLegend(document.getElementById("legend"), parts, total, words);
  renderPayments(document.getElementById("payments"), settlement, words, lang);
  renderSplit(document.getElementById("split"), settlement.split, words);
  renderSteps(document.getElementById("steps"), settlement, words);
  renderAssumptions(document.getElementById("assumptions"), settlement, words);
  const note = document.getElementById("ytd-note");
  note.hidden = !context.ytdFen;
  note.textContent = words.res_ytd_note.replace("{amount}", displayYuan(context.ytdFen));
}
