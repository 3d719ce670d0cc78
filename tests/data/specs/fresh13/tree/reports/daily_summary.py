# stand-in for build_summary daily report
