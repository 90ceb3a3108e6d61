"""Independent cross-check of wijkmonitor's effect estimators on real data.

Runs the `crosscheck` example of wijkmonitor-effect on the real Leefbaarometer buurt scores (40 placebo areas, start
2014), which prints each area's series, its matched comparison buurten and wijkmonitor's two estimates, and
recomputes them here:

- difference-in-differences as the coefficient of `treated x after` in a two-way fixed-effects regression (unit and
  year dummies) with statsmodels OLS on the long panel: must agree to 1e-6;
- synthetic difference-in-differences with `synthdid.synthdid_estimate` (synthdid-py, the port of the reference R
  package) on the same matrix, with the same iteration cap as wijkmonitor's parameters (`sdid_iterations`, see
  data/parameters/effect.toml): must agree within 1%. For information it also prints how far the reference's
  estimate at its default cap (10,000) lies from the same estimate at 100,000: the solver has not converged at
  either, which is why the cap is a documented parameter.

Usage: python3 bench/effect_crosscheck.py [path to buurten-2002-2020.csv] [--convergence]
Needs: pip install -r bench/requirements-effect.txt. Exits 1 when a check fails.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from synthdid import synthdid_estimate

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    data = Path(args[0]) if args else ROOT.parent / "shared/data/leefbaarometer/buurten-2002-2020.csv"
    if not data.exists():
        print(f"skipped: {data} not found")
        return 0
    env = dict(os.environ, WIJKMONITOR_SHARED_DATA=str(data.parent.parent))
    out = subprocess.run(
        ["cargo", "run", "--quiet", "--release", "-p", "wijkmonitor-effect", "--example", "crosscheck"],
        cwd=ROOT, check=True, capture_output=True, text=True, env=env,
    ).stdout
    worst_did, worst_sdid, n = 0.0, 0.0, 0
    for line in out.splitlines():
        case = json.loads(line)
        years, t0 = case["years"], case["t0"]
        rows = [("area", y, v, 1) for y, v in zip(years, case["treated"])]
        for i, c in enumerate(case["controls"]):
            rows += [(f"c{i}", y, v, 0) for y, v in zip(years, c)]
        df = pd.DataFrame(rows, columns=["unit", "year", "y", "treated"])
        df["d"] = df["treated"] * (df["year"] >= years[t0]).astype(int)
        twfe = smf.ols("y ~ d + C(unit) + C(year)", data=df).fit().params["d"]
        Y = np.array(case["controls"] + [case["treated"]])
        sdid = float(synthdid_estimate(Y, len(case["controls"]), t0, max_iter=case["max_iter"]))
        d_did = abs(twfe - case["did"])
        d_sdid = abs(sdid - case["sdid"]) / max(abs(sdid), 1e-12)
        worst_did, worst_sdid, n = max(worst_did, d_did), max(worst_sdid, d_sdid), n + 1
        print(f"{case['area']}: did {case['did']:+.6f} vs statsmodels {twfe:+.6f}; sdid {case['sdid']:+.6f} vs synthdid-py {sdid:+.6f}")
    print(f"{n} areas: largest difference did {worst_did:.2e} (limit 1e-6), sdid {100 * worst_sdid:.3f}% (limit 1%)")
    if "--convergence" in sys.argv:
        spread = []
        for line in out.splitlines()[:10]:
            case = json.loads(line)
            Y = np.array(case["controls"] + [case["treated"]])
            at = [float(synthdid_estimate(Y, len(case["controls"]), case["t0"], max_iter=m)) for m in (1000, 10_000, 100_000)]
            spread.append(at)
            print(f"{case['area']}: reference at 1,000 / 10,000 / 100,000 iterations: " + " / ".join(f"{x:+.6f}" for x in at))
    ok = n > 0 and worst_did <= 1e-6 and worst_sdid <= 0.01
    print("cross-check passed" if ok else "cross-check FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
