package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/uptrace/bun"
)

// TestApplySector: applying the palm-oil template to SPN (garment and
// footwear) adds the sector and the examples, recreates a deleted
// standard category, leaves renamed and hidden ones as they are, and a
// second application changes nothing. Other tenants are untouched.
func TestApplySector(t *testing.T) {
	e := newCaseEnv(t)
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	officer := e.login(spnHost, map[string]string{"email": "officer@spn.example", "password": demoPW})
	gartAdmin := e.login(otherHost, map[string]string{"email": "admin@garteks.example", "password": demoPW})
	const sectors = "/api/v1/admin/sectors"

	// Admin changes the template must not undo.
	upah, cuti, lainnya := e.categoryID("spn", "upah"), e.categoryID("spn", "cuti"), e.categoryID("spn", "lainnya")
	if resp, body := e.sendJSON("PATCH", spnHost, adminCats+"/"+upah, admin, map[string]any{"name_id": "Upah Buruh"}); resp.StatusCode != 200 {
		t.Fatalf("rename: %d %v", resp.StatusCode, body)
	}
	if resp, _ := e.sendJSON("POST", spnHost, adminCats+"/"+cuti+"/hide", admin, nil); resp.StatusCode >= 300 {
		t.Fatalf("hide: %d", resp.StatusCode)
	}
	if resp, body := e.sendJSON("DELETE", spnHost, adminCats+"/"+lainnya, admin, nil); resp.StatusCode >= 300 {
		t.Fatalf("delete unused: %d %v", resp.StatusCode, body)
	}
	gartBefore := e.countRows("garteks", "SELECT count(*) FROM categories") + e.countRows("garteks", "SELECT coalesce(sum(cardinality(examples)), 0)::int FROM categories")

	for name, c := range map[string]struct {
		tok  string
		body any
		want int
	}{"officer": {officer, map[string]any{"sector": "palm_oil"}, 403}, "unknown": {admin, map[string]any{"sector": "mining"}, 422},
		"not json": {admin, "sector=palm_oil", 400}, "signed out": {"", map[string]any{"sector": "palm_oil"}, 401}} {
		if resp, _ := e.sendJSON("POST", spnHost, sectors, c.tok, c.body); resp.StatusCode != c.want {
			t.Errorf("%s: %d, want %d", name, resp.StatusCode, c.want)
		}
	}
	if resp, _ := e.sendJSON("POST", spnHost, sectors, gartAdmin, map[string]any{"sector": "palm_oil"}); resp.StatusCode < 400 {
		t.Errorf("garteks admin on spn: %d", resp.StatusCode)
	}

	resp, rep := e.sendJSON("POST", spnHost, sectors, admin, map[string]any{"sector": "palm_oil"})
	if resp.StatusCode != 200 || rep["sector_added"] != true || rep["categories_created"] != float64(1) || rep["examples_added"].(float64) < 30 ||
		rep["tags_created"] != float64(2) {
		t.Fatalf("apply: %d %v", resp.StatusCode, rep)
	}
	// The sector's own tags joined spn's vocabulary, not garteks's.
	if n := e.countRows("spn", "SELECT count(*) FROM tags WHERE slug IN ('brondolan', 'basis_panen') AND retired_at IS NULL"); n != 2 {
		t.Errorf("spn has %d palm-oil tags", n)
	}
	if n := e.countRows("garteks", "SELECT count(*) FROM tags WHERE slug IN ('brondolan', 'basis_panen')"); n != 0 {
		t.Errorf("garteks got %d palm-oil tags", n)
	}
	var sectorsNow string
	var upahName string
	var cutiActive bool
	var upahHasPalm int
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT array_to_string(sectors, ',') FROM tenants WHERE slug = 'spn'").Scan(&sectorsNow); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "SELECT name_id, (SELECT count(*) FROM unnest(examples) x WHERE x ILIKE '%brondolan%')::int FROM categories WHERE slug = 'upah'").Scan(&upahName, &upahHasPalm); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, "SELECT active FROM categories WHERE slug = 'cuti'").Scan(&cutiActive)
	})
	if sectorsNow != "garment,footwear,palm_oil" || upahName != "Upah Buruh" || cutiActive || upahHasPalm == 0 {
		t.Errorf("after apply: sectors %q, upah %q (palm examples %d), cuti active %v", sectorsNow, upahName, upahHasPalm, cutiActive)
	}
	if n := e.countRows("spn", "SELECT count(*) FROM categories WHERE slug = 'lainnya' AND active"); n != 1 {
		t.Errorf("deleted standard category not recreated: %d", n)
	}

	// Idempotent: again through the page form.
	resp, body := e.postForm(spnHost, "/admin/sectors", admin, url.Values{"sector": {"palm_oil"}})
	if resp.StatusCode != 200 || !strings.Contains(body, "sudah diterapkan") {
		t.Errorf("second apply: %d", resp.StatusCode)
	}
	if n := e.countRows("spn", "SELECT count(*) FROM admin_events WHERE kind = 'sector.apply'"); n != 1 {
		t.Errorf("%d sector events, want 1", n)
	}
	// The worker's filing form offers the new sector at once.
	if _, page := e.get(spnHost, "/"); !strings.Contains(page, "Kelapa sawit") && !strings.Contains(page, "Kelapa Sawit") {
		t.Errorf("home page does not list the new sector")
	}
	if resp, page := e.page(spnHost, "/admin/sectors", admin); resp.StatusCode != 200 || !strings.Contains(page, "Kelapa Sawit") {
		t.Errorf("sectors page: %d", resp.StatusCode)
	}
	if resp, _ := e.page(spnHost, "/admin/sectors", officer); resp.StatusCode != http.StatusForbidden {
		t.Errorf("sectors page as officer: %d", resp.StatusCode)
	}
	gartAfter := e.countRows("garteks", "SELECT count(*) FROM categories") + e.countRows("garteks", "SELECT coalesce(sum(cardinality(examples)), 0)::int FROM categories")
	if gartAfter != gartBefore {
		t.Errorf("garteks changed: %d → %d", gartBefore, gartAfter)
	}
}
