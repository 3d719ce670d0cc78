use anyhow::Result;
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Deserialize)]
pub struct PriceRow {
    pub sku: String,
    pub wine: String,
    pub vintage: String,
    pub size_ml: u32,
    pub case_pack: u32,
    /// FOB price per bottle, EUR
    pub fob_eur: f64,
    /// Distributor frontline price per bottle, USD
    pub frontline_usd: f64,
    pub state: String,
}

#[derive(Debug, PartialEq)]
pub enum Issue {
    MissingVintage(String),
    BadCasePack(String),
    BelowFloor { sku: String, frontline: f64, floor: f64 },
}

/// Landed-cost floor per bottle: FOB * fx * 1.18 (freight, duty, excise allowance).
pub fn floor_usd(fob_eur: f64, fx: f64) -> f64 {
    fob_eur * fx * 1.18
}

pub fn load(path: &Path) -> Result<Vec<PriceRow>> {
    let mut rdr = csv::Reader::from_path(path)?;
    let rows = rdr.deserialize().collect::<Result<Vec<PriceRow>, _>>()?;
    Ok(rows)
}

pub fn validate(rows: &[PriceRow], fx: f64) -> Vec<Issue> {
    let mut issues = Vec::new();
    for r in rows {
        if r.vintage.trim().is_empty() {
            issues.push(Issue::MissingVintage(r.sku.clone()));
        }
        if r.case_pack != 6 && r.case_pack != 12 {
            issues.push(Issue::BadCasePack(r.sku.clone()));
        }
        let floor = floor_usd(r.fob_eur, fx);
        if r.frontline_usd < floor {
            issues.push(Issue::BelowFloor { sku: r.sku.clone(), frontline: r.frontline_usd, floor });
        }
    }
    issues
}
