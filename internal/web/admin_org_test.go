package web_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/uptrace/bun"
)

// TestAdminOrgTree adds, renames, moves and closes branches: a move
// rewrites the paths of the whole sub-tree at once, and role assignments
// follow it (the officer keeps their cases, the old province loses them).
func TestAdminOrgTree(t *testing.T) {
	e := newCaseEnv(t)
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	branch := e.login(spnHost, map[string]string{"email": "branch@spn.example", "password": demoPW})
	officer := e.login(spnHost, map[string]string{"email": "officer@spn.example", "password": demoPW})
	worker := e.login(spnHost, map[string]string{"phone": "081200000001", "password": demoPW})
	ids := branchIDs(t, e)
	caseID := e.file(spnHost, worker, map[string]any{"type": "complaint", "description": "Upah lembur dibayar separuh.",
		"workplace_id": e.workplaceID("spn", "pt-maju-jaya-garmen")})["id"].(string)

	resp, body := e.postJSON(spnHost, "/api/v1/admin/branches", map[string]any{"parent_id": ids["spn"], "slug": "jatim", "name": "DPD SPN Jawa Timur", "level": "province"}, bearer(admin)...)
	if resp.StatusCode != http.StatusCreated || body["path"] != "spn/jatim" {
		t.Fatalf("create: %d %v", resp.StatusCode, body)
	}
	jatim := body["id"].(string)
	for name, c := range map[string]map[string]any{
		"bad slug":    {"parent_id": ids["spn"], "slug": "Banten!", "name": "x", "level": "province"},
		"level":       {"parent_id": ids["spn/jabar"], "slug": "x", "name": "x", "level": "province"},
		"taken":       {"parent_id": ids["spn"], "slug": "jabar", "name": "x", "level": "province"},
		"no parent":   {"parent_id": "nope", "slug": "x", "name": "x", "level": "city"},
		"bad level":   {"parent_id": ids["spn"], "slug": "x", "name": "x", "level": "galaxy"},
		"wp not uuid": {"parent_id": ids["spn"], "slug": "x", "name": "x", "level": "province", "workplace_id": "x"},
	} {
		resp, body := e.postJSON(spnHost, "/api/v1/admin/branches", c, bearer(admin)...)
		if resp.StatusCode != 422 && resp.StatusCode != 409 || errorCode(body) == "" {
			t.Errorf("%s: %d %v", name, resp.StatusCode, body)
		}
	}
	if resp, _ := e.postJSON(spnHost, "/api/v1/admin/branches", map[string]any{"parent_id": ids["spn"], "slug": "y", "name": "y", "level": "province"}, bearer(branch)...); resp.StatusCode != 403 {
		t.Errorf("branch admin creates a province: %d", resp.StatusCode)
	}

	// Move Bekasi (and the PUK below it) to Jawa Timur.
	resp, body = e.postJSON(spnHost, "/api/v1/admin/branches/"+ids["spn/jabar/bekasi"]+"/move", map[string]any{"parent_id": jatim}, bearer(admin)...)
	if resp.StatusCode != 200 || body["path"] != "spn/jatim/bekasi" {
		t.Fatalf("move: %d %v", resp.StatusCode, body)
	}
	if n := e.countRows("spn", "SELECT count(*) FROM branches WHERE path = 'spn/jatim/bekasi/puk-maju-jaya' AND id = ?", ids["spn/jabar/bekasi/puk-maju-jaya"]); n != 1 {
		t.Error("descendant path not rewritten")
	}
	if n := e.countRows("spn", "SELECT count(*) FROM branches WHERE path LIKE 'spn/jabar/bekasi%'"); n != 0 {
		t.Errorf("%d branches still under the old path", n)
	}
	if r, _ := e.getJSON(spnHost, "/api/v1/cases/"+caseID, officer); r.StatusCode != 200 {
		t.Errorf("officer after the move: %d", r.StatusCode)
	}
	if r, _ := e.getJSON(spnHost, "/api/v1/cases/"+caseID, branch); r.StatusCode != 404 {
		t.Errorf("old province admin after the move: %d", r.StatusCode)
	}
	if resp, body := e.postJSON(spnHost, "/api/v1/admin/branches/"+jatim+"/move", map[string]any{"parent_id": ids["spn/jabar/bekasi"]}, bearer(admin)...); resp.StatusCode != 422 {
		t.Errorf("move below own sub-tree: %d %v", resp.StatusCode, body)
	}
	if resp, _ := e.postJSON(spnHost, "/api/v1/admin/branches/"+ids["spn"]+"/move", map[string]any{"parent_id": jatim}, bearer(admin)...); resp.StatusCode != 409 {
		t.Errorf("move the root: %d", resp.StatusCode)
	}

	// Rename and close.
	resp, body = e.sendJSON("PATCH", spnHost, "/api/v1/admin/branches/"+jatim, admin, map[string]any{"name": "DPD SPN Provinsi Jawa Timur"})
	if resp.StatusCode != 200 || body["name"] != "DPD SPN Provinsi Jawa Timur" || body["path"] != "spn/jatim" {
		t.Errorf("rename: %d %v", resp.StatusCode, body)
	}
	if resp, _ := e.postJSON(spnHost, "/api/v1/admin/branches/"+jatim+"/close", nil, bearer(admin)...); resp.StatusCode != 409 {
		t.Errorf("close with open children: %d", resp.StatusCode)
	}
	_, body = e.postJSON(spnHost, "/api/v1/admin/branches", map[string]any{"parent_id": jatim, "slug": "surabaya", "name": "DPC Surabaya", "level": "city"}, bearer(admin)...)
	if resp, _ := e.postJSON(spnHost, "/api/v1/admin/branches/"+body["id"].(string)+"/close", nil, bearer(admin)...); resp.StatusCode != 204 {
		t.Errorf("close: %d", resp.StatusCode)
	}
	for kind, want := range map[string]int{"branch.created": 2, "branch.moved": 1, "branch.renamed": 1, "branch.closed": 1} {
		if n := e.countRows("spn", "SELECT count(*) FROM admin_events WHERE kind = ?", kind); n != want {
			t.Errorf("%s events: %d, want %d", kind, n, want)
		}
	}

	// Another union's admin: 404 on spn's branches.
	gAdmin := e.login(otherHost, map[string]string{"email": "admin@garteks.example", "password": demoPW})
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"PATCH", "/api/v1/admin/branches/" + jatim, map[string]any{"name": "x"}},
		{"POST", "/api/v1/admin/branches/" + jatim + "/close", nil},
	} {
		if resp, _ := e.sendJSON(c.method, otherHost, c.path, gAdmin, c.body); resp.StatusCode != 404 {
			t.Errorf("%s %s on garteks: %d", c.method, c.path, resp.StatusCode)
		}
	}
	var gRoot string
	e.inTenant("garteks", func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT id::text FROM branches WHERE parent_id IS NULL").Scan(&gRoot)
	})
	if resp, _ := e.postJSON(otherHost, "/api/v1/admin/branches/"+ids["spn/jabar"]+"/move", map[string]any{"parent_id": gRoot}, bearer(gAdmin)...); resp.StatusCode != 404 {
		t.Errorf("move spn branch from garteks: %d", resp.StatusCode)
	}
}

