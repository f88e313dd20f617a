package cases

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/db"
)

// BrokenLink is the first event of a case's timeline that does not hold.
type BrokenLink struct {
	Tenant    string // slug
	CaseID    uuid.UUID
	Reference string
	Seq       int64
	Reason    error
}

func (b BrokenLink) String() string {
	return fmt.Sprintf("tenant %s case %s seq %d: %v", b.Tenant, b.Reference, b.Seq, b.Reason)
}

// AuditSummary counts what an audit walked.
type AuditSummary struct {
	Tenants, Cases, Events int
	Broken                 []BrokenLink
}

// AuditChains checks the hash chain of every case of every tenant, one
// tenant transaction at a time (so it runs as the app role under RLS), and
// reports each case's first broken link. Events stream in (case, seq)
// order: memory holds one case's timeline at a time.
func AuditChains(ctx context.Context, bdb *bun.DB) (*AuditSummary, error) {
	type tenantRow struct {
		ID   uuid.UUID
		Slug string
	}
	var tenants []tenantRow
	rows, err := bdb.QueryContext(ctx, "SELECT id, slug FROM tenants ORDER BY slug")
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	for rows.Next() {
		var t tenantRow
		if err := rows.Scan(&t.ID, &t.Slug); err != nil {
			rows.Close()
			return nil, err
		}
		tenants = append(tenants, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sum := &AuditSummary{Tenants: len(tenants)}
	for _, t := range tenants {
		err := db.InTenantTx(ctx, bdb, t.ID, func(ctx context.Context, tx bun.Tx) error {
			return auditTenant(ctx, tx, t.Slug, sum)
		})
		if err != nil {
			return nil, fmt.Errorf("audit %s: %w", t.Slug, err)
		}
	}
	return sum, nil
}

func auditTenant(ctx context.Context, tx bun.Tx, slug string, sum *AuditSummary) error {
	refs := map[uuid.UUID]string{}
	rows, err := tx.QueryContext(ctx, "SELECT id, reference FROM cases")
	if err != nil {
		return err
	}
	for rows.Next() {
		var id uuid.UUID
		var ref string
		if err := rows.Scan(&id, &ref); err != nil {
			rows.Close()
			return err
		}
		refs[id] = ref
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	sum.Cases += len(refs)
	seen := map[uuid.UUID]bool{}
	var chain []ChainedEventWithHash
	flush := func() {
		if len(chain) == 0 {
			return
		}
		id := chain[0].CaseID
		seen[id] = true
		if i, err := VerifyChain(chain); err != nil {
			sum.Broken = append(sum.Broken, BrokenLink{Tenant: slug, CaseID: id, Reference: refs[id], Seq: chain[i].Seq, Reason: err})
		} else if chain[0].Seq != 1 {
			// The chain holds from its first row, but rows before it are gone.
			sum.Broken = append(sum.Broken, BrokenLink{Tenant: slug, CaseID: id, Reference: refs[id], Seq: chain[0].Seq,
				Reason: fmt.Errorf("%w: timeline starts at seq %d", ErrChainBroken, chain[0].Seq)})
		}
		chain = chain[:0]
	}
	evRows, err := tx.QueryContext(ctx, `SELECT tenant_id, case_id, seq, kind, actor_id, visibility, payload, prev_hash, hash, created_at
		FROM case_events ORDER BY case_id, seq`)
	if err != nil {
		return err
	}
	defer evRows.Close()
	for evRows.Next() {
		var e eventRow
		if err := evRows.Scan(&e.TenantID, &e.CaseID, &e.Seq, &e.Kind, &e.ActorID, &e.Visibility, &e.Payload,
			&e.PrevHash, &e.Hash, &e.CreatedAt); err != nil {
			return err
		}
		if len(chain) > 0 && chain[0].CaseID != e.CaseID {
			flush()
		}
		ce := e.chained()
		if len(ce.PrevHash) == 0 {
			ce.PrevHash = nil
		}
		chain = append(chain, ce)
		sum.Events++
	}
	if err := evRows.Err(); err != nil {
		return err
	}
	flush()
	// A case whose every event was removed has no chain left to check.
	for id, ref := range refs {
		if !seen[id] {
			sum.Broken = append(sum.Broken, BrokenLink{Tenant: slug, CaseID: id, Reference: ref, Seq: 1,
				Reason: fmt.Errorf("%w: no events", ErrChainBroken)})
		}
	}
	return nil
}
