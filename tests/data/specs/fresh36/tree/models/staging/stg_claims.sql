with source as (
    select * from {{ source('claims_raw', 'claims') }}
)

select
    claim_id,
    policy_id,
    upper(trim(loss_cause_code))        as loss_cause_code,
    cast(loss_date as date)             as loss_date,
    cast(reported_at as timestamp_ntz)  as reported_at,
    claim_status,
    adjuster_id,
    reserve_amount_cents,
    _loaded_at
from source
where claim_id is not null
