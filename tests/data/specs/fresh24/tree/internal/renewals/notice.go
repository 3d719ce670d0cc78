package renewals

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Windows are days-before-renewal at which a notice is sent.
var Windows = []int{60, 30, 7}

type Notice struct {
	AccountID   int64
	AccountName string
	RenewalDate time.Time
	CSMEmail    string
	Window      int
}

// windowFor returns the notice window a renewal falls in, or 0 if none.
func windowFor(daysOut int) int {
	for _, w := range Windows {
		if daysOut == w {
			return w
		}
	}
	return 0
}

func DueNotices(ctx context.Context, db *pgxpool.Pool, asOf time.Time) ([]Notice, error) {
	rows, err := db.Query(ctx, `
		SELECT a.id, a.name, a.renewal_date, u.email
		FROM accounts a JOIN users u ON u.id = a.csm_id
		WHERE a.renewal_date BETWEEN $1::date AND $1::date + 60
		  AND NOT EXISTS (SELECT 1 FROM renewal_notices n
		                  WHERE n.account_id = a.id AND n.renewal_date = a.renewal_date)`, asOf)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Notice
	for rows.Next() {
		var n Notice
		if err := rows.Scan(&n.AccountID, &n.AccountName, &n.RenewalDate, &n.CSMEmail); err != nil {
			return nil, err
		}
		n.Window = windowFor(int(n.RenewalDate.Sub(asOf).Hours() / 24))
		if n.Window > 0 {
			out = append(out, n)
		}
	}
	return out, rows.Err()
}
