//! Unit tests of the register: the built-in parameters and seed, and every computation against numbers worked
//! out by hand (in the comments).

use crate::params::SchemeParams;
use crate::progress::*;
use crate::register::*;
use crate::seed::{parse, BUILTIN_SEED, BUILTIN_SEED_NAME};

fn params() -> SchemeParams {
    SchemeParams::builtin()
}

fn seeded() -> Vec<AreaRegister> {
    let entries = parse(BUILTIN_SEED, BUILTIN_SEED_NAME, &params()).unwrap();
    AreaRegister::from_entries(&entries, &params()).unwrap()
}

fn area<'a>(regs: &'a [AreaRegister], id: &str) -> &'a AreaRegister {
    regs.iter().find(|r| r.area == id).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn seed_holds_the_real_heerlen_figures_with_their_source() {
    let regs = seeded();
    let heerlen = area(&regs, "heerlen-noord");
    let a = &heerlen.woontop[0];
    assert_eq!(a.planned_starts_total, Some(2352.0));
    assert_eq!(a.planned_affordable, Some(1775.0));
    // The source does not split the affordable starts over segments, so neither does the register.
    assert_eq!((a.planned_social_rent, a.planned_mid_rent, a.planned_affordable_purchase), (None, None, None));
    assert_eq!((a.above_plan_budget_eur, a.capacity_budget_eur), (Some(10_000_000.0), Some(4_300_000.0)));
    assert!(!a.provenance.synthetic && a.provenance.source.contains("parliamentary record"));
    let t = &heerlen.vhf[0];
    assert_eq!(
        (t.tranche.as_str(), t.dwellings_requested, t.dwellings_granted),
        ("tranche-3", Some(1122.0), Some(645.0))
    );
    let zaandam = &area(&regs, "zaandam-oost").wbmgp[0];
    assert_eq!(
        (zaandam.articles.clone(), zaandam.start.as_deref(), zaandam.end.as_deref()),
        (vec![9, 10], Some("2018"), None)
    );
    assert_eq!(area(&regs, "schiedam-nieuwland-en-oost").wbmgp[0].articles, vec![9, 10]);
    // Every synthetic record says so in its label too.
    let entries = parse(BUILTIN_SEED, BUILTIN_SEED_NAME, &params()).unwrap();
    assert!(entries.iter().all(|e| e.synthetic == e.source.starts_with("SYNTHETIC")));
}

#[test]
fn heerlen_vhf_tranche_3() {
    let regs = seeded();
    let v = vhf_assessment(&area(&regs, "heerlen-noord").vhf[0], &params(), 2026);
    // 1,122 requested, 645 granted: 477 fewer, 645 / 1,122 = 0.57487...
    assert_eq!(v.not_granted, Some(477.0));
    assert!(close(v.granted_share_of_requested.unwrap(), 645.0 / 1122.0));
    // Grant year, contribution and co-financing are not in the source: no deadline, no flag.
    assert_eq!((v.deadline_year, v.cofinancing_below_minimum, v.overdue), (None, None, None));
}

#[test]
fn vhf_cofinancing_flag_and_deadline() {
    let regs = seeded();
    let t = &area(&regs, "rotterdam-zuid").vhf[0];
    let v = vhf_assessment(t, &params(), 2026);
    // 7.5 M / 30 M = 25% < 30%: flagged. Granted 2022 + 10 years = 2032. 1,500 - 200 = 1,300 outstanding.
    assert!(close(v.cofinancing_share.unwrap(), 0.25));
    assert_eq!(v.cofinancing_below_minimum, Some(true));
    assert_eq!(v.deadline_year, Some(2032));
    assert_eq!(v.outstanding, Some(1300.0));
    assert_eq!(v.overdue, Some(false));
    assert_eq!(vhf_assessment(t, &params(), 2033).overdue, Some(true));
    let enough = VhfTranche { cofinancing_eur: Some(9_000_000.0), ..t.clone() };
    assert_eq!(vhf_assessment(&enough, &params(), 2026).cofinancing_below_minimum, Some(false));
}

