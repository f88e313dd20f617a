package benchdata

import (
	"context"
	"database/sql"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	suara "github.com/suara-id/suara"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/db/pgtest"
	"github.com/suara-id/suara/internal/tenant"
)

// provision applies bench tenant i and gives it a worker and an officer.
func provision(t *testing.T, tdb *pgtest.DB, b *tenant.Bundle, i int) *tenant.Tenant {
	t.Helper()
	ctx := context.Background()
	m := Manifest(i)
	if _, err := tenant.Apply(ctx, tdb.App, b, &m); err != nil {
		t.Fatalf("apply %s: %v", m.Slug, err)
	}
	r := tenant.NewResolver("localhost", tdb.App)
	if err := r.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	tt := r.BySlug(m.Slug)
	if tt == nil {
		t.Fatalf("tenant %s not resolved", m.Slug)
	}
	log := slog.New(slog.DiscardHandler)
	svc := auth.NewService(tdb.App, auth.NewBundledAuthorizer(tdb.App, log), log, time.Hour, time.Hour)
	hash, err := svc.HashPassword("bench-password-xyz")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []auth.NewAccount{
		{Name: "Pekerja", Phone: "081300000001", Role: "worker"},
		{Name: "Petugas", Email: "officer@" + m.Slug + ".example", Role: "case_officer", BranchPath: UnitPath(m.Slug)},
	} {
		a.PasswordHash, a.SkipStrengthCheck = hash, true
		if _, _, err := svc.CreateAccount(ctx, tt, a); err != nil {
			t.Fatalf("account on %s: %v", m.Slug, err)
		}
	}
	return tt
}

