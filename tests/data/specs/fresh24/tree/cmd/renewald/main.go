package main

import (
	"context"
	"log"
	"os"
	"time"

	"github.com/brightpath/ops-tools/internal/renewals"
	"github.com/jackc/pgx/v5/pgxpool"
)

func main() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	notices, err := renewals.DueNotices(ctx, pool, time.Now().UTC())
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("%d notices due", len(notices))
}
