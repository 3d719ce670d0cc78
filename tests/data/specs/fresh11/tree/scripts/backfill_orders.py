# stand-in for refund_status backfill script