// TestAdminWorkplaces adds a workplace and merges a worker-typed duplicate:
// its cases and users move to the real one.
func TestAdminWorkplaces(t *testing.T) {
	e := newCaseEnv(t)
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	officer := e.login(spnHost, map[string]string{"email": "officer@spn.example", "password": demoPW})
	worker := e.login(spnHost, map[string]string{"phone": "081200000001", "password": demoPW})

	resp, body := e.postJSON(spnHost, "/api/v1/admin/workplaces", map[string]any{"company": "PT Sepatu Jaya", "name": "Pabrik 2",
		"sector": "footwear", "province": "Banten", "district": "Tangerang", "headcount": 1200}, bearer(admin)...)
	if resp.StatusCode != http.StatusCreated || body["slug"] != "pt-sepatu-jaya-pabrik-2" {
		t.Fatalf("create: %d %v", resp.StatusCode, body)
	}
	_, body = e.postJSON(spnHost, "/api/v1/admin/workplaces", map[string]any{"company": "PT Sepatu Jaya", "name": "Pabrik 2", "sector": "footwear"}, bearer(admin)...)
	if body["slug"] != "pt-sepatu-jaya-pabrik-2-2" {
		t.Errorf("second slug: %v", body["slug"])
	}
	for name, c := range map[string]map[string]any{
		"no company": {"company": " ", "sector": "garment"},
		"sector":     {"company": "PT X", "sector": "palm_oil"},
		"headcount":  {"company": "PT X", "sector": "garment", "headcount": -1},
	} {
		if resp, body := e.postJSON(spnHost, "/api/v1/admin/workplaces", c, bearer(admin)...); resp.StatusCode != 422 || errorCode(body) != "invalid" {
			t.Errorf("%s: %d %v", name, resp.StatusCode, body)
		}
	}
	if resp, _ := e.postJSON(spnHost, "/api/v1/admin/workplaces", map[string]any{"company": "PT Y", "sector": "garment"}, bearer(officer)...); resp.StatusCode != 403 {
		t.Errorf("officer creates a workplace: %d", resp.StatusCode)
	}

	// A duplicate typed by a worker, with a case and the worker on it.
	real := e.workplaceID("spn", "pt-maju-jaya-garmen")
	var dup string
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO workplaces (tenant_id, slug, company, sector, unverified)
			VALUES (current_setting('app.tenant_id')::uuid, 'maju-jaya-typed', 'PT Majujaya', 'garment', true) RETURNING id::text`).Scan(&dup)
	})
	caseID := e.file(spnHost, worker, map[string]any{"type": "complaint", "description": "Upah di bawah UMK sejak Januari.", "workplace_id": dup})["id"].(string)
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE users SET workplace_id = ? WHERE phone = '+6281200000001'", dup)
		return err
	})
	resp, body = e.postJSON(spnHost, "/api/v1/admin/workplaces/"+dup+"/merge", map[string]any{"into": real}, bearer(admin)...)
	if resp.StatusCode != 200 {
		t.Fatalf("merge: %d %v", resp.StatusCode, body)
	}
	moved := body["moved"].(map[string]any)
	if moved["cases"] != float64(1) || moved["users"] != float64(1) {
		t.Errorf("moved: %v", moved)
	}
	if n := e.countRows("spn", "SELECT count(*) FROM cases WHERE id = ? AND workplace_id = ?", caseID, real); n != 1 {
		t.Error("case did not move")
	}
	if n := e.countRows("spn", "SELECT count(*) FROM workplaces WHERE id = ? AND merged_into = ?", dup, real); n != 1 {
		t.Error("duplicate not marked merged")
	}
	if resp, _ := e.postJSON(spnHost, "/api/v1/admin/workplaces/"+dup+"/merge", map[string]any{"into": real}, bearer(admin)...); resp.StatusCode != 404 {
		t.Errorf("merge an already merged workplace: %d", resp.StatusCode)
	}
	gAdmin := e.login(otherHost, map[string]string{"email": "admin@garteks.example", "password": demoPW})
	if resp, _ := e.postJSON(otherHost, "/api/v1/admin/workplaces/"+real+"/merge", map[string]any{"into": real}, bearer(gAdmin)...); resp.StatusCode != 422 && resp.StatusCode != 404 {
		t.Errorf("merge from garteks: %d", resp.StatusCode)
	}
	gWp := ""
	e.inTenant("garteks", func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT id::text FROM workplaces LIMIT 1").Scan(&gWp)
	})
	if resp, _ := e.postJSON(otherHost, "/api/v1/admin/workplaces/"+real+"/merge", map[string]any{"into": gWp}, bearer(gAdmin)...); resp.StatusCode != 404 {
		t.Errorf("merge spn workplace from garteks: %d", resp.StatusCode)
	}
}
