// The policy browser: filter the editions by name, id or region code as you type.
const input = document.getElementById("policy-filter");
const rows = [...document.querySelectorAll(".policy-row")];

function filter() {
  const words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
  for (const row of rows) {
    row.hidden = !words.every((word) => row.dataset.search.includes(word));
  }
  for (const group of document.querySelectorAll(".policy-group")) {
    group.hidden = ![...group.querySelectorAll(".policy-row")].some((row) => !row.hidden);
  }
}

input.addEventListener("input", filter);
