select
    policy_id,
    product_line,
    state_code,
    cast(effective_date as date)  as effective_date,
    cast(expiry_date as date)     as expiry_date,
    deductible_cents,
    coverage_limit_cents
from {{ source('policy_raw', 'policies') }}
