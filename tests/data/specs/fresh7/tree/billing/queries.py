# stand-in: active_invoices query
