use cellarctl::{customs, labels, pricelist};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "cellarctl", version, about = "Price lists, label approvals and customs prep for wine importers")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Validate a distributor price list CSV
    Prices {
        file: PathBuf,
        /// EUR->USD rate used for the landed-cost floor
        #[arg(long, default_value_t = 1.08)]
        fx: f64,
    },
    /// Show label approvals that are still pending
    Labels { file: PathBuf },
    /// Suggest HTS subheadings for an invoice CSV (sku,description,abv,sparkling)
    Customs { file: PathBuf },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.cmd {
        Cmd::Prices { file, fx } => {
            let rows = pricelist::load(&file)?;
            let issues = pricelist::validate(&rows, fx);
            for i in &issues {
                println!("{i:?}");
            }
            if !issues.is_empty() {
                std::process::exit(1);
            }
        }
        Cmd::Labels { file } => {
            for rec in labels::pending(&file)? {
                println!("{}\t{}\t{}", rec.ttb_id, rec.brand, rec.submitted);
            }
        }
        Cmd::Customs { file } => {
            let text = std::fs::read_to_string(&file)?;
            for line in text.lines().skip(1) {
                let cols: Vec<&str> = line.split(',').collect();
                let abv: f64 = cols[2].parse().unwrap();
                let sparkling = cols[3] == "yes";
                println!("{}\t{}", cols[0], customs::hts_for(abv, sparkling));
            }
        }
    }
    Ok(())
}
