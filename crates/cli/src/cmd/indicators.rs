//! `wijkmonitor indicators`: list the indicator catalogue as a table, CSV or JSON.

use anyhow::Result;
use serde_json::json;
use wijkmonitor_model::catalogue::{Aggregation, Indicator};
use wijkmonitor_model::Catalogue;

#[derive(clap::Args)]
pub struct Args {
    /// Only indicators of this action line (integral, physical, participation, safety).
    #[arg(long)]
    pub action_line: Option<String>,
    /// Output format.
    #[arg(long, default_value = "table", value_parser = ["table", "csv", "json"])]
    pub format: String,
    /// Show the stored variables instead of the indicators.
    #[arg(long)]
    pub variables: bool,
}

fn aggregation_text(a: &Aggregation) -> String {
    match a {
        Aggregation::Sum { variable } => format!("sum({variable})"),
        Aggregation::Ratio { numerator, denominator, scale } => {
            format!("{scale} * sum({numerator}) / sum({denominator})")
        }
        Aggregation::WeightedMean { variable, weight } => format!("weighted mean of {variable} by {weight}"),
        Aggregation::ShareAtOrBelow { variable, weight, threshold, .. } => {
            format!("% of {weight} in buurten with {variable} <= {threshold}")
        }
        Aggregation::None { variable } => format!("not aggregable ({variable})"),
    }
}

pub fn run(args: Args) -> Result<()> {
    let catalogue = Catalogue::builtin();
    if args.variables {
        println!("{:<36} {:<10} {:<15} {:<14} name", "variable", "kind", "source", "unit");
        for v in &catalogue.variables {
            println!("{:<36} {:<10} {:<15} {:<14} {}", v.id, v.kind.as_str(), v.source, v.unit, v.name_en);
        }
        return Ok(());
    }
    if let Some(line) = &args.action_line {
        if !wijkmonitor_model::catalogue::ActionLine::ALL.iter().any(|l| l.as_str() == line) {
            anyhow::bail!("unknown action line '{line}'; use integral, physical, participation or safety");
        }
    }
    let selected: Vec<&Indicator> = catalogue
        .indicators
        .iter()
        .filter(|i| args.action_line.as_deref().is_none_or(|l| i.action_line.as_str() == l))
        .collect();
    match args.format.as_str() {
        "json" => {
            let rows: Vec<_> = selected
                .iter()
                .map(|i| {
                    json!({
                        "id": i.id, "name_nl": i.name_nl, "name_en": i.name_en,
                        "definition_nl": i.definition_nl, "definition_en": i.definition_en,
                        "unit": i.unit, "action_line": i.action_line.as_str(), "tier": i.tier.as_str(),
                        "source": i.source, "supplied_by": i.supplied_by.as_str(), "direction": i.direction.as_str(),
                        "aggregation": i.aggregation.method(), "aggregation_formula": aggregation_text(&i.aggregation),
                        "variables": i.aggregation.variables(), "disclosure": i.disclosure, "headline": i.headline,
                        "framework_ref": i.framework_ref, "request_item": i.request.as_ref().map(|r| r.number),
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&rows)?);
        }
        "csv" => {
            println!("id,action_line,tier,supplied_by,unit,direction,aggregation,disclosure,name_nl,name_en");
            for i in selected {
                println!(
                    "{},{},{},{},{},{},{},{},{},{}",
                    i.id,
                    i.action_line.as_str(),
                    i.tier.as_str(),
                    i.supplied_by.as_str(),
                    csv_field(&i.unit),
                    i.direction.as_str(),
                    csv_field(&aggregation_text(&i.aggregation)),
                    i.disclosure,
                    csv_field(&i.name_nl),
                    csv_field(&i.name_en)
                );
            }
        }
        _ => {
            println!(
                "{:<40} {:<13} {:<11} {:<8} {:<16} name",
                "indicator", "action line", "tier", "source", "direction"
            );
            for i in selected {
                println!(
                    "{:<40} {:<13} {:<11} {:<8} {:<16} {}",
                    i.id,
                    i.action_line.as_str(),
                    i.tier.as_str(),
                    i.supplied_by.as_str(),
                    i.direction.as_str(),
                    i.name_nl
                );
            }
        }
    }
    Ok(())
}

/// Quotes a CSV field when it holds a comma, quote or newline.
pub fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}
