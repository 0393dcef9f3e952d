// The estimator page: wire the form, the URL state, the estimate and the scenarios together.
import { checkState, estimate, EstimateProblem, keyOfField } from "./bill.js";
import { EstimateForm } from "./form.js";
import { renderResult } from "./result.js";
import { renderScenarios } from "./scenarios.js";
import { queryOf, readUrlState, writeUrlState } from "./state.js";
import { renderTodo } from "./todo.js";

const data = JSON.parse(document.getElementById("page-data").textContent);
const formEl = document.getElementById("estimate-form");
const form = new EstimateForm(formEl, data);
const words = data.words;
const context = {
  words,
  lang: data.lang,
  catalog: data.form,
  shares: data.form.typical_split.shares_bp,
  homeRegion: (id) => form.scheme(id).region,
};

function clearErrors() {
  for (const box of formEl.querySelectorAll(".field-error")) {
    box.hidden = true;
    box.textContent = "";
  }
  for (const input of formEl.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  const general = document.getElementById("form-error");
  general.hidden = true;
  general.textContent = "";
}

/** Put each message next to its field (or above the button); focus the first one. */
function showErrors(errors) {
  const general = [];
  let first = null;
  for (const [key, message] of errors) {
    const box = key && document.getElementById(`f-${key}-error`);
    const holder = box && box.closest("[data-field], fieldset");
    if (!box || (holder && holder.closest("[hidden]"))) {
      general.push(message);
      continue;
    }
    box.textContent = box.textContent ? `${box.textContent} ${message}` : message;
    box.hidden = false;
    const control = form.control(key);
    control?.setAttribute("aria-invalid", "true");
    first ??= control;
  }
  const box = document.getElementById("form-error");
  box.textContent = general.length ? general.join(" ") : words.err_form;
  box.hidden = false;
  (first ?? box).focus?.();
}

function setBusy(busy) {
  document.getElementById("submit").disabled = busy;
  document.getElementById("status").textContent = busy ? words.form_working : "";
}

async function run() {
  clearErrors();
  const state = form.read();
  const problems = Object.entries(checkState(state, words));
  if (problems.length) {
    showErrors(problems);
    return;
  }
  writeUrlState(state, data.lang);
  setBusy(true);
  try {
    const { settlement, ytdFen } = await estimate(state, context);
    renderResult(settlement, { ...context, ytdFen });
    renderTodo(settlement, state, context);
    document.getElementById("result").hidden = false;
    document.getElementById("result-title").focus();
    document.getElementById("scenarios").hidden = true;
    await renderScenarios(state, settlement, context);
  } catch (error) {
    if (!(error instanceof EstimateProblem)) throw error;
    if (!error.status) {
      showErrors([["", words.err_network]]);
    } else {
      showErrors(error.problems.map((p) => [keyOfField(p.field ?? "", state), p.message]));
    }
  } finally {
    setBusy(false);
    document.body.dataset.runs = String(Number(document.body.dataset.runs ?? 0) + 1);
  }
}

formEl.addEventListener("submit", (event) => {
  event.preventDefault();
  run();
});
const STRUCTURAL = new Set(["scheme", "date", "prov", "kind", "mode"]);
formEl.addEventListener("change", (event) => {
  if (STRUCTURAL.has(event.target.name)) form.sync();
  writeUrlState(form.read(), data.lang);
});
formEl.addEventListener("input", () => writeUrlState(form.read(), data.lang));

const { state, shared } = readUrlState(data.seed);
form.apply(state);
const other = data.lang === "zh" ? "en" : "zh";
document.getElementById("lang-switch").href = `?${queryOf(form.read(), other)}`;
document.body.dataset.runs = "0";
if (shared) run();
