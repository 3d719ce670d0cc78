/// Rough HTS subheading suggestion for wine in containers of 2 L or less.
/// The customs broker makes the final classification; this is a pre-check only.
pub fn hts_for(abv: f64, sparkling: bool) -> &'static str {
    if sparkling {
        return "2204.10.00";
    }
    if abv <= 14.0 {
        "2204.21.50"
    } else {
        "2204.21.80"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn still_at_or_under_14() {
        assert_eq!(hts_for(14.0, false), "2204.21.50");
    }

    #[test]
    fn still_over_14() {
        assert_eq!(hts_for(14.5, false), "2204.21.80");
    }
}