#[test]
fn stimulans_payments_shares_and_window() {
    let regs = seeded();
    let utrecht = area(&regs, "utrecht-overvecht");
    let p2025 = stimulans_payment(&utrecht.stimulans[0], &params());
    // 120 affordable starts in 2025 x EUR 7,000 = EUR 840,000, paid in 2026.
    assert_eq!(p2025.payment, Some((2026, 840_000.0)));
    // 120 / 150 = 0.8 (aim 2/3: met); 50 / 150 = 0.333 (aim 30%: met).
    assert!(close(p2025.affordable_share.unwrap(), 0.8));
    assert_eq!((p2025.affordable_below_aim, p2025.social_rent_below_aim), (Some(false), Some(false)));
    let p2026 = stimulans_payment(&utrecht.stimulans[1], &params());
    // 180 x 7,000 = 1,260,000 in 2027; 60 / 260 = 0.2308 < 0.30: flagged; 180 / 260 = 0.6923 >= 0.6667.
    assert_eq!(p2026.payment, Some((2027, 1_260_000.0)));
    assert_eq!((p2026.affordable_below_aim, p2026.social_rent_below_aim), (Some(false), Some(true)));
    // Starts in 2024 lie before the window: no payment. Without a social-rent figure there is no share.
    let p2024 = stimulans_payment(&area(&regs, "rotterdam-zuid").stimulans[0], &params());
    assert_eq!((p2024.payment, p2024.social_rent_share, p2024.social_rent_below_aim), (None, None, None));
    let late = StimulansStarts { year: 2030, ..utrecht.stimulans[0].clone() };
    assert_eq!(stimulans_payment(&late, &params()).payment, None);
    let last = StimulansStarts { year: 2029, ..utrecht.stimulans[0].clone() };
    assert_eq!(stimulans_payment(&last, &params()).payment, Some((2030, 840_000.0)));
}

#[test]
fn woontop_progress_against_area_and_nation() {
    let regs = seeded();
    let utrecht = area(&regs, "utrecht-overvecht");
    let p = woontop_progress(utrecht, &utrecht.woontop[0], &params());
    // Starts 150 + 260 = 410 of 1,200 planned; affordable 120 + 180 = 300 of 900; 900 / 50,000 = 0.018.
    assert_eq!((p.realised_starts, p.realised_affordable), (Some(410.0), Some(300.0)));
    assert_eq!(p.years_reported, vec![2025, 2026]);
    assert!(close(p.share_of_planned_starts.unwrap(), 410.0 / 1200.0));
    assert!(close(p.share_of_planned_affordable.unwrap(), 300.0 / 900.0));
    assert!(close(p.planned_share_of_national.unwrap(), 0.018));
    let heerlen = area(&regs, "heerlen-noord");
    let h = woontop_progress(heerlen, &heerlen.woontop[0], &params());
    // 1,775 / 50,000 = 0.0355; no realised starts recorded.
    assert!(close(h.planned_share_of_national.unwrap(), 0.0355));
    // Nothing reported is unknown, not 0 (and so is the share of the plan).
    assert_eq!((h.realised_starts, h.share_of_planned_starts), (None, None));
    assert_eq!((h.realised_affordable, h.share_of_planned_affordable), (None, None));
    assert!(h.years_reported.is_empty());
    let n = national_progress(&regs, &params(), 2025);
    // Planned 1,775 + 900 = 2,675; realised 300 (Rotterdam's 2024 starts lie outside the window).
    assert_eq!((n.target, n.areas_with_agreement), (Some(50_000.0), 2));
    assert_eq!((n.planned_affordable, n.realised_affordable), (2675.0, Some(300.0)));
    // Without any affordable starts recorded, the national figure is unknown too.
    let agreements_only: Vec<AreaRegister> =
        regs.iter().map(|r| AreaRegister { stimulans: Vec::new(), ..r.clone() }).collect();
    let none = national_progress(&agreements_only, &params(), 2025);
    assert_eq!((none.realised_affordable, none.share_realised), (None, None));
    assert!(close(n.share_planned.unwrap(), 0.0535));
    assert_eq!(national_progress(&regs, &params(), 2030).target, None);
}

