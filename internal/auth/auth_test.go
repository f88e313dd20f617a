package auth_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/db/pgtest"
	"github.com/suara-id/suara/internal/tenant"
	"github.com/suara-id/suara/internal/tenant/tenanttest"
)

func TestNormalisePhone(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"081234567890", "+6281234567890", true},
		{"0812-3456-7890", "+6281234567890", true},
		{"+62 812 3456 7890", "+6281234567890", true},
		{"6281234567890", "+6281234567890", true},
		{"(0812) 3456.7890", "+6281234567890", true},
		{"0812345678", "+62812345678", true},
		{"08123456", "", false},          // too short
		{"08123456789012345", "", false}, // too long
		{"0212345678", "", false},        // landline
		{"+14155550100", "", false},      // another country
		{"0812a4567890", "", false},      // letters
		{"", "", false},
		{"+", "", false},
		{"08１２34567890", "", false}, // full-width digits
	}
	for _, c := range cases {
		got, ok := auth.NormalisePhone(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("NormalisePhone(%q) = %q, %t; want %q, %t", c.in, got, ok, c.want, c.ok)
		}
	}
}

func FuzzNormalisePhone(f *testing.F) {
	for _, s := range []string{"081234567890", "+62 812", "62", "0", "++62812345678", "08\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := auth.NormalisePhone(s)
		if ok {
			if len(p) < 12 || len(p) > 15 || p[:4] != "+628" {
				t.Fatalf("accepted %q as %q", s, p)
			}
			again, ok2 := auth.NormalisePhone(p)
			if !ok2 || again != p {
				t.Fatalf("not idempotent: %q -> %q -> %q", s, p, again)
			}
		}
	})
}

type fixture struct {
	svc    *auth.Service
	tenant *tenant.Tenant
	db     *pgtest.DB
	res    *tenant.Resolver
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	tdb := pgtest.New(tb)
	ctx := context.Background()
	tenanttest.Seed(tb, tdb)
	res := tenant.NewResolver("localhost", tdb.App)
	if err := res.Refresh(ctx); err != nil {
		tb.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	authz := auth.NewBundledAuthorizer(tdb.App, log)
	svc := auth.NewService(tdb.App, authz, log, time.Hour, time.Hour)
	return &fixture{svc: svc, tenant: res.BySlug("spn"), db: tdb, res: res}
}

// worker creates a worker account (password mesin-jahit-2026) and returns
// an API token for it.
func (f *fixture) worker(tb testing.TB, phone string) string {
	tb.Helper()
	ctx := context.Background()
	if _, _, err := f.svc.CreateAccount(ctx, f.tenant, auth.NewAccount{Name: "Pekerja", Phone: phone, Password: "mesin-jahit-2026", Role: "worker"}); err != nil {
		tb.Fatal(err)
	}
	tok, _, err := f.svc.Login(ctx, f.tenant, auth.Credentials{Phone: phone, Password: "mesin-jahit-2026"}, "api")
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// Login: Argon2id verification plus two small queries and a token insert.
func BenchmarkLogin(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	f.worker(b, "081288887777")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := f.svc.Login(ctx, f.tenant, auth.Credentials{Phone: "081288887777", Password: "mesin-jahit-2026"}, "api"); err != nil {
			b.Fatal(err)
		}
	}
}

// Token check: what every authenticated request pays.
func BenchmarkAuthenticate(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	tok := f.worker(b, "081288886666")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := f.svc.Authenticate(ctx, f.tenant.ID, tok); err != nil {
			b.Fatal(err)
		}
	}
}

func TestAuthenticateRejectsExpiredAndForeign(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tok := f.worker(t, "081288885555")
	if _, err := f.svc.Authenticate(ctx, f.tenant.ID, tok); err != nil {
		t.Fatalf("fresh token: %v", err)
	}
	for _, bad := range []string{"", tok + "x", "forged-token-value", string(make([]byte, 500))} {
		if _, err := f.svc.Authenticate(ctx, f.tenant.ID, bad); err == nil {
			t.Errorf("token %q accepted", bad)
		}
	}
}
