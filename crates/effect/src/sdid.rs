//! Synthetic difference-in-differences (Arkhangelsky, Athey, Hirshberg, Imbens and Wager, 2021, *American Economic
//! Review*), ported from the reference implementation (the R package `synthdid`, `R/synthdid.R` and `R/solver.R`)
//! step for step: the same collapsed form, regularisation (`zeta_omega = (N1 T1)^(1/4) * noise`, `zeta_lambda =
//! 1e-6 * noise`, noise the standard deviation of the controls' first differences before the start), Frank-Wolfe
//! solver with exact line search and stopping rule, and the sparsify-and-refit step. With the same inputs it gives
//! the reference's estimate to solver tolerance (`bench/effect_crosscheck.py` checks it against `synthdid-py`).
//!
//! Here the treated unit is one area (its aggregate series) and the controls are buurten.

/// Unit and time weights and the estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct SdidFit {
    /// The average effect over the years from the start.
    pub tau: f64,
    /// One weight per control unit (summing to 1).
    pub omega: Vec<f64>,
    /// One weight per year before the start (summing to 1).
    pub lambda: Vec<f64>,
    /// The noise level the regularisation was scaled by.
    pub noise: f64,
}

/// A matrix in row-major order.
struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}

impl Matrix {
    fn at(&self, r: usize, c: usize) -> f64 {
        self.data[r * self.cols + c]
    }
}

/// One Frank-Wolfe step for `||A x - b||^2 + eta ||x||^2` over the simplex, with exact line search (`fw.step`).
/// `a` holds the columns `0..k` of a matrix whose column `k` is `b`.
#[cfg(test)]
#[allow(clippy::needless_range_loop)] // kept index for index with the reference
fn fw_step(a: &Matrix, k: usize, x: &mut [f64], eta: f64, ax: &mut [f64], grad: &mut [f64]) {
    for r in 0..a.rows {
        let mut s = 0.0;
        for (c, xc) in x.iter().enumerate() {
            s += a.at(r, c) * xc;
        }
        ax[r] = s;
    }
    grad.iter_mut().for_each(|g| *g = 0.0);
    for r in 0..a.rows {
        let e = ax[r] - a.at(r, k);
        for (c, g) in grad.iter_mut().enumerate() {
            *g += e * a.at(r, c);
        }
    }
    let mut i = 0;
    for c in 0..k {
        grad[c] += eta * x[c];
        if grad[c] < grad[i] {
            i = c;
        }
    }
    // d_x = e_i - x.
    let dx_nonzero = (0..k).any(|c| if c == i { x[c] != 1.0 } else { x[c] != 0.0 });
    if !dx_nonzero {
        return;
    }
    let mut d_err2 = 0.0;
    for r in 0..a.rows {
        let d = a.at(r, i) - ax[r];
        d_err2 += d * d;
    }
    let mut dx2 = 0.0;
    let mut grad_dx = 0.0;
    for c in 0..k {
        let d = if c == i { 1.0 - x[c] } else { -x[c] };
        dx2 += d * d;
        grad_dx += grad[c] * d;
    }
    let denominator = d_err2 + eta * dx2;
    if denominator <= 0.0 {
        return;
    }
    let step = (-grad_dx / denominator).clamp(0.0, 1.0);
    let xi = x[i];
    for (c, xc) in x.iter_mut().enumerate() {
        let d = if c == i { 1.0 - xi } else { -*xc };
        *xc += step * d;
    }
}

/// Synthetic-control weights on the first `cols - 1` columns of `y` predicting its last column, penalised by
/// `zeta^2 ||w||^2`, with an intercept (columns centred) (`sc.weight.fw`).
fn sc_weight_fw(mut y: Matrix, zeta: f64, start: Option<Vec<f64>>, min_decrease: f64, max_iter: usize) -> Vec<f64> {
    let k = y.cols - 1;
    let n = y.rows;
    let w = start.unwrap_or_else(|| vec![1.0 / k as f64; k]);
    for c in 0..y.cols {
        let mean = (0..n).map(|r| y.at(r, c)).sum::<f64>() / n as f64;
        for r in 0..n {
            y.data[r * y.cols + c] -= mean;
        }
    }
    let eta = n as f64 * zeta * zeta;
    gram::solve(&y, k, w, zeta, eta, min_decrease, max_iter)
}

