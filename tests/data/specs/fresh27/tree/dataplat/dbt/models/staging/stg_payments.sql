-- One row per payment attempt from the processor webhook feed.
-- PAN is never present here; card_fingerprint is a processor-side token.
select
    payment_id,
    merchant_id,
    card_fingerprint,
    amount_minor::number(18,0)      as amount_minor,
    upper(currency)                 as currency,
    status,
    created_at::timestamp_ntz       as created_at
from {{ source('processor', 'raw_payments') }}
where _loaded_at >= dateadd(day, -7, current_date)
