package cases_test

import (
	"context"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	suara "github.com/suara-id/suara"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/db"
)

// TestEvidenceMigrationRewritesOldEvents runs the data part of migration
// 20261206001000 over an evidence event written the old way (the sent name
// and the original hash in its payload, the file under its sent name): the
// event keeps neither, the file gets its neutral name, and the timeline
// still verifies.
func TestEvidenceMigrationRewritesOldEvents(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := f.service(t, keyA)
	out, err := svc.File(ctx, f.t, f.workers[0], cases.Filing{Type: "complaint", Description: "Slip gaji yang salah hitung bulan ini."})
	if err != nil {
		t.Fatal(err)
	}
	pdf := "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
	ev, err := svc.AddEvidence(ctx, f.t.ID, f.workers[0], out.ID, "x.pdf", "application/pdf", strings.NewReader(pdf))
	if err != nil {
		t.Fatal(err)
	}
	// Back to how the old code wrote it.
	old := `{"by":"reporter","evidence_id":"` + ev.ID.String() + `","kind":"document","name":"CV Siti Rahayu.pdf","original_sha256":"` + strings.Repeat("ab", 32) + `"}`
	err = db.InTenantTx(ctx, f.db.Owner, f.t.ID, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE evidence_files SET display_name = 'CV Siti Rahayu.pdf' WHERE id = ?", ev.ID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "UPDATE case_events SET payload = ? WHERE case_id = ? AND kind = 'evidence_added'", old, out.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum, err := cases.AuditChains(ctx, f.db.App); err != nil || len(sum.Broken) != 1 {
		t.Fatalf("tampered chain not seen as broken: %+v %v", sum, err)
	}
	// The migration's data step, as it ran at deploy.
	sql, err := suara.MigrationsFS.ReadFile("migrations/20261206001000_evidence_neutral.tx.up.sql")
	if err != nil {
		t.Fatal(err)
	}
	step := string(sql)[strings.LastIndex(string(sql), "DO $$"):]
	if _, err := f.db.Owner.ExecContext(ctx, step); err != nil {
		t.Fatal(err)
	}
	var name, payload string
	err = db.InTenantTx(ctx, f.db.Owner, f.t.ID, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT display_name FROM evidence_files WHERE id = ?", ev.ID).Scan(&name); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, "SELECT payload FROM case_events WHERE case_id = ? AND kind = 'evidence_added'", out.ID).Scan(&payload)
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"by":"reporter","evidence_id":"` + ev.ID.String() + `","kind":"document","name":"bukti-1.pdf","sha256":"` + ev.StoredSHA256 + `"}`
	if name != "bukti-1.pdf" || payload != want {
		t.Fatalf("after the migration: name %q, payload %s", name, payload)
	}
	if sum, err := cases.AuditChains(ctx, f.db.App); err != nil || len(sum.Broken) != 0 {
		t.Fatalf("chain after the migration: %+v %v", sum, err)
	}
}