/// The iterations on the matrix itself, as the reference writes them: what [`gram::solve`] is tested against.
#[cfg(test)]
fn direct(y: &Matrix, k: usize, mut w: Vec<f64>, zeta: f64, eta: f64, min_decrease: f64, max_iter: usize) -> Vec<f64> {
    let n = y.rows;
    let (mut ax, mut grad) = (vec![0.0; n], vec![0.0; k]);
    let mut vals: Vec<f64> = Vec::new();
    while vals.len() < max_iter
        && (vals.len() < 2 || vals[vals.len() - 2] - vals[vals.len() - 1] > min_decrease.powi(2))
    {
        fw_step(y, k, &mut w, eta, &mut ax, &mut grad);
        let mut err2 = 0.0;
        for r in 0..n {
            let mut e = -y.at(r, k);
            for (c, wc) in w.iter().enumerate() {
                e += y.at(r, c) * wc;
            }
            err2 += e * e;
        }
        let norm2: f64 = w.iter().map(|x| x * x).sum();
        vals.push(zeta * zeta * norm2 + err2 / n as f64);
    }
    w
}

/// Weights no larger than a quarter of the largest become 0; the rest are renormalised (`sparsify_function`).
fn sparsify(v: &[f64]) -> Vec<f64> {
    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut out: Vec<f64> = v.iter().map(|&x| if x <= max / 4.0 { 0.0 } else { x }).collect();
    let total: f64 = out.iter().sum();
    if total == 0.0 {
        return vec![1.0 / v.len() as f64; v.len()];
    }
    out.iter_mut().for_each(|x| *x /= total);
    out
}

/// The sample standard deviation (n - 1).
fn sd(xs: &[f64]) -> f64 {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
}

/// The reference's cap on the solver's iterations after sparsifying (`max.iter`).
pub const REFERENCE_MAX_ITER: usize = 10_000;

/// Estimates the effect on `treated` (one series over `T` years) with `controls` (each over the same years); the
/// first `t0` years are before the start; `max_iter` caps the solver after sparsifying (the reference uses
/// [`REFERENCE_MAX_ITER`]). `None` when the problem is too small: fewer than 2 years before the start (no noise
/// level), no year after it, or no control.
pub fn estimate(controls: &[&[f64]], treated: &[f64], t0: usize, max_iter: usize) -> Option<SdidFit> {
    let t = treated.len();
    let n0 = controls.len();
    if t0 < 2 || t <= t0 || n0 == 0 || controls.iter().any(|c| c.len() != t) {
        return None;
    }
    let t1 = t - t0;
    let diffs: Vec<f64> = controls.iter().flat_map(|c| c[..t0].windows(2).map(|w| w[1] - w[0])).collect();
    if diffs.len() < 2 {
        return None;
    }
    let noise = sd(&diffs);
    let eta_omega = (t1 as f64).powf(0.25);
    let zeta_omega = eta_omega * noise;
    let zeta_lambda = 1e-6 * noise;
    let min_decrease = 1e-5 * noise;
    let post_mean = |s: &[f64]| s[t0..].iter().sum::<f64>() / t1 as f64;

    // Collapsed form: controls' years before the start and their mean after it; the treated row likewise.
    let lambda_problem = || {
        let mut data = Vec::with_capacity(n0 * (t0 + 1));
        for c in controls {
            data.extend_from_slice(&c[..t0]);
            data.push(post_mean(c));
        }
        Matrix { rows: n0, cols: t0 + 1, data }
    };
    let omega_problem = || {
        let mut data = Vec::with_capacity(t0 * (n0 + 1));
        for year in 0..t0 {
            data.extend(controls.iter().map(|c| c[year]));
            data.push(treated[year]);
        }
        Matrix { rows: t0, cols: n0 + 1, data }
    };
    let first = sc_weight_fw(lambda_problem(), zeta_lambda, None, min_decrease, 100);
    let lambda = sc_weight_fw(lambda_problem(), zeta_lambda, Some(sparsify(&first)), min_decrease, max_iter);
    let first = sc_weight_fw(omega_problem(), zeta_omega, None, min_decrease, 100);
    let omega = sc_weight_fw(omega_problem(), zeta_omega, Some(sparsify(&first)), min_decrease, max_iter);

    let pre_weighted = |s: &[f64]| lambda.iter().zip(s).map(|(l, x)| l * x).sum::<f64>();
    let treated_diff = post_mean(treated) - pre_weighted(treated);
    let control_diff: f64 = omega.iter().zip(controls).map(|(w, c)| w * (post_mean(c) - pre_weighted(c))).sum();
    Some(SdidFit { tau: treated_diff - control_diff, omega, lambda, noise })
}

