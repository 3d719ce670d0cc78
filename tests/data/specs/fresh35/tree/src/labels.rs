use anyhow::{bail, Result};
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Clone, PartialEq)]
pub enum LabelStatus {
    Submitted,
    NeedsCorrection,
    Approved,
    Surrendered,
}

impl LabelStatus {
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_lowercase().as_str() {
            "submitted" => Ok(Self::Submitted),
            "needs_correction" => Ok(Self::NeedsCorrection),
            "approved" => Ok(Self::Approved),
            "surrendered" => Ok(Self::Surrendered),
            other => bail!("unknown label status: {other}"),
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct LabelRecord {
    pub ttb_id: String,
    pub brand: String,
    pub fanciful_name: String,
    pub status: String,
    pub submitted: String,
}

pub fn pending(path: &Path) -> Result<Vec<LabelRecord>> {
    let mut rdr = csv::Reader::from_path(path)?;
    let mut out = Vec::new();
    for rec in rdr.deserialize() {
        let rec: LabelRecord = rec?;
        let status = LabelStatus::parse(&rec.status)?;
        if status == LabelStatus::Submitted || status == LabelStatus::NeedsCorrection {
            out.push(rec);
        }
    }
    Ok(out)
}
