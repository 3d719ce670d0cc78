# stand-in: benchmark for GET /reports/monthly
