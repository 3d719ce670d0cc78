-- 0007: track which renewal notices have been sent
CREATE TABLE IF NOT EXISTS renewal_notices (
    id           BIGSERIAL PRIMARY KEY,
    account_id   BIGINT NOT NULL REFERENCES accounts(id),
    renewal_date DATE   NOT NULL,
    window_days  INT    NOT NULL,
    sent_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (account_id, renewal_date, window_days)
);
