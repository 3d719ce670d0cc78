# stand-in for QC reads script
