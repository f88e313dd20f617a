package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/uptrace/bun"
)

// TestAdminOrgPage drives the org tree and workplaces page's forms: add,
// rename, move and close a branch; add a plantation workplace with its
// afdeling and headcount; merge a workplace typed by a worker. Refusals
// show the page again with the reason; officers and other tenants get
// nothing.
func TestAdminOrgPage(t *testing.T) {
	e := newCaseEnv(t)
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	officer := e.login(spnHost, map[string]string{"email": "officer@spn.example", "password": demoPW})
	gartAdmin := e.login(otherHost, map[string]string{"email": "admin@garteks.example", "password": demoPW})
	branchID := func(path string) string {
		var id string
		e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
			return tx.QueryRowContext(ctx, "SELECT id::text FROM branches WHERE path = ?", path).Scan(&id)
		})
		return id
	}
	ok := func(what string, resp *http.Response, body string) {
		t.Helper()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d %.400s", what, resp.StatusCode, body)
		}
	}

	resp, page := e.page(spnHost, "/admin/org", admin)
	if resp.StatusCode != 200 || !strings.Contains(page, "spn/jabar") {
		t.Fatalf("org page: %d", resp.StatusCode)
	}
	jabar, root := branchID("spn/jabar"), branchID("spn")
	resp, body := e.postForm(spnHost, "/admin/org/branches", admin, url.Values{"parent_id": {jabar}, "slug": {"karawang"}, "name": {"DPC Karawang"}, "level": {"city"}})
	ok("create", resp, body)
	kar := branchID("spn/jabar/karawang")
	resp, body = e.postForm(spnHost, "/admin/org/branches/"+kar+"/rename", admin, url.Values{"name": {"DPC Kabupaten Karawang"}})
	ok("rename", resp, body)
	resp, body = e.postForm(spnHost, "/admin/org/branches/"+kar+"/move", admin, url.Values{"parent_id": {root}})
	ok("move", resp, body)
	if branchID("spn/karawang") != kar {
		t.Errorf("moved branch has not got its new path")
	}
	resp, body = e.postForm(spnHost, "/admin/org/branches/"+kar+"/close", admin, url.Values{})
	ok("close", resp, body)
	_, page = e.page(spnHost, "/admin/org", admin)
	mustContain(t, page, "DPC Kabupaten Karawang", "spn/karawang")

	// Refusals: a taken slug, a bad parent, an unknown action.
	resp, page = e.postForm(spnHost, "/admin/org/branches", admin, url.Values{"parent_id": {root}, "slug": {"jabar"}, "name": {"Lagi"}, "level": {"province"}})
	if resp.StatusCode < 400 || resp.StatusCode >= 500 || !strings.Contains(page, `role="alert"`) {
		t.Errorf("taken slug: %d", resp.StatusCode)
	}
	if resp, _ = e.postForm(spnHost, "/admin/org/branches/"+jabar+"/move", admin, url.Values{"parent_id": {"x"}}); resp.StatusCode != 422 {
		t.Errorf("bad parent: %d", resp.StatusCode)
	}
	if resp, _ = e.postForm(spnHost, "/admin/org/branches/"+jabar+"/explode", admin, url.Values{}); resp.StatusCode != 404 {
		t.Errorf("unknown action: %d", resp.StatusCode)
	}

	// Workplaces: a plantation with afdeling and headcount.
	resp, body = e.postForm(spnHost, "/admin/org/workplaces", admin, url.Values{"company": {"PT Sawit Makmur"}, "name": {"Kebun Sei Rampah"},
		"sector": {"garment"}, "province": {"Sumatera Utara"}, "district": {"Serdang Bedagai"}, "estate": {"Sei Rampah"}, "afdeling": {"III"}, "headcount": {"850"}})
	ok("workplace", resp, body)
	if n := e.countRows("spn", "SELECT count(*) FROM workplaces WHERE company = 'PT Sawit Makmur' AND afdeling = 'III' AND headcount = 850"); n != 1 {
		t.Errorf("workplace stored: %d", n)
	}
	if resp, _ = e.postForm(spnHost, "/admin/org/workplaces", admin, url.Values{"company": {"PT X"}, "sector": {"garment"}, "headcount": {"banyak"}}); resp.StatusCode != 422 {
		t.Errorf("bad headcount: %d", resp.StatusCode)
	}
	// A duplicate typed by a worker, merged into the real one.
	var typed, real string
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO workplaces (tenant_id, slug, company, sector, unverified)
			VALUES (current_setting('app.tenant_id')::uuid, 'pt-sawit-makmur-typed', 'pt sawit makmur', 'garment', true) RETURNING id::text`).Scan(&typed); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, "SELECT id::text FROM workplaces WHERE company = 'PT Sawit Makmur'").Scan(&real)
	})
	resp, body = e.postForm(spnHost, "/admin/org/workplaces/"+typed+"/merge", admin, url.Values{"into": {real}})
	ok("merge", resp, body)
	if n := e.countRows("spn", "SELECT count(*) FROM workplaces WHERE id = ? AND merged_into = ?", typed, real); n != 1 {
		t.Errorf("merge not recorded")
	}

	// Who may not.
	if resp, _ := e.page(spnHost, "/admin/org", officer); resp.StatusCode != 403 {
		t.Errorf("officer reads the org page: %d", resp.StatusCode)
	}
	if resp, _ := e.postForm(spnHost, "/admin/org/branches/"+jabar+"/rename", officer, url.Values{"name": {"X"}}); resp.StatusCode != 403 {
		t.Errorf("officer renames: %d", resp.StatusCode)
	}
	if resp, _ := e.page(spnHost, "/admin/org", gartAdmin); resp.StatusCode < 400 {
		t.Errorf("garteks admin on spn: %d", resp.StatusCode)
	}
	// Garteks's admin on their own host cannot touch SPN's branch by id.
	resp, _ = e.postForm(otherHost, "/admin/org/branches/"+jabar+"/rename", gartAdmin, url.Values{"name": {"Dibajak"}})
	if resp.StatusCode != 404 {
		t.Errorf("cross-tenant rename: %d, want 404", resp.StatusCode)
	}
	if n := e.countRows("spn", "SELECT count(*) FROM branches WHERE name = 'Dibajak'"); n != 0 {
		t.Error("another tenant renamed an SPN branch")
	}
}
