use cellarctl::pricelist::{floor_usd, validate, Issue, PriceRow};

fn row(sku: &str, vintage: &str, fob: f64, frontline: f64) -> PriceRow {
    PriceRow {
        sku: sku.into(),
        wine: "Test wine".into(),
        vintage: vintage.into(),
        size_ml: 750,
        case_pack: 12,
        fob_eur: fob,
        frontline_usd: frontline,
        state: "MA".into(),
    }
}

#[test]
fn floor_uses_fx_and_markup() {
    let f = floor_usd(10.0, 1.10);
    assert!((f - 12.98).abs() < 1e-9);
}

#[test]
fn missing_vintage_is_flagged() {
    let issues = validate(&[row("A1", "", 5.0, 20.0)], 1.08);
    assert_eq!(issues, vec![Issue::MissingVintage("A1".into())]);
}
