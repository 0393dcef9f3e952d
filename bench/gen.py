"""Write a seeded synthetic book of bills with a realistic mix (see issue: batch adjudication).

Most bills are small outpatient visits; about 15 % are admissions from a few thousand yuan
to a heavy tail near a million; about 8 bills per person; a mix of schemes, levels,
registrations and supplementary products. The book is grouped by person, dates ascending.

    python bench/gen.py --n 1000000 --out bench/data/book-1000000.parquet
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

# (scheme, categories, weight, product or "", share holding the product, kinds it pays)
SCHEMES = [
    ("cn-371500.resident", ["adult", "student"], 0.40, "cn-371500.liaohuibao", 0.35),
    ("cn-371500.employee", ["active", "retired"], 0.35, "cn-371500.liaohuibao", 0.30),
    ("cn-140000.resident", ["adult"], 0.15, "", 0.0),
    ("cn-360100.resident", ["adult"], 0.10, "", 0.0),
]
LEVELS = {"cn-140000.resident": ["class_1", "class_2", "class_3"]}
HOME = {
    "cn-371500.resident": "371502",
    "cn-371500.employee": "371502",
    "cn-140000.resident": "140105",
    "cn-360100.resident": "360102",
}
AWAY = ["310104", "110105", "370102", "360402", "140202"]
REGISTRATIONS = ["none", "long_term", "referral", "emergency", "temporary"]


def generate(n: int, seed: int = 20261129) -> pa.Table:
    """The book as an Arrow table."""
    rng = np.random.default_rng(seed)
    per_person = np.maximum(1, rng.poisson(8, size=max(1, n // 8) + 10))
    person = np.repeat(np.arange(len(per_person)), per_person)[:n]
    persons = int(person[-1]) + 1
    scheme_of = rng.choice(len(SCHEMES), size=persons, p=[s[2] for s in SCHEMES])
    scheme = scheme_of[person]
    category = rng.integers(0, 2, size=persons)[person]
    holds = rng.random(persons) < np.array([s[4] for s in SCHEMES])[scheme_of]
    day = np.sort(rng.integers(0, 365, size=n))
    order = np.lexsort((day, person))
    day = day[order]
    inpatient = rng.random(n) < 0.15
    amount = np.where(
        inpatient,
        np.minimum(rng.pareto(1.6, n) * 4000 + 3000, 950_000),
        rng.lognormal(5.0, 0.7, n),
    )
    fen = (amount * 100).astype(np.int64)
    away = rng.random(n) < 0.12
    names = [s[0] for s in SCHEMES]
    scheme_names = np.array(names, dtype=object)[scheme]
    cats = np.array(
        [s[1][c % len(s[1])] for s, c in zip(np.array(SCHEMES, dtype=object)[scheme], category, strict=True)],
        dtype=object,
    )
    levels = rng.integers(0, 3, n)
    level = np.where(
        scheme == 2,
        np.array(LEVELS["cn-140000.resident"], dtype=object)[levels],
        np.array(["level_1", "level_2", "level_3"], dtype=object)[levels],
    )
    home = np.array([HOME[s] for s in names], dtype=object)[scheme]
    region = np.where(away, np.array(AWAY, dtype=object)[rng.integers(0, len(AWAY), n)], home)
    registration = np.where(away, np.array(REGISTRATIONS, dtype=object)[rng.integers(0, 5, n)], "none")
    kind = np.where(inpatient, "inpatient", "outpatient").astype(object)
    kind = np.where((scheme == 2), "outpatient", np.where(scheme == 3, "inpatient", kind))
    product = np.where(holds[person], np.array([s[3] for s in SCHEMES], dtype=object)[scheme], "")
    class_a = fen * 55 // 100
    class_b = fen * 30 // 100
    class_c = fen - class_a - class_b
    return pa.table(
        {
            "bill_id": pa.array(np.char.add("b", np.arange(n).astype(str))),
            "person_id": pa.array(np.char.add("p", person.astype(str))),
            "date": pa.array(np.datetime64("2024-01-01") + day.astype("timedelta64[D]"), pa.date32()),
            "kind": pa.array(kind.astype(str)).dictionary_encode(),
            "scheme": pa.array(scheme_names.astype(str)).dictionary_encode(),
            "category": pa.array(cats.astype(str)).dictionary_encode(),
            "level": pa.array(level.astype(str)).dictionary_encode(),
            "region": pa.array(region.astype(str)).dictionary_encode(),
            "registration": pa.array(registration.astype(str)).dictionary_encode(),
            "products": pa.array(product.astype(str)).dictionary_encode(),
            "class_a": _decimal(class_a),
            "class_b": _decimal(class_b),
            "class_c": _decimal(class_c),
        }
    )


def _decimal(fen: np.ndarray) -> pa.Array:  # type: ignore[type-arg]
    words = np.empty((len(fen), 2), dtype="<i8")
    words[:, 0] = fen
    words[:, 1] = fen >> 63
    return pa.Array.from_buffers(pa.decimal128(18, 2), len(fen), [None, pa.py_buffer(words.tobytes())])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=20261129)
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(generate(args.n, args.seed), args.out, row_group_size=1 << 20)
    print(f"wrote {args.n} bills to {args.out}")


if __name__ == "__main__":
    main()
