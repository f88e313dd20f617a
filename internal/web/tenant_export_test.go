package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/app"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/db/pgtest"
	"github.com/suara-id/suara/internal/evidence"
	"github.com/suara-id/suara/internal/tenant/tenanttest"
	"github.com/suara-id/suara/internal/tenantmove"
)

var csrfValue = regexp.MustCompile(`(name="_csrf" value=")[^"]*`)

// TestTenantExportImport is acceptance 4 of the tenant administration
// issue: SPN's data (demo seed, a case with evidence, admin events) is
// exported, imported into a fresh database holding the other unions, and
// the two installations then show SPN the same pages and counts; the
// other unions' rows do not change; the audit chains verify.
func TestTenantExportImport(t *testing.T) {
	src := newCaseEnv(t)
	ctx := context.Background()
	worker := src.login(spnHost, map[string]string{"phone": "081200000003", "password": demoPW})
	admin := src.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	wp := src.workplaceID("spn", "pt-maju-jaya-garmen")
	caseID := src.file(spnHost, worker, map[string]any{"type": "complaint", "workplace_id": wp,
		"description": "Kamar mandi pabrik rusak dan tidak ada air bersih."})["id"].(string)
	jpg, _ := jpegWithGPS(t)
	resp, ev := src.upload(spnHost, "/api/v1/cases/"+caseID+"/evidence", worker, "kamar-mandi.jpg", "image/jpeg", jpg)
	if resp.StatusCode != 201 {
		t.Fatalf("upload: %d %v", resp.StatusCode, ev)
	}
	fileID := fmt.Sprint(ev["id"])
	if st, _ := src.exportCSV(spnHost, exportCSV, admin); st != 200 { // an admin event (identity column)
		t.Fatalf("csv: %d", st)
	}
	spnID := src.tenantID("spn")

	// Export.
	var file bytes.Buffer
	srcStore := evidence.LocalStore{Root: filepath.Join(src.cfg.Paths.Data, "evidence")}
	sum, err := tenantmove.Export(ctx, src.db.Owner, srcStore, "spn", &file)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Files != 1 || sum.Rows["cases"] == 0 || sum.Rows["tenants"] != 1 || sum.Rows["admin_events"] == 0 {
		t.Fatalf("export summary %+v", sum)
	}
	if strings.Contains(file.String(), "GARTEKS-") || strings.Contains(file.String(), "admin@garteks.example") {
		t.Fatal("the export carries another tenant's rows")
	}
	srcCounts, err := tenantmove.Counts(ctx, src.db.Owner, spnID)
	if err != nil {
		t.Fatal(err)
	}

	// A fresh installation with the other unions only.
	dst := pgtest.New(t)
	tenanttest.SeedExcept(t, dst, "spn")
	others := map[uuid.UUID]map[string]int{}
	otherIDs := func() []uuid.UUID {
		var ids []uuid.UUID
		if err := dst.Owner.NewRaw("SELECT id FROM tenants WHERE slug <> 'spn'").Scan(ctx, &ids); err != nil {
			t.Fatal(err)
		}
		return ids
	}
	for _, id := range otherIDs() {
		if others[id], err = tenantmove.Counts(ctx, dst.Owner, id); err != nil {
			t.Fatal(err)
		}
	}
	dstData := t.TempDir()
	dstStore := evidence.LocalStore{Root: filepath.Join(dstData, "evidence")}

	// A file cut short is refused whole.
	cut := file.Bytes()[:file.Len()*2/3]
	if _, _, err := tenantmove.Import(ctx, dst.Owner, dstStore, bytes.NewReader(cut)); err == nil {
		t.Fatal("a cut-off file was imported")
	}
	var n int
	if err := dst.Super.QueryRowContext(ctx, "SELECT count(*) FROM cases WHERE tenant_id = ?", spnID).Scan(&n); err != nil || n != 0 {
		t.Fatalf("a refused import left %d cases (%v)", n, err)
	}

	h, got, err := tenantmove.Import(ctx, dst.Owner, dstStore, bytes.NewReader(file.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if h.Slug != "spn" || got.Files != 1 || !maps.Equal(got.Rows, sum.Rows) {
		t.Errorf("import summary %+v, export %+v", got, sum)
	}
	if _, _, err := tenantmove.Import(ctx, dst.Owner, dstStore, bytes.NewReader(file.Bytes())); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second import: %v", err)
	}

	// Counts per table: SPN identical, the others untouched.
	dstCounts, err := tenantmove.Counts(ctx, dst.Owner, spnID)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(srcCounts, dstCounts) {
		for k := range srcCounts {
			if srcCounts[k] != dstCounts[k] {
				t.Errorf("%s: %d rows at the source, %d after import", k, srcCounts[k], dstCounts[k])
			}
		}
	}
	for _, id := range otherIDs() {
		c, err := tenantmove.Counts(ctx, dst.Owner, id)
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(c, others[id]) {
			t.Errorf("tenant %s changed by the import: %v → %v", id, others[id], c)
		}
	}

	// The timeline hash chains verify in the new installation.
	audit, err := cases.AuditChains(ctx, dst.App)
	if err != nil {
		t.Fatal(err)
	}
	if len(audit.Broken) > 0 || audit.Cases < srcCounts["cases"] {
		t.Errorf("audit after import: %d cases, broken %v", audit.Cases, audit.Broken)
	}

	// The same pages, from a server over the new installation.
	cfg := *src.cfg
	cfg.Paths.Data = dstData
	pf, err := app.NewServer(ctx, &cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), dst.App)
	if err != nil {
		t.Fatal(err)
	}
	dstEnv := &env{t: t, db: dst, cfg: &cfg, srv: pf.Server, pf: pf}
	dstWorker := dstEnv.login(spnHost, map[string]string{"phone": "081200000003", "password": demoPW})
	dstAdmin := dstEnv.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	for _, p := range []struct {
		path     string
		src, dst string
	}{
		{"/api/v1/cases/" + caseID, worker, dstWorker},
		{"/api/v1/cases", worker, dstWorker},
		{"/api/v1/cases/" + caseID + "/evidence/" + fileID, worker, dstWorker},
		{"/api/v1/cases?limit=50", admin, dstAdmin},
		{"/api/v1/admin/categories", admin, dstAdmin},
		{"/api/v1/admin/branches", admin, dstAdmin},
		{"/api/v1/admin/workplaces", admin, dstAdmin},
		{"/", "", ""},
	} {
		r1, b1 := src.get(spnHost, p.path, bearer(p.src)...)
		r2, b2 := dstEnv.get(spnHost, p.path, bearer(p.dst)...)
		b1, b2 = csrfValue.ReplaceAllString(b1, "$1"), csrfValue.ReplaceAllString(b2, "$1")
		if r1.StatusCode != 200 || r1.StatusCode != r2.StatusCode || b1 != b2 {
			t.Errorf("%s differs after import: %d %d\nsource: %.300s\nimport: %.300s", p.path, r1.StatusCode, r2.StatusCode, b1, b2)
		}
	}
	// The new installation keeps working: the app can add rows to tables
	// with identity columns (sequences moved past the imported ids).
	if st, _ := dstEnv.exportCSV(spnHost, exportCSV, dstAdmin); st != 200 {
		t.Errorf("csv export after import: %d", st)
	}
	if out := dstEnv.file(spnHost, dstWorker, map[string]any{"type": "complaint", "workplace_id": wp,
		"description": "Cuti haid tidak diberikan oleh atasan."}); out["id"] == nil {
		t.Errorf("filing after import: %v", out)
	}
}
