-- PCI-scoped roles. Changes require review by the security lead (see docs/runbook_oncall.md).
create role if not exists PCI_READER;
create role if not exists ANALYST;
grant usage on database PAYMENTS_RAW to role PCI_READER;
grant select on all tables in schema PAYMENTS_RAW.PROCESSOR to role PCI_READER;
grant usage on database ANALYTICS to role ANALYST;
grant select on all views in schema ANALYTICS.MARTS to role ANALYST;
-- ANALYST must never be granted anything in PAYMENTS_RAW.
