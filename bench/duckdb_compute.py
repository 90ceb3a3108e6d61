"""DuckDB side of `wijkmonitor bench compute`.

Reads the data set that wijkmonitor generated (values.f64, members.csv, meta.json in the folder given as the first
argument), loads it into DuckDB in two layouts, computes the same aggregates in SQL, and writes the results and the
timings back into the folder:

- long layout: one row per (buurt, year, variable), as wijkmonitor's canonical long format holds the figures;
- wide layout: one row per (buurt, year) with one column per variable, as an analyst might reshape it first.

Loading is not timed; only the aggregation queries are, best of three runs each.
"""

import json
import resource
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd


def as_float(column) -> np.ndarray:
    """A result column as floats with NaN for SQL NULL (fetchnumpy gives masked arrays for nullable columns)."""
    return np.ma.filled(np.ma.asarray(column).astype(float), np.nan)


def main(folder: Path) -> None:
    meta = json.loads((folder / "meta.json").read_text())
    n_b, n_v, n_y = meta["n_buurten"], meta["n_variables"], meta["n_years"]
    years = meta["years"]
    variables = meta["variables"]
    indicators = meta["indicators"]
    n_t = len(meta["targets"])
    min_cov = meta["min_coverage"]
    values = np.fromfile(folder / "values.f64", dtype="<f8").reshape(n_v, n_y, n_b)
    members = pd.read_csv(folder / "members.csv")

    con = duckdb.connect()
    con.execute(f"PRAGMA threads={meta.get('threads', 2)}")
    con.register("members_df", members)
    con.execute("CREATE TABLE members AS SELECT * FROM members_df")

    # Wide: one row per (buurt, year).
    buurt = np.tile(np.arange(n_b), n_y)
    year = np.repeat(np.array(years), n_b)
    wide = {"buurt": buurt, "year": year}
    for v, name in enumerate(variables):
        wide[name] = values[v].reshape(-1)
    wide_df = pd.DataFrame(wide)
    con.register("wide_df", wide_df)
    con.execute("CREATE TABLE wide AS SELECT * FROM wide_df")

    # Long: one row per (buurt, year, variable) with a value (missing figures are absent rows would lose the
    # difference between "missing" and "not there"; keep them as NULL like wijkmonitor's status column).
    long_df = pd.DataFrame({
        "buurt": np.tile(np.arange(n_b), n_y * n_v),
        "year": np.tile(np.repeat(np.array(years), n_b), n_v),
        "variable": np.repeat(np.arange(n_v), n_y * n_b),
        "value": values.reshape(-1),
    })
    con.register("long_df", long_df)
    con.execute("CREATE TABLE long AS SELECT * FROM long_df")
    del long_df, wide_df
    pop = variables.index("inhabitants")

    # ---- wide SQL: one aggregate expression per indicator.
    exprs = []
    for i, ind in enumerate(indicators):
        x = ind["x"]
        if ind["kind"] == "sum":
            exprs.append(f"CASE WHEN count({x}) = count(*) THEN sum({x}) END AS i{i}")
        else:
            y = ind["y"]
            cov = f"sum(CASE WHEN {x} IS NOT NULL AND {y} IS NOT NULL THEN inhabitants END) / sum(inhabitants)"
            if ind["kind"] == "ratio":
                val = f"{ind['scale']} * sum(CASE WHEN {y} IS NOT NULL THEN {x} END) / sum(CASE WHEN {x} IS NOT NULL THEN {y} END)"
            else:
                val = f"sum({x} * {y}) / sum(CASE WHEN {x} IS NOT NULL THEN {y} END)"
            exprs.append(f"CASE WHEN {cov} >= {min_cov} THEN {val} END AS i{i}")
    wide_sql = (
        "SELECT m.target, w.year, " + ", ".join(exprs) +
        " FROM members m JOIN wide w ON w.buurt = m.buurt GROUP BY m.target, w.year"
    )

    # ---- long SQL: the figures joined to their weights, grouped per target, year and variable.
    kinds = pd.DataFrame({
        "x": [variables.index(ind["x"]) for ind in indicators],
        "y": [variables.index(ind["y"]) if ind.get("y") else -1 for ind in indicators],
        "kind": [ind["kind"] for ind in indicators],
        "scale": [float(ind.get("scale", 1.0)) for ind in indicators],
        "indicator": list(range(len(indicators))),
    })
    con.register("kinds_df", kinds)
    con.execute("CREATE TABLE kinds AS SELECT * FROM kinds_df")
    long_sql = f"""
        WITH w AS (
            SELECT buurt, year, variable AS y, value AS weight FROM long
            WHERE variable IN (SELECT DISTINCT y FROM kinds WHERE y >= 0)
        ),
        p AS (SELECT buurt, year, value AS pop FROM long WHERE variable = {pop}),
        j AS (
            SELECT m.target, l.year, k.indicator, k.kind, k.scale, l.value AS x, w.weight, p.pop
            FROM kinds k
            JOIN long l ON l.variable = k.x
            JOIN members m ON m.buurt = l.buurt
            JOIN p ON p.buurt = l.buurt AND p.year = l.year
            LEFT JOIN w ON w.buurt = l.buurt AND w.year = l.year AND w.y = k.y
        )
        SELECT target, year, indicator,
            CASE
                WHEN any_value(kind) = 'sum' THEN CASE WHEN count(x) = count(*) THEN sum(x) END
                WHEN sum(CASE WHEN x IS NOT NULL AND weight IS NOT NULL THEN pop END) / sum(pop) < {min_cov} THEN NULL
                WHEN any_value(kind) = 'ratio' THEN any_value(scale) * sum(CASE WHEN weight IS NOT NULL THEN x END)
                                                    / sum(CASE WHEN x IS NOT NULL THEN weight END)
                ELSE sum(x * weight) / sum(CASE WHEN x IS NOT NULL THEN weight END)
            END AS value
        FROM j GROUP BY target, year, indicator
    """

    def timed(sql):
        best = None
        result = None
        for _ in range(3):
            t0 = time.perf_counter()
            result = con.execute(sql).fetchnumpy()
            elapsed = time.perf_counter() - t0
            best = elapsed if best is None else min(best, elapsed)
        return best, result

    year_index = {y: k for k, y in enumerate(years)}
    wide_s, wide_res = timed(wide_sql)
    out = np.full((len(indicators), n_y, n_t), np.nan)
    t_idx = wide_res["target"].astype(np.int64)
    y_idx = np.array([year_index[int(y)] for y in wide_res["year"]])
    for i in range(len(indicators)):
        out[i, y_idx, t_idx] = as_float(wide_res[f"i{i}"])
    out.tofile(folder / "duckdb_wide.f64")

    long_s, long_res = timed(long_sql)
    out = np.full((len(indicators), n_y, n_t), np.nan)
    out[long_res["indicator"].astype(np.int64),
        np.array([year_index[int(y)] for y in long_res["year"]]),
        long_res["target"].astype(np.int64)] = as_float(long_res["value"])
    out.tofile(folder / "duckdb_long.f64")

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    (folder / "duckdb_timing.json").write_text(json.dumps({
        "long_ms": long_s * 1000, "wide_ms": wide_s * 1000, "peak_rss_mb": peak_mb,
        "duckdb_version": duckdb.__version__,
    }))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