#[test]
fn spuk_carries_forward_up_to_2028_only() {
    let regs = seeded();
    let years = spuk_carry_forward(&area(&regs, "arnhem-oost").spuk, &params());
    let got: Vec<(i32, f64, f64, f64, f64)> =
        years.iter().map(|y| (y.year, y.carried_in, y.available, y.carried_out, y.lapsed)).collect();
    // 2026: 1.0 M, spent 0.8 -> 0.2 carried. 2027: 1.2 M, spent 0.9 -> 0.3 carried.
    // 2028: 1.3 M, spent 1.1 -> 0.2 unspent, and 2029 is past the last carry-forward year: lapses.
    assert_eq!(
        got,
        vec![
            (2026, 0.0, 1_000_000.0, 200_000.0, 0.0),
            (2027, 200_000.0, 1_200_000.0, 300_000.0, 0.0),
            (2028, 300_000.0, 1_300_000.0, 0.0, 200_000.0),
        ]
    );
    assert!(years.iter().all(|y| !y.overspent));
    let over =
        SpukLine { year: 2026, theme: "t".into(), budget_eur: 100.0, spent_eur: Some(150.0), ..Default::default() };
    assert!(spuk_carry_forward(&[over], &params())[0].overspent);
}

fn designation(start: &str, end: &str) -> WbmgpDesignation {
    WbmgpDesignation {
        year: 2025,
        id: "d".into(),
        municipality: "M".into(),
        articles: vec![9, 10],
        start: Some(start.into()),
        end: Some(end.into()),
        ..Default::default()
    }
}

#[test]
fn wbmgp_designation_longer_than_four_years_is_refused() {
    let p = params();
    assert!(check_designation(&designation("2018-07-01", "2022-07-01"), &p).is_ok());
    let err = check_designation(&designation("2018-07-01", "2022-07-02"), &p).unwrap_err();
    assert!(err.contains("refused") && err.contains("4 years"), "{err}");
    assert!(check_designation(&designation("2018", "2022"), &p).is_ok());
    assert!(check_designation(&designation("2018", "2023"), &p).is_err());
    assert!(check_designation(&designation("2022", "2018"), &p).is_err());
    let art7 = WbmgpDesignation { articles: vec![7], ..designation("2018", "2022") };
    assert!(check_designation(&art7, &p).unwrap_err().contains("article 7"));
}

#[test]
fn seed_errors_name_file_line_and_column() {
    let p = params();
    let record = |scheme: &str, figures: &str| {
        format!("[[record]]\narea = \"a\"\nyear = 2025\nscheme = \"{scheme}\"\ninstance = \"agreement\"\nsource = \"s\"\nsynthetic = true\nfigures = {{ {figures} }}\n")
    };
    let err = parse(&record("wontop", "planned_starts_total = 1"), "seed.toml", &p).unwrap_err();
    assert_eq!((err.location.file.as_str(), err.location.line, err.location.column), ("seed.toml", 4, 10), "{err}");
    assert!(err.message.contains("unknown scheme 'wontop'"));

    let text = record("woontop", "planned_starts_total = 1") + &record("woontop", "planed_other = 1");
    let err = parse(&text, "seed.toml", &p).unwrap_err();
    assert_eq!(err.location.line, 9, "{err}");
    assert!(err.message.contains("unknown item 'planed_other'"), "{err}");

    let err = parse(&record("woontop", "planned_starts_total = -5"), "seed.toml", &p).unwrap_err();
    assert!(err.message.contains("not a non-negative number"), "{err}");

    let err = parse(&record("woontop", "planned_starts_total = 1"), "seed.toml", &p)
        .and_then(|_| parse("[[record]]\narea = 1\n", "seed.toml", &p))
        .unwrap_err();
    assert_eq!(err.location.line, 2, "{err}");

    let text = record("woontop", "planned_starts_total = 1") + &record("woontop", "planned_other = 1");
    assert!(parse(&text, "seed.toml", &p).unwrap_err().message.contains("a second record"));

    let wbmgp = "[[record]]\narea = \"a\"\nyear = 2025\nscheme = \"wbmgp\"\ninstance = \"x\"\nsource = \"s\"\nsynthetic = true\nfigures = { municipality = \"M\", articles = \"9,10\", start = \"2018\", end = \"2024\" }\n";
    let err = parse(wbmgp, "seed.toml", &p).unwrap_err();
    assert!(err.message.contains("refused"), "{err}");
}

#[test]
fn entries_must_not_mix_sources_within_a_record() {
    let entry = |item: &str, source: &str| Entry {
        area: "a".into(),
        year: 2025,
        scheme: Scheme::Woontop,
        instance: "realised".into(),
        item: item.into(),
        value: EntryValue::Number(1.0),
        source: source.into(),
        synthetic: false,
    };
    let err = AreaRegister::from_entries(&[entry("starts", "x"), entry("completions", "y")], &params()).unwrap_err();
    assert!(err.contains("one source"), "{err}");
}
