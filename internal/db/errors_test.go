package db_test

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/suara-id/suara/internal/db"
)

// TestUnavailable: what a lost or demoted primary looks like to a request
// (make failover kills one under load) is "unavailable" — a 503 with
// Retry-After — and a bug or bad input is not.
func TestUnavailable(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"killed mid-reply", fmt.Errorf("rate limit window: %w", io.ErrUnexpectedEOF), true},
		{"postmaster gone", &pgconn.PgError{Code: "57P01"}, true},
		{"written on a demoted primary", fmt.Errorf("file case: %w", &pgconn.PgError{Code: "25006"}), true},
		{"connection exception", &pgconn.PgError{Code: "08006"}, true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"syntax error", &pgconn.PgError{Code: "42601"}, false},
		{"plain bug", errors.New("nil map"), false},
	} {
		if got := db.Unavailable(c.err); got != c.want {
			t.Errorf("%s: Unavailable(%v) = %v, want %v", c.name, c.err, got, c.want)
		}
	}
}
