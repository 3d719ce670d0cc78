select
    date_trunc('day', created_at)   as settlement_date,
    merchant_id,
    currency,
    count(*)                        as payment_count,
    sum(amount_minor)               as gross_minor
from {{ ref('stg_payments') }}
where status = 'succeeded'
group by 1, 2, 3
