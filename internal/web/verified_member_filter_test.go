package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// TestVerifiedMemberFilters: the staff queue page and the admin dashboard
// (API and page) filter on reports by verified members — named reports
// only, within the viewer's branch scope, never another union's.
func TestVerifiedMemberFilters(t *testing.T) {
	parallel(t)
	e := newEnv(t)
	e.seedDemo()
	ctx := context.Background()
	_, branch, admin := e.staffTokens()
	// Worker 1 is a verified member; worker 2 is not.
	if _, err := e.db.Super.ExecContext(ctx, `UPDATE users SET member_number = 'SPN-0001', is_member = true, member_verified_at = now()
		WHERE phone = '+6281200000001' AND tenant_id = (SELECT id FROM tenants WHERE slug = 'spn')`); err != nil {
		t.Fatal(err)
	}
	w1 := e.login(spnHost, map[string]string{"phone": "081200000001", "password": demoPW})
	w2 := e.login(spnHost, map[string]string{"phone": "081200000002", "password": demoPW})
	wp := e.workplaceID("spn", "pt-maju-jaya-garmen")
	file := func(tok, mode, title string) string {
		return e.file(spnHost, tok, map[string]any{"type": "complaint", "safety_mode": mode, "workplace_id": wp,
			"title": title, "description": title + ": sudah tiga bulan terjadi di lini jahit dan belum ada tanggapan."})["id"].(string)
	}
	mine := []string{file(w1, "named", "Upah lembur dipotong"), file(w1, "named", "Cuti tahunan ditolak")}
	file(w1, "confidential", "Atasan berkata kasar")
	file(w2, "named", "Kantin kotor")

	// The dashboard: only worker 1's named reports (the two above and any
	// the demo seed gave them).
	w1Named := func(under string) int {
		return e.countRows("spn", `SELECT count(*) FROM cases c JOIN users u ON u.id = c.reporter_user_id JOIN branches b ON b.id = c.branch_id
			WHERE c.safety_mode = 'named' AND u.phone = '+6281200000001' AND (b.path = ? OR b.path LIKE ? || '/%')`, under, under)
	}
	want := w1Named("spn")
	if want < len(mine) {
		t.Fatalf("worker 1 has %d named cases", want)
	}
	resp, d := e.getJSON(spnHost, "/api/v1/admin/dashboard?verified_member=1", admin)
	if resp.StatusCode != http.StatusOK || d["total"] != float64(want) {
		t.Fatalf("filtered dashboard: %d, total %v, want %d", resp.StatusCode, d["total"], want)
	}
	_, all := e.getJSON(spnHost, "/api/v1/admin/dashboard", admin)
	if all["total"] != float64(e.countRows("spn", "SELECT count(*) FROM cases")) {
		t.Fatalf("unfiltered dashboard: total %v", all["total"])
	}
	// Unfiltered views still come from the stored snapshot; the filtered
	// one did not overwrite it.
	if _, again := e.getJSON(spnHost, "/api/v1/admin/dashboard", admin); again["total"] != all["total"] {
		t.Errorf("the unfiltered total moved from %v to %v", all["total"], again["total"])
	}
	// The branch admin's scope holds under the filter: their sub-tree's
	// share only; another union's admin finds nothing.
	if _, bd := e.getJSON(spnHost, "/api/v1/admin/dashboard?verified_member=1", branch); bd["branch_path"] != "spn/jabar" || bd["total"] != float64(w1Named("spn/jabar")) {
		t.Errorf("branch admin's filtered dashboard: %v at %v, want %d", bd["total"], bd["branch_path"], w1Named("spn/jabar"))
	}
	if _, bd := e.getJSON(spnHost, "/api/v1/admin/dashboard?verified_member=1&branch=spn", branch); bd["total"] != nil {
		t.Errorf("branch admin above their branch: %v", bd)
	}
	gAdmin := e.login("garteks.localhost", map[string]string{"email": "admin@garteks.example", "password": demoPW})
	if resp, _ := e.getJSON("garteks.localhost", "/api/v1/admin/dashboard?verified_member=1&branch=spn/jabar", gAdmin); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another union's admin on spn's branch: %d", resp.StatusCode)
	}
	if _, gd := e.getJSON("garteks.localhost", "/api/v1/admin/dashboard?verified_member=1", gAdmin); gd["total"] != float64(0) {
		t.Errorf("another union's filtered dashboard counts %v", gd["total"])
	}
	if resp, body := e.getJSON(spnHost, "/api/v1/admin/dashboard?verified_member=maybe", admin); resp.StatusCode != http.StatusUnprocessableEntity || fieldErrors(body)["verified_member"] == nil {
		t.Errorf("bad flag: %d %v", resp.StatusCode, body)
	}
	// The page: the filter form, kept ticked, with the filtered figures.
	resp, page := e.page(spnHost, "/admin/dashboard?verified_member=1", admin)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("dashboard page: %d", resp.StatusCode)
	}
	mustContain(t, page, `name="verified_member" value="1" checked`, "Pelapor anggota terverifikasi")
	if _, plain := e.page(spnHost, "/admin/dashboard", admin); strings.Contains(plain, `value="1" checked`) {
		t.Error("the filter is ticked without being asked for")
	}

	// The queue page's filter.
	_, q := e.page(spnHost, "/staff/queue?verified_member=1", admin)
	mustContain(t, q, `name="verified_member" value="1" checked`, "Upah lembur dipotong", "Cuti tahunan ditolak")
	for _, not := range []string{"Kantin kotor", "Atasan berkata kasar"} {
		if strings.Contains(q, not) {
			t.Errorf("the filtered queue lists %q", not)
		}
	}
}
