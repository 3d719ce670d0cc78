# stand-in for migration dropping legacy_invoices and legacy_payments
