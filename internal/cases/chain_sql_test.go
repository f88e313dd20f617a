package cases

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/db/pgtest"
)

// TestEventHashSQL: the migration that rewrote evidence events (dropping
// the uploaded name and the original hash) re-chained their timelines with
// case_event_hash; it must agree with EventHash, or audit verify would
// report every such case broken.
func TestEventHashSQL(t *testing.T) {
	tdb := pgtest.New(t)
	ctx := context.Background()
	prev := []byte{1, 2, 3}
	for _, at := range []time.Time{
		time.Date(2026, 1, 12, 8, 30, 15, 0, time.UTC),
		time.Date(2026, 1, 12, 8, 30, 15, 120000000, time.FixedZone("WIB", 7*3600)),
		time.Date(2026, 12, 31, 23, 59, 59, 999999000, time.UTC),
	} {
		e := ChainedEvent{TenantID: uuid.New(), CaseID: uuid.New(), Seq: 7, Kind: EventEvidenceAdded, ActorID: "",
			Visibility: VisibilityReporter, CreatedAt: at, Payload: []byte(`{"by":"reporter","name":"bukti-1.pdf","ü":"<x>"}`)}
		var got []byte
		err := tdb.Owner.QueryRowContext(ctx, "SELECT case_event_hash(?, ?, ?, ?, ?, ?, ?, ?, ?)",
			prev, e.TenantID, e.CaseID, e.Seq, e.Kind, e.ActorID, e.Visibility, e.CreatedAt, string(e.Payload)).Scan(&got)
		if err != nil {
			t.Fatal(err)
		}
		if want := EventHash(prev, e); !bytes.Equal(got, want) {
			t.Errorf("at %v: SQL hash %x, Go %x", at, got, want)
		}
	}
}
