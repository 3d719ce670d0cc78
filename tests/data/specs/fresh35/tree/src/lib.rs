pub mod customs;
pub mod labels;
pub mod pricelist;
