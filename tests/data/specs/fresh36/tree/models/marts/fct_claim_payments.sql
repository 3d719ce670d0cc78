{{ config(materialized='table') }}

select
    p.payment_id,
    c.claim_id,
    c.policy_id,
    c.loss_cause_code,
    p.paid_at,
    {{ cents_to_dollars('p.amount_cents') }} as amount_usd,
    datediff('day', c.reported_at, p.paid_at) as days_to_payment
from {{ source('claims_raw', 'payments') }} p
join {{ ref('stg_claims') }} c
  on p.claim_id = c.claim_id