impl SdidFit {
    /// The counterfactual trajectory of the treated unit: the weighted controls, shifted so that they meet the
    /// treated unit on the time-weighted years before the start. Its mean gap after the start is `tau`.
    pub fn counterfactual(&self, controls: &[&[f64]], treated: &[f64]) -> Vec<f64> {
        let t = treated.len();
        let synthetic: Vec<f64> =
            (0..t).map(|y| self.omega.iter().zip(controls).map(|(w, c)| w * c[y]).sum::<f64>()).collect();
        let offset: f64 = self.lambda.iter().enumerate().map(|(y, l)| l * (treated[y] - synthetic[y])).sum();
        synthetic.iter().map(|s| s + offset).collect()
    }
}

/// The same Frank-Wolfe iterations in terms of `G = A'A`, `h = A'b` and `b'b`, keeping `Gx` up to date from step
/// to step (a step moves `x` towards a vertex, so `Gx` moves towards a column of `G`): an iteration costs the
/// number of weights instead of rows x weights. The arithmetic is the same algebra in another order; a test holds
/// it to the literal port.
mod gram {
    use super::Matrix;

    pub(super) fn solve(
        y: &Matrix,
        k: usize,
        mut x: Vec<f64>,
        zeta: f64,
        eta: f64,
        min_decrease: f64,
        max_iter: usize,
    ) -> Vec<f64> {
        let n = y.rows;
        let mut g = vec![0.0; k * k];
        let mut h = vec![0.0; k];
        let mut bb = 0.0;
        for r in 0..n {
            let row = &y.data[r * y.cols..(r + 1) * y.cols];
            let b = row[k];
            bb += b * b;
            for i in 0..k {
                let a = row[i];
                h[i] += a * b;
                let gi = &mut g[i * k..(i + 1) * k];
                for (gij, aj) in gi.iter_mut().zip(&row[..k]) {
                    *gij += a * aj;
                }
            }
        }
        // gx = G x, and x'Gx, h'x and x'x, kept up to date. A step moves x to (1 - s) x + s e_b, so each of them
        // follows from the last in constant time; the vertex for the next step is found in the same pass that
        // updates gx. Every 32 steps the scalars are recomputed exactly, so rounding cannot drift.
        let mut gx: Vec<f64> = (0..k).map(|i| (0..k).map(|j| g[i * k + j] * x[j]).sum()).collect();
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
        let (mut xgx, mut hx, mut xx) = (dot(&x, &gx), dot(&h, &x), dot(&x, &x));
        let smallest_gradient = |x: &[f64], gx: &[f64]| {
            let (mut best, mut best_grad) = (0, f64::INFINITY);
            for i in 0..k {
                let grad = gx[i] - h[i] + eta * x[i];
                if grad < best_grad {
                    best = i;
                    best_grad = grad;
                }
            }
            (best, best_grad)
        };
        let (mut best, mut best_grad) = smallest_gradient(&x, &gx);
        let mut vals: Vec<f64> = Vec::new();
        while vals.len() < max_iter
            && (vals.len() < 2 || vals[vals.len() - 2] - vals[vals.len() - 1] > min_decrease.powi(2))
        {
            // Along d = e_b - x: ||d||^2 = x'x - 2 x_b + 1, grad'd = grad_b - grad'x with
            // grad'x = x'Gx - h'x + eta x'x, and ||A d||^2 = G_bb - 2 (Gx)_b + x'Gx.
            let moves = !(x[best] == 1.0 && xx == 1.0);
            let dx2 = xx - 2.0 * x[best] + 1.0;
            let grad_dx = best_grad - (xgx - hx + eta * xx);
            let g_bb = g[best * k + best];
            let denominator = g_bb - 2.0 * gx[best] + xgx + eta * dx2;
            if moves && denominator > 0.0 {
                let step = (-grad_dx / denominator).clamp(0.0, 1.0);
                let keep = 1.0 - step;
                let (x_b, gx_b) = (x[best], gx[best]);
                xx = keep * keep * xx + 2.0 * step * keep * x_b + step * step;
                hx = keep * hx + step * h[best];
                xgx = keep * keep * xgx + 2.0 * step * keep * gx_b + step * step * g_bb;
                // G is symmetric: its column `b` is its row `b`. Update x and gx and find the next vertex at once.
                let column = &g[best * k..(best + 1) * k];
                let b = best;
                best_grad = f64::INFINITY;
                for c in 0..k {
                    let xc = keep * x[c] + if c == b { step } else { 0.0 };
                    let gc = keep * gx[c] + step * column[c];
                    x[c] = xc;
                    gx[c] = gc;
                    let grad = gc - h[c] + eta * xc;
                    if grad < best_grad {
                        best = c;
                        best_grad = grad;
                    }
                }
                if vals.len() % 32 == 31 {
                    (xgx, hx, xx) = (dot(&x, &gx), dot(&h, &x), dot(&x, &x));
                }
            }
            // ||A x - b||^2 = x'Gx - 2 h'x + b'b.
            let err2 = (xgx - 2.0 * hx + bb).max(0.0);
            vals.push(zeta * zeta * xx + err2 / n as f64);
        }
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_an_effect_added_to_a_unit_that_is_a_mix_of_controls() {
        // Controls with different levels, a common trend and their own wiggles; the treated unit is
        // 0.5 * c0 + 0.5 * c1 + 3, then +2 from the start.
        let c: Vec<Vec<f64>> = (0..6)
            .map(|i| (0..8).map(|t| i as f64 + 0.3 * t as f64 + ((i * 7 + t * 3) % 5) as f64 * 0.1).collect())
            .collect();
        let treated: Vec<f64> =
            (0..8).map(|t| 0.5 * c[0][t] + 0.5 * c[1][t] + 3.0 + if t >= 5 { 2.0 } else { 0.0 }).collect();
        let refs: Vec<&[f64]> = c.iter().map(Vec::as_slice).collect();
        let fit = estimate(&refs, &treated, 5, REFERENCE_MAX_ITER).unwrap();
        assert!((fit.tau - 2.0).abs() < 0.15, "{fit:?}");
        assert!((fit.omega.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert!((fit.lambda.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        let cf = fit.counterfactual(&refs, &treated);
        let gap: f64 = (5..8).map(|t| treated[t] - cf[t]).sum::<f64>() / 3.0;
        assert!((gap - fit.tau).abs() < 1e-9);
    }

    #[test]
    fn refuses_problems_it_cannot_estimate() {
        let c = [1.0, 2.0, 3.0];
        assert!(estimate(&[&c], &[1.0, 2.0, 3.0], 1, 100).is_none(), "one year before the start has no noise level");
        assert!(estimate(&[&c], &[1.0, 2.0, 3.0], 3, 100).is_none(), "no year after the start");
        assert!(estimate(&[], &[1.0, 2.0, 3.0], 2, 100).is_none());
    }

    #[test]
    fn the_incremental_gram_form_takes_the_same_steps_as_the_literal_port() {
        let mut rng = crate::rng::Rng::new(3);
        for (rows, k) in [(40, 5), (6, 30)] {
            let mut data: Vec<f64> = (0..rows * (k + 1)).map(|_| rng.normal()).collect();
            // Centre the columns as `sc_weight_fw` does.
            for c in 0..=k {
                let mean = (0..rows).map(|r| data[r * (k + 1) + c]).sum::<f64>() / rows as f64;
                (0..rows).for_each(|r| data[r * (k + 1) + c] -= mean);
            }
            let y = Matrix { rows, cols: k + 1, data };
            let start = vec![1.0 / k as f64; k];
            let a = gram::solve(&y, k, start.clone(), 0.1, rows as f64 * 0.01, 1e-6, 10_000);
            let b = direct(&y, k, start, 0.1, rows as f64 * 0.01, 1e-6, 10_000);
            for (x, z) in a.iter().zip(&b) {
                assert!((x - z).abs() < 1e-9, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn sparsify_drops_small_weights() {
        assert_eq!(sparsify(&[0.5, 0.1, 0.4]), vec![0.5 / 0.9, 0.0, 0.4 / 0.9]);
        assert_eq!(sparsify(&[0.0, 0.0]), vec![0.5, 0.5]);
    }
}
