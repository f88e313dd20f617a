package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestWorkerAccountPages: the staff pages for helping a worker in person
// are reached by links (the reporter panel of a case page, the admins'
// worker list) only for those with a right over the worker, check the same
// rights as the API at the worker's branch, audit as the API does, keep
// the typed member number on error and say why in the user's language.
func TestWorkerAccountPages(t *testing.T) {
	parallel(t)
	e := newEnv(t)
	e.seedDemo()
	g := e.gateway("spn")
	ctx := context.Background()
	var workerID, otherID string
	if err := e.db.Super.QueryRowContext(ctx, `UPDATE users SET workplace_id = NULL, member_number = 'SPN-0001'
		WHERE phone = '+6281200000001' AND tenant_id = (SELECT id FROM tenants WHERE slug = 'spn') RETURNING id`).Scan(&workerID); err != nil {
		t.Fatal(err)
	}
	if err := e.db.Super.QueryRowContext(ctx, `SELECT id FROM users
		WHERE phone = '+6281200000002' AND tenant_id = (SELECT id FROM tenants WHERE slug = 'spn')`).Scan(&otherID); err != nil {
		t.Fatal(err)
	}
	officer, branch, admin := e.staffTokens()
	gAdmin := e.login("garteks.localhost", map[string]string{"email": "admin@garteks.example", "password": demoPW})
	page := "/staff/workers/" + workerID
	audits := func(kind, subject string) int {
		return e.superCount("SELECT count(*) FROM admin_events WHERE kind = '" + kind + "' AND subject = '" + subject + "'")
	}

	// Reached by clicking: the reporter panel of the worker's named case,
	// and the admins' worker list.
	worker := e.login(spnHost, map[string]string{"phone": "081200000001", "password": demoPW})
	filed := e.file(spnHost, worker, map[string]any{"type": "complaint", "safety_mode": "named", "workplace_id": e.workplaceID("spn", "pt-maju-jaya-garmen"),
		"title": "Upah lembur", "description": "Upah lembur tidak dibayar sejak bulan lalu di lini jahit."})
	link := `href="` + page + `"`
	if _, body := e.page(spnHost, "/cases/"+filed["id"].(string), admin); !strings.Contains(body, link) {
		t.Error("the admin's case page does not link to the reporter's account")
	}
	if resp, body := e.page(spnHost, "/cases/"+filed["id"].(string), officer); resp.StatusCode == http.StatusOK && strings.Contains(body, link) {
		t.Error("the officer's case page links to an account the officer may not act on")
	}
	if _, body := e.page(spnHost, "/admin/people", admin); !strings.Contains(body, link) {
		t.Error("the worker list does not link to the account page")
	}

	// Who may open it: the same rights as the API.
	for _, c := range []struct {
		who, host, tok string
		want           int
	}{
		{"officer", spnHost, officer, http.StatusForbidden},
		{"branch admin of a province (worker at the root)", spnHost, branch, http.StatusForbidden},
		{"another union's admin", "garteks.localhost", gAdmin, http.StatusNotFound},
	} {
		if resp, _ := e.page(c.host, page, c.tok); resp.StatusCode != c.want {
			t.Errorf("GET as %s: %d, want %d", c.who, resp.StatusCode, c.want)
		}
		if resp, _ := e.postForm(c.host, page+"/reset-code", c.tok, url.Values{}); resp.StatusCode != c.want {
			t.Errorf("reset code as %s: %d, want %d", c.who, resp.StatusCode, c.want)
		}
		if resp, _ := e.postForm(c.host, page+"/verify-member", c.tok, url.Values{"member_number": {"SPN-0001"}}); resp.StatusCode != c.want {
			t.Errorf("verify as %s: %d, want %d", c.who, resp.StatusCode, c.want)
		}
	}
	if resp, _ := e.page(spnHost, page, ""); resp.StatusCode == http.StatusOK || resp.StatusCode >= 500 {
		t.Errorf("GET without a session: %d", resp.StatusCode)
	}
	if n := audits("account.password_reset_started", workerID) + audits("account.member_verified", workerID); n != 0 {
		t.Fatalf("refused requests wrote %d audit rows", n)
	}

	resp, body := e.page(spnHost, page, admin)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("admin: %d", resp.StatusCode)
	}
	mustContain(t, body, "Akun pekerja", "Buat kode atur ulang", "Verifikasi keanggotaan", `action="`+page+`/verify-member"`)
	if strings.Contains(body, "SPN-0001") {
		t.Error("the page shows the member number the admin is to check against the card")
	}
	if _, en := e.page(spnHost, page+"?lang=en", admin); !strings.Contains(en, "Worker account") || !strings.Contains(en, "Check the union card") {
		t.Error("the page is not in English with ?lang=en")
	}

	// The reset code, shown once, audited; the worker is told and can use it.
	resp, body = e.postForm(spnHost, page+"/reset-code", admin, url.Values{})
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("reset code: %d, Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	m := regexp.MustCompile(`id="reset-code">(\d{6})<`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no code on the page:\n%s", body)
	}
	mustContain(t, body, "Serahkan kode ini langsung kepada pekerja", "Buat kata sandi baru")
	if n := audits("account.password_reset_started", workerID); n != 1 {
		t.Fatalf("%d audit rows for the reset code", n)
	}
	if msg := g.last(t, "+6281200000001"); msg.Template != "account_staff_reset" {
		t.Errorf("worker not told: %s", msg.Template)
	}
	if resp, _ := e.postJSON(spnHost, "/api/v1/auth/password/reset", map[string]string{"phone": "081200000001", "code": m[1], "password": "benang-kuning-2026"}); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("reset with the page's code: %d", resp.StatusCode)
	}

	// The member check: empty and wrong numbers keep what was typed and
	// say why; the right one (spaces and case aside) verifies, audited.
	resp, body = e.postForm(spnHost, page+"/verify-member", admin, url.Values{"member_number": {""}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("empty number: %d", resp.StatusCode)
	}
	mustContain(t, body, `aria-invalid="true"`)
	resp, body = e.postForm(spnHost, page+"/verify-member", admin, url.Values{"member_number": {"SPN-0002"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("wrong number: %d", resp.StatusCode)
	}
	mustContain(t, body, `value="SPN-0002"`, "Nomor anggota tidak sama dengan yang tercatat di akun.", `aria-invalid="true"`)
	if _, en := e.postForm(spnHost, page+"/verify-member?lang=en", admin, url.Values{"member_number": {"SPN-0003"}}); !strings.Contains(en, "The member number does not match") {
		t.Error("the mismatch is not explained in English")
	}
	if n := audits("account.member_verified", workerID); n != 0 {
		t.Fatalf("a wrong number was audited as verified (%d)", n)
	}
	resp, _ = e.postForm(spnHost, page+"/verify-member", admin, url.Values{"member_number": {" spn-0001 "}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != page+"?done=verified" {
		t.Fatalf("verify: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if n := audits("account.member_verified", workerID); n != 1 {
		t.Fatalf("%d audit rows for the member check", n)
	}
	_, body = e.page(spnHost, page+"?done=verified", admin)
	mustContain(t, body, "Keanggotaan sudah diverifikasi.", "Anggota, diverifikasi pengurus")
	if strings.Contains(body, `id="verify-form"`) {
		t.Error("the member check is offered again after verifying")
	}

	// Cross-branch: the province's branch admin acts on a worker of a
	// plant below it, not on one whose plant is elsewhere.
	other := "/staff/workers/" + otherID
	if _, err := e.db.Super.ExecContext(ctx, `UPDATE users SET workplace_id = (SELECT b.workplace_id FROM branches b
		WHERE b.path = 'spn/jabar/bekasi/puk-maju-jaya') WHERE id = ?`, otherID); err != nil {
		t.Fatal(err)
	}
	if resp, body := e.page(spnHost, other, branch); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Buat kode atur ulang") {
		t.Errorf("branch admin over a worker of a plant below: %d", resp.StatusCode)
	}
	if resp, _ := e.postForm(spnHost, other+"/reset-code", branch, url.Values{}); resp.StatusCode != http.StatusCreated {
		t.Errorf("branch admin's reset code for a worker below: %d", resp.StatusCode)
	}
	if _, err := e.db.Super.ExecContext(ctx, `UPDATE users SET workplace_id = (SELECT b.workplace_id FROM branches b JOIN tenants t ON t.id = b.tenant_id
		WHERE t.slug = 'spn' AND b.workplace_id IS NOT NULL AND b.path NOT LIKE 'spn/jabar/%' LIMIT 1) WHERE id = ?`, otherID); err != nil {
		t.Fatal(err)
	}
	var elsewhere *string
	if err := e.db.Super.QueryRowContext(ctx, `SELECT workplace_id::text FROM users WHERE id = ?`, otherID).Scan(&elsewhere); err != nil || elsewhere == nil {
		t.Fatalf("no plant outside spn/jabar in the seed: %v", err)
	}
	before := audits("account.password_reset_started", otherID)
	for _, p := range []string{other, other + "/reset-code"} {
		var resp *http.Response
		if strings.HasSuffix(p, "reset-code") {
			resp, _ = e.postForm(spnHost, p, branch, url.Values{})
		} else {
			resp, _ = e.page(spnHost, p, branch)
		}
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("branch admin on %s for a worker elsewhere: %d, want 403", p, resp.StatusCode)
		}
	}
	if audits("account.password_reset_started", otherID) != before {
		t.Error("a refused reset code was audited")
	}
}
