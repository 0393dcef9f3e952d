// The estimator form: options from the installed packs (form.json), shown for the bill's date.
import { percent } from "./money.js";

const TEXT_KEYS = ["date", "months", "total", "a", "b", "c", "ol", "sd", "ytd"];
const CHECK_KEYS = ["desig", "net", "pre"];
const MATERNITY = /^maternity_/;

/** The edition of a scheme in force on a date; the newest when none is. */
export function editionOn(scheme, date) {
  const inForce = scheme.editions.filter((e) => e.valid_from <= date && date <= e.valid_to);
  return (inForce.length ? inForce : scheme.editions).at(-1);
}

function byId(id) {
  return document.getElementById(id);
}

function fillSelect(select, options, wanted) {
  select.replaceChildren(
    ...options.map(({ value, label }) => {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = label;
      return option;
    }),
  );
  const values = options.map((o) => o.value);
  select.value = values.includes(wanted) ? wanted : (values[0] ?? "");
}

function showField(key, visible) {
  const box = document.querySelector(`[data-field="${key}"]`);
  if (box) box.hidden = !visible;
}

export class EstimateForm {
  constructor(form, data) {
    this.form = form;
    this.catalog = data.form;
    this.words = data.words;
    this.lang = data.lang;
  }

  named(pair) {
    return pair[this.lang] ?? pair.zh;
  }

  scheme(id) {
    return this.catalog.schemes.find((s) => s.id === id) ?? this.catalog.schemes[0];
  }

  /** The current state of every control. */
  read() {
    const state = {};
    for (const key of ["scheme", "cat", "prov", "city", "level", "reg", "kind", "variant", "sdl"]) {
      state[key] = byId(`f-${key}`).value;
    }
    for (const key of TEXT_KEYS) state[key] = byId(`f-${key}`).value.trim();
    for (const key of CHECK_KEYS) state[key] = byId(`f-${key}`).checked ? "1" : "0";
    state.mode = byId("f-mode-total").checked ? "total" : "split";
    const held = [...this.form.querySelectorAll('input[name="prod"]:checked')].map((box) => box.value);
    state.prod = held.join(",");
    if (byId("f-months").closest(".field").hidden) state.months = "";
    if (byId("f-variant").closest(".field").hidden) state.variant = "";
    return state;
  }

  /** Show a state: fill every select for it, then set the values. */
  apply(state) {
    for (const key of TEXT_KEYS) byId(`f-${key}`).value = state[key] ?? "";
    for (const key of CHECK_KEYS) byId(`f-${key}`).checked = state[key] === "1";
    byId(state.mode === "total" ? "f-mode-total" : "f-mode-split").checked = true;
    this.render(state);
  }

  /** Re-fill the options that depend on other choices, keeping what still fits. */
  sync() {
    this.render(this.read());
  }

  render(state) {
    const w = this.words;
    const date = state.date || new Date().toISOString().slice(0, 10);
    fillSelect(
      byId("f-scheme"),
      this.catalog.schemes.map((s) => ({ value: s.id, label: this.named(editionOn(s, date).name) })),
      state.scheme,
    );
    const scheme = this.scheme(byId("f-scheme").value);
    const edition = editionOn(scheme, date);
    const keyed = (items) => items.map((i) => ({ value: i.key, label: this.keyedLabel(i) }));
    fillSelect(byId("f-cat"), keyed(edition.categories), state.cat);
    fillSelect(byId("f-level"), keyed(edition.levels), state.level);
    fillSelect(byId("f-kind"), edition.kinds.map((k) => ({ value: k, label: w[`opt_${k}`] })), state.kind);
    fillSelect(byId("f-variant"), keyed(edition.variants), state.variant);
    const kind = byId("f-kind").value;
    showField("variant", MATERNITY.test(kind) && edition.variants.length > 0);
    showField("months", MATERNITY.test(kind));
    byId("f-reg").value = state.reg || "none";
    this.renderPlace(state);
    this.renderAmounts(state, kind);
    this.renderProducts(scheme, state, date);
  }

  keyedLabel(item) {
    return this.lang === "zh" ? item.name : `${item.key.replaceAll("_", " ")} (${item.name})`;
  }

  renderPlace(state) {
    const regions = this.catalog.regions;
    fillSelect(
      byId("f-prov"),
      regions.map((r) => ({ value: r.code, label: this.named(r.name) })),
      state.prov,
    );
    const province = regions.find((r) => r.code === byId("f-prov").value);
    const cities = province.cities.map((c) => ({ value: c.code, label: this.named(c.name) }));
    const whole = province.cities.length ? this.words.form_city_other : this.named(province.name);
    fillSelect(byId("f-city"), [...cities, { value: province.code, label: whole }], state.city);
  }

  renderAmounts(state, kind) {
    const total = state.mode === "total";
    byId("total-row").hidden = !total;
    byId("split-row").hidden = total;
    const lists = this.catalog.special_drugs;
    byId("special-row").hidden = total || lists.length === 0;
    fillSelect(
      byId("f-sdl"),
      lists.map((l) => ({ value: l.key, label: `${this.named(l.name)} (${l.key})` })),
      state.sdl,
    );
    const shares = this.catalog.typical_split.shares_bp[kind] ?? this.catalog.typical_split.shares_bp.inpatient;
    byId("f-total-help").textContent = this.words.form_typical_note
      .replace("{class_a}", percent(shares.class_a))
      .replace("{class_b}", percent(shares.class_b))
      .replace("{class_c}", percent(shares.class_c));
  }

  renderProducts(scheme, state, date) {
    const held = new Set((state.prod || "").split(",").filter(Boolean));
    const boxes = scheme.products.map((id) => {
      const product = this.catalog.products[id];
      const div = document.createElement("div");
      div.className = "check";
      const input = document.createElement("input");
      Object.assign(input, { type: "checkbox", name: "prod", value: id, id: `f-prod-${id}` });
      const edition = editionOn(product, date);
      const inForce = edition.valid_from <= date && date <= edition.valid_to;
      input.checked = held.has(id) && inForce;
      input.disabled = !inForce;
      input.setAttribute("aria-describedby", "f-prod-error");
      const label = document.createElement("label");
      label.htmlFor = input.id;
      const valid = this.words.form_products_valid
        .replace("{from}", edition.valid_from)
        .replace("{to}", edition.valid_to);
      label.textContent = `${this.named(product.name)} (${valid})`;
      div.append(input, label);
      return div;
    });
    byId("product-list").replaceChildren(...boxes);
    byId("products-none").hidden = boxes.length > 0;
    showField("pre", boxes.length > 0);
  }

  /** The input a state key is shown in (for focus and error messages). */
  control(key) {
    if (key === "prod") return this.form.querySelector('input[name="prod"]') ?? byId("f-prod");
    return byId(`f-${key}`);
  }
}
