package cases_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/cases"
)

// TestFileOnceTakeoverFilesOnce: the first request with a key claims it and
// stalls inside its filing transaction (a primary about to be lost); a
// retry, once the claim is stale, takes over and files. When the first one
// then reaches COMMIT it finds the key completed, rolls back and answers
// the retry's reply: one case, one reply, whichever order they finish in.
func TestFileOnceTakeoverFilesOnce(t *testing.T) {
	f := setup(t)
	svc := f.service(t, keyA)
	ctx := context.Background()
	var offset atomic.Int64
	svc.Now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	stalled, release := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	svc.OnFiled = func(ctx context.Context, tx bun.Tx, c *cases.Case) error {
		if calls.Add(1) == 1 {
			close(stalled)
			<-release
		}
		return nil
	}
	filing := cases.Filing{Type: "complaint", Description: "Upah lembur bulan lalu belum dibayar sama sekali."}
	w := f.workers[0]
	count := func() int {
		var n int
		if err := f.db.Super.QueryRowContext(ctx, "SELECT count(*) FROM cases WHERE tenant_id = ?", f.t.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()

	type result struct {
		out      *cases.Filed
		replayed bool
		err      error
	}
	first := make(chan result, 1)
	go func() {
		out, rep, err := svc.FileOnce(ctx, f.t, w, "", "failover-key", filing)
		first <- result{out, rep, err}
	}()
	<-stalled
	// The first request's claim is now older than any filing takes.
	offset.Store(int64(time.Minute))
	out2, rep2, err := svc.FileOnce(ctx, f.t, w, "", "failover-key", filing)
	if err != nil || rep2 {
		t.Fatalf("retry after a stale claim: replayed=%v err=%v", rep2, err)
	}
	close(release)
	r1 := <-first
	if r1.err != nil || !r1.replayed || r1.out.ID != out2.ID || r1.out.Reference != out2.Reference {
		t.Fatalf("first request: %+v replayed=%v err=%v; retry filed %+v", r1.out, r1.replayed, r1.err, out2)
	}
	if got := count() - before; got != 1 {
		t.Fatalf("%d cases from one key", got)
	}
	// And a later retry replays the same reply.
	out3, rep3, err := svc.FileOnce(ctx, f.t, w, "", "failover-key", filing)
	if err != nil || !rep3 || out3.ID != out2.ID {
		t.Fatalf("third request: %+v replayed=%v err=%v", out3, rep3, err)
	}
}

// TestFileOnceAnonymousRowNamesNoCase: the key row of an anonymous filing
// keeps no case id (its times, to the microsecond, would date the filing the
// case keeps to the hour); a retry still gets the first reply back.
func TestFileOnceAnonymousRowNamesNoCase(t *testing.T) {
	f := setup(t)
	svc := f.service(t, keyA)
	ctx := context.Background()
	anon := cases.Filing{Type: "complaint", Description: "Pintu darurat di gudang dikunci saat lembur malam."}
	out, _, err := svc.FileOnce(ctx, f.t, nil, "device-1", "anon-key", anon)
	if err != nil {
		t.Fatal(err)
	}
	again, replayed, err := svc.FileOnce(ctx, f.t, nil, "device-1", "anon-key", anon)
	if err != nil || !replayed || again.ID != out.ID || again.ReceiptCode != out.ReceiptCode {
		t.Fatalf("retry: %+v replayed=%v err=%v, want the first reply", again, replayed, err)
	}
	named, _, err := svc.FileOnce(ctx, f.t, f.workers[0], "", "named-key", cases.Filing{Type: "complaint", Description: "Slip gaji bulan ini salah hitung."})
	if err != nil {
		t.Fatal(err)
	}
	var withCase, rows int
	if err := f.db.Super.QueryRowContext(ctx, "SELECT count(case_id), count(*) FROM idempotency_keys WHERE tenant_id = ?", f.t.ID).Scan(&withCase, &rows); err != nil {
		t.Fatal(err)
	}
	if rows != 2 || withCase != 1 {
		t.Errorf("%d key rows, %d naming a case; want 2 rows, only the named filing's (%s) naming it", rows, withCase, named.ID)
	}
}
