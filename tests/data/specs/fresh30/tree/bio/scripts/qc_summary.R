# Summarise per-sample QC metrics into one table.
args <- commandArgs(trailingOnly = TRUE)
qc <- read.csv(args[1])
summary <- aggregate(cbind(mean_depth, pct_q30) ~ sample_id, data = qc, FUN = mean)
summary$flag <- ifelse(summary$mean_depth < 20 | summary$pct_q30 < 85, "FAIL", "PASS")
write.csv(summary, stdout(), row.names = FALSE)
