package cases

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/db"
)

// ExplainQueue runs EXPLAIN (ANALYZE, BUFFERS) on the queue's page query
// for p and f, as the app role inside a tenant transaction, and returns the
// plan: the benchmark prints it to show which indexes the queue uses.
func (s *Service) ExplainQueue(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, f QueueFilter) (string, error) {
	var plan []string
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		q, _, _, err := s.queueQuery(ctx, tx, tenantID, p, f, s.Now().UTC().Truncate(time.Second))
		if err != nil {
			return err
		}
		return tx.NewRaw("EXPLAIN (ANALYZE, BUFFERS) "+q).Scan(ctx, &plan)
	})
	return strings.Join(plan, "\n"), err
}
