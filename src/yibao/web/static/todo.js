// How the bill is settled and what to do: the document's `guidance` when it has one, else
// general guidance derived from settlement.mode, settlement.reason and the registration.
import { el } from "./result.js";

const STAGE_WORDS = { before: "todo_before", at_discharge: "todo_at_discharge", claim: "todo_claim" };

/** General guidance as [{stage, items}] from the settlement and the form's state. */
export function derivedGuidance(settlement, state, words) {
  const { scope, registration, mode, reason } = settlement.settlement;
  const before = [];
  if (scope !== "local" && registration !== "waived") {
    before.push(registration === "none" ? words.todo_register : words.todo_registered);
  }
  if (reason === "not_designated" || state.desig !== "1") before.push(words.todo_designated);
  if (reason === "not_networked") before.push(words.todo_networked);
  before.push(words.todo_bring_card);
  const discharge = [mode === "direct" ? words.todo_direct : words.todo_pay_keep];
  const claim = [];
  if (mode === "manual") {
    const materials = ["todo_m_invoice", "todo_m_itemised", "todo_m_summary", "todo_m_id", "todo_m_bank"];
    if (registration === "referral") materials.push("todo_m_referral");
    if (registration === "long_term") materials.push("todo_m_residence");
    claim.push({ text: words.todo_materials, list: materials.map((key) => words[key]) });
    claim.push(words.todo_deadline);
  }
  if (state.prod) claim.push(words.todo_products);
  return [
    { stage: "before", items: before },
    { stage: "at_discharge", items: discharge },
    { stage: "claim", items: claim },
  ].filter((group) => group.items.length);
}

/** One checklist entry: a string, a derived {text, list}, or a document GuidanceStep. */
function itemNode(item, words) {
  if (typeof item === "string") return el("li", {}, item);
  if (item.list) return el("li", {}, item.text, el("ul", {}, ...item.list.map((m) => el("li", {}, m))));
  const text = item.text ?? JSON.stringify(item);
  const deadline = item.deadline
    ? el("strong", { className: "deadline" }, ` ${words.todo_deadline_by.replace("{date}", item.deadline)}`)
    : null;
  const materials = item.materials?.length ? el("ul", {}, ...item.materials.map((m) => el("li", {}, m))) : null;
  const meta = item.rule || item.assumed || item.source
    ? el(
        "p",
        { className: "step-meta" },
        item.assumed ? el("span", { className: "badge assumed", title: item.assumed }, words.res_assumed) : null,
        item.rule ? el("code", {}, item.rule) : null,
        item.source ? el("span", { className: "source" }, `${words.res_source}: ${item.source.title ?? ""}`) : null,
      )
    : null;
  return el("li", { "data-assumed": item.assumed ? "true" : "false" }, text, deadline, materials, meta);
}

/** The document's own guidance (GuidanceStep: phase, text, deadline, materials …), grouped by phase. */
function serverGuidance(guidance) {
  const groups = new Map();
  for (const item of guidance) {
    const stage = (typeof item === "object" && (item.phase ?? item.stage)) || "";
    if (!groups.has(stage)) groups.set(stage, []);
    groups.get(stage).push(item);
  }
  return [...groups].map(([stage, items]) => ({ stage, items }));
}

function renderGroups(groups, words) {
  return groups.map((group) =>
    el(
      "div",
      { className: "todo-group", "data-stage": group.stage },
      el("h4", {}, words[STAGE_WORDS[group.stage]] ?? group.stage),
      el("ul", { className: "checklist" }, ...group.items.map((item) => itemNode(item, words))),
    ),
  );
}

/** Show the settlement mode and the checklist. */
export function renderTodo(settlement, state, context) {
  const { words } = context;
  const how = settlement.settlement;
  document
    .getElementById("mode")
    .replaceChildren(
      el("p", { className: `mode-line mode-${how.mode}`, "data-mode": how.mode }, words[`mode_${how.mode}`]),
      el(
        "p",
        {},
        `${words.res_scope}: ${words[`scope_${how.scope}`]} · ${words.form_registration}: ${words[`opt_${how.registration}`]}`,
      ),
      el("p", { className: "explanation" }, how.explanation),
    );
  const fromServer = Array.isArray(settlement.guidance) && settlement.guidance.length > 0;
  const groups = fromServer ? serverGuidance(settlement.guidance) : derivedGuidance(settlement, state, words);
  const intro = [
    el("h4", {}, words.todo_title),
    el("p", { className: "note", "data-guidance": fromServer ? "document" : "general" }, words.todo_general),
  ];
  if (fromServer) intro.push(el("p", {}, words.todo_from_server));
  document.getElementById("todo").replaceChildren(...intro, ...renderGroups(groups, words));
}
