// Money in the page: integer fen, never floats; the same half-up rounding as yibao.money.
const YUAN = /^\d{1,12}(\.\d{1,2})?$/;

/** Parse "1234.5" into fen (123450); null when it is not an amount. */
export function parseYuan(text) {
  const raw = String(text ?? "").trim();
  if (!YUAN.test(raw)) return null;
  const [whole, frac = ""] = raw.split(".");
  return Number(whole) * 100 + Number((frac + "00").slice(0, 2));
}

/** Fen as the documents write yuan: 123450 -> "1234.50". */
export function formatYuan(fen) {
  const sign = fen < 0 ? "-" : "";
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** Parse a document amount ("1234.50") into fen. */
export function amountFen(text) {
  const raw = String(text);
  const negative = raw.startsWith("-");
  const fen = parseYuan(negative ? raw.slice(1) : raw);
  return negative ? -fen : fen;
}

/** Fen for people: "¥1,234.50". */
export function displayYuan(fen) {
  const plain = formatYuan(Math.abs(fen));
  const [whole, part] = plain.split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${fen < 0 ? "-" : ""}¥${grouped}.${part}`;
}

/** amount × ratio (basis points), half up to the fen: yibao.money.apply_ratio. */
export function applyRatio(baseFen, ratioBp) {
  return Number((BigInt(baseFen) * BigInt(ratioBp) + 5000n) / 10000n);
}

/** 甲类 and 乙类 by their typical share, 丙类 the rest: yibao.web.typical.typical_split. */
export function typicalSplit(totalFen, shares) {
  const classA = applyRatio(totalFen, shares.class_a);
  const classB = applyRatio(totalFen, shares.class_b);
  return { class_a: classA, class_b: classB, class_c: totalFen - classA - classB };
}

/** A ratio in basis points as a percentage: 5500 -> "55%". */
export function percent(bp) {
  if (bp % 100 === 0) return `${bp / 100}%`;
  return `${(bp / 100).toFixed(2).replace(/0+$/, "")}%`;
}
