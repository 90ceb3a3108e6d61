"""Python side of `wijkmonitor bench effect`: times the reference implementations on one area's problem.

Reads the problem wijkmonitor wrote (the area's series, its comparison buurten, how many years lie before the start,
how many estimates one analysis makes) and times, as often as one analysis estimates, synthdid-py's
`synthdid_estimate` (at the same iteration cap) plus a two-way fixed-effects regression in statsmodels. Prints
`seconds <total>`.

Needs: pip install -r bench/requirements-effect.txt
"""

import json
import sys
import time

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from synthdid import synthdid_estimate


def main(path: str) -> None:
    p = json.load(open(path))
    years, t0, repeats = p["years"], p["t0"], p["repeats"]
    Y = np.array(p["controls"] + [p["treated"]])
    rows = [("area", y, v, 1) for y, v in zip(years, p["treated"])]
    for i, c in enumerate(p["controls"]):
        rows += [(f"c{i}", y, v, 0) for y, v in zip(years, c)]
    df = pd.DataFrame(rows, columns=["unit", "year", "y", "treated"])
    df["d"] = df["treated"] * (df["year"] >= years[t0]).astype(int)
    started = time.perf_counter()
    for _ in range(repeats):
        synthdid_estimate(Y, len(p["controls"]), t0, max_iter=p["max_iter"])
        smf.ols("y ~ d + C(unit) + C(year)", data=df).fit()
    print(f"seconds {time.perf_counter() - started:.6f}")


if __name__ == "__main__":
    main(sys.argv[1])
