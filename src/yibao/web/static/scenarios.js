// Side-by-side scenarios: the same bill with one choice changed, and what it is worth in yuan.
import { estimate } from "./bill.js";
import { editionOn } from "./form.js";
import { amountFen, displayYuan } from "./money.js";
import { el, stackedBar } from "./result.js";

/** The alternatives worth showing for a state and its settlement: [{id, title, state}]. */
export function alternatives(state, settlement, context) {
  const { words, catalog } = context;
  const named = (pair) => pair[context.lang] ?? pair.zh;
  const found = [];
  const how = settlement.settlement;
  if (how.scope !== "local" && how.registration !== "waived") {
    const registered = state.reg !== "none";
    found.push({
      id: "registration",
      title: registered
        ? words.cmp_without_registration
        : words.cmp_with_registration.replace("{registration}", words.opt_temporary),
      state: { ...state, reg: registered ? "none" : "temporary" },
    });
  }
  const scheme = catalog.schemes.find((s) => s.id === state.scheme);
  const levels = editionOn(scheme, state.date).levels;
  const at = levels.findIndex((l) => l.key === state.level);
  const other = levels[at > 0 ? at - 1 : at + 1];
  if (at >= 0 && other) {
    found.push({
      id: "level",
      title: words.cmp_level.replace("{level}", context.lang === "zh" ? other.name : `${other.key.replace("_", " ")} (${other.name})`),
      state: { ...state, level: other.key },
    });
  }
  const held = (state.prod || "").split(",").filter(Boolean);
  if (held.length) {
    const name = named(catalog.products[held[0]].name);
    found.push({
      id: "product",
      title: words.cmp_without_product.replace("{product}", name),
      state: { ...state, prod: held.slice(1).join(",") },
    });
  } else {
    const offered = scheme.products.find((id) => {
      const e = editionOn(catalog.products[id], state.date);
      return e.valid_from <= state.date && state.date <= e.valid_to;
    });
    if (offered) {
      found.push({
        id: "product",
        title: words.cmp_with_product.replace("{product}", named(catalog.products[offered].name)),
        state: { ...state, prod: offered },
      });
    }
  }
  return found;
}

function difference(altFen, baseFen, words) {
  const delta = altFen - baseFen;
  if (delta === 0) return { text: words.cmp_same, kind: "same" };
  const key = delta > 0 ? "cmp_more" : "cmp_less";
  return { text: words[key].replace("{amount}", displayYuan(Math.abs(delta))), kind: delta > 0 ? "more" : "less" };
}

function card(id, title, settlement, baseFen, words) {
  const oop = amountFen(settlement.out_of_pocket);
  const diff = id === "yours" ? null : difference(oop, baseFen, words);
  const bar = el("div", { className: "bar small", role: "img" });
  stackedBar(bar, settlement, words);
  return el(
    "article",
    { className: "card", "data-scenario": id },
    el("h3", {}, title),
    el("p", { className: "card-oop amount" }, displayYuan(oop)),
    diff ? el("p", { className: `card-diff diff-${diff.kind}`, "data-delta": diff.kind }, diff.text) : null,
    bar,
    el("p", { className: "card-mode" }, modeText(settlement, words)),
  );
}

function modeText(settlement, words) {
  return words[`mode_${settlement.settlement.mode}`];
}

/** Settle every alternative and show the cards next to the person's own case. */
export async function renderScenarios(state, settlement, context) {
  const { words } = context;
  const section = document.getElementById("scenarios");
  const cards = document.getElementById("scenario-cards");
  const baseFen = amountFen(settlement.out_of_pocket);
  const alts = alternatives(state, settlement, context);
  const settled = await Promise.all(
    alts.map((alt) =>
      estimate(alt.state, context).then(
        (r) => ({ alt, settlement: r.settlement }),
        (error) => ({ alt, error }),
      ),
    ),
  );
  const nodes = [card("yours", words.cmp_yours, settlement, baseFen, words)];
  for (const { alt, settlement: s, error } of settled) {
    if (error) {
      const message = words.cmp_failed.replace("{message}", error.message || words.err_network);
      nodes.push(el("article", { className: "card", "data-scenario": alt.id }, el("h3", {}, alt.title), el("p", {}, message)));
    } else {
      nodes.push(card(alt.id, alt.title, s, baseFen, words));
    }
  }
  cards.replaceChildren(...nodes);
  section.hidden = false;
}