func TestGenerate(t *testing.T) {
	tdb := pgtest.New(t)
	ctx := context.Background()
	b, err := tenant.LoadBundle(suara.TenantsFS, "tenants")
	if err != nil {
		t.Fatal(err)
	}
	const n = 400
	var tenants []*tenant.Tenant
	for i := 1; i <= 2; i++ {
		tt := provision(t, tdb, b, i)
		tenants = append(tenants, tt)
		target, err := LoadTarget(ctx, tdb.Owner.DB, tt.ID, tt.Slug)
		if err != nil {
			t.Fatal(err)
		}
		// Two runs on the same tenant (as a top-up would) must not collide.
		for run, cnt := range []int{n - 150, 150} {
			st, err := Generate(ctx, tdb.Owner.DB, target, Options{Cases: cnt, Seed: uint64(10*i + run), Batch: 97})
			if err != nil {
				t.Fatalf("generate %s: %v", tt.Slug, err)
			}
			if st.Cases != cnt || st.Events < 3*cnt || st.Events > 15*cnt {
				t.Fatalf("stats %+v for %d cases", st, cnt)
			}
		}
	}

	// Every row is where its tenant's policy lets it be: the app role sees
	// one tenant's cases inside its scope and none outside any scope.
	for _, tt := range tenants {
		if got := countAs(t, tdb.App.DB, tt.ID, "SELECT count(*) FROM cases"); got != n {
			t.Errorf("%s: app role sees %d cases, want %d", tt.Slug, got, n)
		}
		if got := countAs(t, tdb.App.DB, tt.ID, "SELECT count(*) FROM cases WHERE tenant_id <> $1", tt.ID); got != 0 {
			t.Errorf("%s: app role sees %d cases of other tenants", tt.Slug, got)
		}
	}
	var unscoped int
	if err := tdb.App.QueryRowContext(ctx, "SELECT count(*) FROM cases").Scan(&unscoped); err != nil || unscoped != 0 {
		t.Errorf("unscoped app role sees %d cases (err %v), want 0", unscoped, err)
	}
	var total int
	if err := tdb.Super.QueryRowContext(ctx, "SELECT count(*) FROM cases").Scan(&total); err != nil || total != 2*n {
		t.Errorf("superuser sees %d cases (err %v), want %d", total, err, 2*n)
	}

	tt := tenants[0]
	// Distributions: about 30% resolved, wages the most common category,
	// 3–15 events per case, some evidence.
	resolved := countAs(t, tdb.App.DB, tt.ID, "SELECT count(*) FROM cases WHERE resolved_at IS NOT NULL")
	if f := float64(resolved) / n; f < 0.2 || f > 0.4 {
		t.Errorf("resolved share %.2f, want about 0.30", f)
	}
	var top string
	scoped(t, tdb.App.DB, tt.ID, func(tx *sql.Tx) {
		if err := tx.QueryRow(`SELECT k.slug FROM cases c JOIN categories k ON k.id = c.category_id
			GROUP BY k.slug ORDER BY count(*) DESC LIMIT 1`).Scan(&top); err != nil {
			t.Fatal(err)
		}
	})
	if top != "upah" {
		t.Errorf("most common category %q, want upah", top)
	}
	if bad := countAs(t, tdb.App.DB, tt.ID, `SELECT count(*) FROM (SELECT case_id FROM case_events GROUP BY case_id
		HAVING count(*) NOT BETWEEN 3 AND 15) x`); bad != 0 {
		t.Errorf("%d cases with a timeline outside 3–15 events", bad)
	}
	if ev := countAs(t, tdb.App.DB, tt.ID, "SELECT count(*) FROM evidence_files"); ev == 0 {
		t.Error("no evidence rows")
	}
	if dup := countAs(t, tdb.App.DB, tt.ID, "SELECT count(*) - count(DISTINCT reference) FROM cases"); dup != 0 {
		t.Errorf("%d duplicate references", dup)
	}
	// The counter is past every generated reference, so the next filing
	// through the service takes a fresh number.
	if c := countAs(t, tdb.App.DB, tt.ID, "SELECT COALESCE(sum(last), 0) FROM case_counters"); c != n {
		t.Errorf("counters sum to %d, want %d", c, n)
	}

	// Every timeline is a valid hash chain, and tampering shows.
	chains := map[uuid.UUID][]cases.ChainedEventWithHash{}
	scoped(t, tdb.App.DB, tt.ID, func(tx *sql.Tx) {
		rows, err := tx.Query(`SELECT tenant_id, case_id, seq, kind, actor_id, visibility, payload, prev_hash, hash, created_at
			FROM case_events ORDER BY case_id, seq`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var e cases.ChainedEventWithHash
			var payload string
			if err := rows.Scan(&e.TenantID, &e.CaseID, &e.Seq, &e.Kind, &e.ActorID, &e.Visibility, &payload,
				&e.PrevHash, &e.Hash, &e.CreatedAt); err != nil {
				t.Fatal(err)
			}
			e.Payload = []byte(payload)
			if len(e.PrevHash) == 0 {
				e.PrevHash = nil
			}
			chains[e.CaseID] = append(chains[e.CaseID], e)
		}
	})
	if len(chains) != n {
		t.Fatalf("%d timelines, want %d", len(chains), n)
	}
	for id, ch := range chains {
		if ch[0].Kind != cases.EventFiled {
			t.Fatalf("case %s starts with %s", id, ch[0].Kind)
		}
		if at, err := cases.VerifyChain(ch); err != nil {
			t.Fatalf("case %s: chain broken at %d: %v", id, at, err)
		}
	}
	for _, ch := range chains {
		ch[1].Payload = append([]byte(nil), `{"by":"mallory"}`...)
		if at, err := cases.VerifyChain(ch); err == nil || at != 1 {
			t.Fatalf("tampered chain: at %d err %v, want a break at 1", at, err)
		}
		break
	}
}

func scoped(t *testing.T, db *sql.DB, tenantID uuid.UUID, fn func(tx *sql.Tx)) {
	t.Helper()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.Exec("SELECT set_config('app.tenant_id', $1, true)", tenantID.String()); err != nil {
		t.Fatal(err)
	}
	fn(tx)
}

func countAs(t *testing.T, db *sql.DB, tenantID uuid.UUID, q string, args ...any) int {
	t.Helper()
	var n int
	scoped(t, db, tenantID, func(tx *sql.Tx) {
		if err := tx.QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	})
	return n
}
