package app

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/config"
)

// ErrAuditFailed is returned by AuditVerify when a chain is broken, so the
// command exits non-zero.
var ErrAuditFailed = errors.New("audit: broken hash chains found")

// AuditVerify checks every case timeline's hash chain, tenant by tenant, as
// the app role (`suara audit verify`), and prints each broken case's first
// broken link: tenant, case reference and seq.
func AuditVerify(ctx context.Context, cfg *config.Config, out io.Writer) error {
	bdb, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer bdb.Close()
	sum, err := cases.AuditChains(ctx, bdb)
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	for _, b := range sum.Broken {
		fmt.Fprintf(out, "BROKEN tenant=%s case=%s seq=%d: %v\n", b.Tenant, b.Reference, b.Seq, b.Reason)
	}
	fmt.Fprintf(out, "audit: %d tenants, %d cases, %d events checked, %d broken chains\n",
		sum.Tenants, sum.Cases, sum.Events, len(sum.Broken))
	if len(sum.Broken) > 0 {
		return ErrAuditFailed
	}
	return nil
}
