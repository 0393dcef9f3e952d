// From the form's state to a bill document, checked in the page, settled by POST /v1/estimates.
import { formatYuan, parseYuan, typicalSplit } from "./money.js";

const SPLIT_KEYS = { a: "class_a", b: "class_b", c: "class_c", ol: "over_limit" };
const MATERNITY = /^maternity_/;

/** Problems the page can see itself, as {key: message}; the server checks everything again. */
export function checkState(state, words) {
  const errors = {};
  const amount = (key, required) => {
    const value = state[key];
    if (!value) {
      if (required) errors[key] = words.err_required;
      return;
    }
    if (parseYuan(value) === null) errors[key] = words.err_amount.replace("{value}", value);
  };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(state.date)) errors.date = words.err_date;
  for (const key of ["scheme", "cat", "city", "level", "kind"]) {
    if (!state[key]) errors[key] = words.err_required;
  }
  if (state.mode === "total") {
    amount("total", true);
    if (!errors.total && parseYuan(state.total) === 0) errors.total = words.err_positive;
  } else {
    for (const key of [...Object.keys(SPLIT_KEYS), "sd"]) amount(key, false);
    const sum = ["a", "b", "c", "ol", "sd"].reduce((s, k) => s + (parseYuan(state[k] || "0") ?? 0), 0);
    if (!Object.keys(errors).some((k) => k in SPLIT_KEYS) && sum === 0) errors.a = words.err_positive;
  }
  amount("ytd", false);
  if (state.months && !/^\d{1,3}$/.test(state.months)) errors.months = words.err_months;
  return errors;
}

function fen(value) {
  return parseYuan(value || "0") ?? 0;
}

function splitOf(state, shares) {
  if (state.mode === "total") {
    const parts = typicalSplit(fen(state.total), shares[state.kind] ?? shares.inpatient);
    return Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, formatYuan(v)]));
  }
  const split = {};
  for (const [key, name] of Object.entries(SPLIT_KEYS)) split[name] = formatYuan(fen(state[key]));
  if (fen(state.sd) > 0 && state.sdl) split.special_drugs = { [state.sdl]: formatYuan(fen(state.sd)) };
  return split;
}

/** The bill document of a state (see `yibao schema bill`). */
export function billOf(state, shares) {
  const pre = state.pre === "1";
  const bill = {
    id: "web-estimate",
    date: state.date,
    kind: state.kind,
    person: {
      scheme: state.scheme,
      category: state.cat,
      products: (state.prod || "").split(",").filter(Boolean).map((id) => ({ id, pre_existing: pre })),
    },
    institution: {
      region: state.city,
      level: state.level,
      designated: state.desig === "1",
      networked: state.net === "1",
    },
    registration: state.reg || "none",
    split: splitOf(state, shares),
  };
  if (state.variant) bill.variant = state.variant;
  if (state.months) bill.contribution_months = Number(state.months);
  return bill;
}

/** Earlier in-policy costs this year as one earlier local bill at the same level, or null. */
export function earlierBillOf(state, homeRegion) {
  if (fen(state.ytd) === 0 || MATERNITY.test(state.kind)) return null;
  const bill = billOf({ ...state, mode: "split", a: state.ytd, b: "", c: "", ol: "", sd: "" }, {});
  bill.id = "web-earlier";
  bill.institution = { region: homeRegion, level: state.level, designated: true, networked: true };
  bill.registration = "none";
  delete bill.variant;
  delete bill.contribution_months;
  return bill;
}

/** A failed estimate: the problem document's errors, each with its field path. */
export class EstimateProblem extends Error {
  constructor(problems, status) {
    super(problems.map((p) => p.message).join("; "));
    this.problems = problems;
    this.status = status;
  }
}

async function post(bill, lang) {
  let response;
  try {
    response = await fetch(`/v1/estimates?lang=${lang}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(bill),
    });
  } catch {
    throw new EstimateProblem([], 0);
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const problems = body.errors ?? [{ field: "", value: null, message: body.detail ?? response.statusText }];
    throw new EstimateProblem(problems, response.status);
  }
  return body;
}

/** Settle a state: the earlier bill first (for year-to-date), then the bill itself. */
export async function estimate(state, context) {
  const earlier = earlierBillOf(state, context.homeRegion(state.scheme));
  const bill = billOf(state, context.shares);
  if (earlier) bill.year_to_date = (await post(earlier, context.lang)).accumulators;
  return { bill, settlement: await post(bill, context.lang), ytdFen: earlier ? fen(state.ytd) : 0 };
}

const FIELD_KEYS = [
  ["bill.date", "date"],
  ["bill.kind", "kind"],
  ["bill.person.scheme", "scheme"],
  ["bill.person.category", "cat"],
  ["bill.person.products", "prod"],
  ["bill.person", "scheme"],
  ["bill.institution.region", "city"],
  ["bill.institution.level", "level"],
  ["bill.institution.designated", "desig"],
  ["bill.institution.networked", "net"],
  ["bill.institution", "city"],
  ["bill.registration", "reg"],
  ["bill.split.class_a", "a"],
  ["bill.split.class_b", "b"],
  ["bill.split.class_c", "c"],
  ["bill.split.over_limit", "ol"],
  ["bill.split.special_drugs", "sd"],
  ["bill.split", "a"],
  ["bill.variant", "variant"],
  ["bill.contribution_months", "months"],
  ["bill.year_to_date", "ytd"],
];

/** The form key a server field path belongs to ('' when none: shown above the button). */
export function keyOfField(path, state) {
  const found = FIELD_KEYS.find(([prefix]) => path === prefix || path.startsWith(prefix));
  if (!found) return "";
  const key = found[1];
  return state.mode === "total" && ["a", "b", "c", "ol", "sd"].includes(key) ? "total" : key;
}
