package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// createUnion posts the console's form as a platform admin.
func (e *env) createUnion(root string, v url.Values) (*http.Response, string) {
	e.t.Helper()
	return e.postForm(platformHost, "/console/unions", root, v)
}

func (e *env) unionID(slug string) string {
	e.t.Helper()
	var id string
	if err := e.db.Owner.QueryRowContext(context.Background(), "SELECT id::text FROM tenants WHERE slug = ?", slug).Scan(&id); err != nil {
		e.t.Fatalf("union %s: %v", slug, err)
	}
	return id
}

// A platform admin creates a union from the console (the rows a manifest
// writes, its first admin invited), suspends it (its host shows a notice,
// logins and filings stop, data kept), resumes it, and removes it only
// after an export made since the suspension and with its slug typed again.
func TestConsoleUnionLifecycle(t *testing.T) {
	e := newCaseEnv(t)
	root := e.login(platformHost, map[string]string{"email": "root@platform.example", "password": demoPW})
	ilo := e.login(platformHost, map[string]string{"email": "ilo@platform.example", "password": demoPW})
	_, _, spnAdmin := e.staffTokens()

	// Reachable from the console overview.
	if resp, body := e.page(platformHost, "/console", root); resp.StatusCode != http.StatusOK || !strings.Contains(body, `href="/console/unions"`) {
		t.Fatalf("console overview: %d", resp.StatusCode)
	}
	form := url.Values{"slug": {"sbsi"}, "name": {"Serikat Buruh Sejahtera"}, "app_name": {"Lapor SBSI"}, "sectors": {"garment", "footwear"},
		"primary": {"#1b5e20"}, "on_primary": {"#ffffff"}, "accent": {"#ff8f00"}, "background": {"#ffffff"}, "text": {"#1a1a1a"},
		"admin_email": {"ketua@sbsi.example"}, "staff_2fa": {"off"}}
	// Who may not: an analyst, a union admin on its host, anyone on a
	// union's host.
	if resp, _ := e.createUnion(ilo, form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("analyst creating a union: %d", resp.StatusCode)
	}
	if resp, _ := e.postForm(spnHost, "/console/unions", spnAdmin, form); resp.StatusCode != http.StatusNotFound {
		t.Errorf("console on a union host: %d", resp.StatusCode)
	}
	// Bad input, no row.
	for _, bad := range []url.Values{
		{"slug": {"A B"}, "name": {"x"}, "app_name": {"x"}, "sectors": {"garment"}, "admin_email": {"a@b.example"}},
		{"slug": {"ok-slug"}, "name": {"x"}, "app_name": {"x"}, "sectors": {"mining"}, "admin_email": {"a@b.example"}},
		{"slug": {"ok-slug"}, "name": {"x"}, "app_name": {"x"}, "admin_email": {"a@b.example"}},
		{"slug": {"ok-slug"}, "name": {"x"}, "app_name": {"x"}, "sectors": {"garment"}, "admin_email": {"nope"}},
		{"slug": {"ok-slug"}, "name": {"x"}, "app_name": {"x"}, "sectors": {"garment"}, "admin_email": {"a@b.example"}, "primary": {"#ffffff"}, "on_primary": {"#ffffff"}, "accent": {"#000000"}, "background": {"#ffffff"}, "text": {"#000000"}},
		{"slug": {"spn"}, "name": {"x"}, "app_name": {"x"}, "sectors": {"garment"}, "admin_email": {"a@b.example"}},
		{"slug": {"ok-slug"}, "name": {"x"}, "app_name": {"x"}, "sectors": {"garment"}, "admin_email": {"a@b.example"}, "staff_2fa": {"maybe"}},
	} {
		if resp, _ := e.createUnion(root, bad); resp.StatusCode != http.StatusUnprocessableEntity && resp.StatusCode != http.StatusConflict {
			t.Errorf("%v: %d", bad, resp.StatusCode)
		}
	}
	if n := e.superCount("SELECT count(*) FROM tenants WHERE slug = 'ok-slug'"); n != 0 {
		t.Fatal("a refused union was created")
	}
	resp, created := e.createUnion(root, form)
	if resp.StatusCode != http.StatusCreated || !strings.Contains(created, "/invite/") {
		t.Fatalf("create: %d %s", resp.StatusCode, created)
	}
	id := e.unionID("sbsi")
	if n := e.superCount("SELECT count(*) FROM categories WHERE tenant_id = '" + id + "'"); n < 10 {
		t.Fatalf("the template's categories: %d", n)
	}
	// The console's two-step verification choice is the union's own.
	if n := e.superCount("SELECT count(*) FROM tenants WHERE id = '" + id + "' AND settings->'require_staff_2fa' = 'false'"); n != 1 {
		t.Fatal("the console's 2FA choice was not stored")
	}
	if n := e.superCount("SELECT count(*) FROM invites WHERE tenant_id = '" + id + "' AND role = 'federation_admin' AND email = 'ketua@sbsi.example'"); n != 1 {
		t.Fatalf("first admin invite: %d", n)
	}
	// Served at once on its subdomain, themed.
	if resp, home := e.get("sbsi.localhost", "/"); resp.StatusCode != http.StatusOK || !strings.Contains(home, "Lapor SBSI") {
		t.Fatalf("new union home: %d", resp.StatusCode)
	}
	// The invite link (shown when no mail relay is set) lets the first
	// admin in.
	link := inviteToken(t, created)
	resp, out := e.postJSON("sbsi.localhost", "/api/v1/staff/invites/accept", map[string]any{"token": link, "name": "Ketua SBSI", "password": "panjang-sekali-123"})
	if resp.StatusCode >= 300 {
		t.Fatalf("accept: %d %v", resp.StatusCode, out)
	}
	sbsiAdmin := e.login("sbsi.localhost", map[string]string{"email": "ketua@sbsi.example", "password": "panjang-sekali-123"})
	worker := e.register("sbsi.localhost", "081277700001")
	filed := e.file("sbsi.localhost", worker, map[string]any{"type": "complaint", "safety_mode": "named", "description": "Upah lembur tidak dibayar sejak bulan lalu."})
	if filed["id"] == nil {
		t.Fatalf("filing on the new union: %v", filed)
	}
	cases := e.superCount("SELECT count(*) FROM cases WHERE tenant_id = '" + id + "'")

	// Suspend: a notice everywhere on its host; logins, filings, tokens
	// stop; other unions unaffected; data kept.
	if resp, _ := e.postForm(platformHost, "/console/unions/"+id+"/suspend", ilo, url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("analyst suspending: %d", resp.StatusCode)
	}
	if resp, _ := e.postForm(platformHost, "/console/unions/"+id+"/suspend", root, url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("suspend: %d", resp.StatusCode)
	}
	resp, body := e.get("sbsi.localhost", "/")
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "ditangguhkan") {
		t.Fatalf("suspended home: %d %s", resp.StatusCode, body)
	}
	if resp, _ := e.get("sbsi.localhost", "/theme.css"); resp.StatusCode != http.StatusOK {
		t.Errorf("suspended theme: %d", resp.StatusCode)
	}
	resp, out = e.postJSON("sbsi.localhost", "/api/v1/auth/login", map[string]any{"email": "ketua@sbsi.example", "password": "panjang-sekali-123"})
	if resp.StatusCode != http.StatusServiceUnavailable || errorCode(out) != "union_suspended" {
		t.Fatalf("suspended login: %d %v", resp.StatusCode, out)
	}
	resp, out = e.postJSON("sbsi.localhost", "/api/v1/cases", map[string]any{"type": "complaint", "description": "Upah lembur tidak dibayar sejak bulan lalu."}, bearer(worker)...)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("suspended filing: %d %v", resp.StatusCode, out)
	}
	if resp, _ := e.getJSON("sbsi.localhost", "/api/v1/me", sbsiAdmin); resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("suspended token: %d", resp.StatusCode)
	}
	if resp, _ := e.get(spnHost, "/"); resp.StatusCode != http.StatusOK {
		t.Fatalf("another union: %d", resp.StatusCode)
	}
	if n := e.superCount("SELECT count(*) FROM cases WHERE tenant_id = '" + id + "'"); n != cases {
		t.Fatalf("cases after suspension: %d, want %d", n, cases)
	}

	// Removal is refused without an export since the suspension, and
	// without the slug typed again.
	remove := func(confirm string) int {
		resp, _ := e.postForm(platformHost, "/console/unions/"+id+"/remove", root, url.Values{"confirm": {confirm}})
		return resp.StatusCode
	}
	if st := remove("sbsi"); st != http.StatusUnprocessableEntity {
		t.Fatalf("remove without export: %d", st)
	}
	resp, export := e.postForm(platformHost, "/console/unions/"+id+"/export", root, url.Values{})
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), "sbsi") {
		t.Fatalf("export: %d", resp.StatusCode)
	}
	sc := bufio.NewScanner(strings.NewReader(export))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	sc.Scan()
	var hdr map[string]any
	if err := json.Unmarshal(sc.Bytes(), &hdr); err != nil || hdr["format"] != "suara-tenant-export" || hdr["slug"] != "sbsi" {
		t.Fatalf("export header: %v %s", err, sc.Text())
	}
	if st := remove(""); st != http.StatusUnprocessableEntity {
		t.Fatalf("remove without confirmation: %d", st)
	}
	if st := remove("spn"); st != http.StatusUnprocessableEntity {
		t.Fatalf("remove with the wrong slug: %d", st)
	}
	if n := e.superCount("SELECT count(*) FROM cases WHERE tenant_id = '" + id + "'"); n != cases {
		t.Fatal("a refused removal removed cases")
	}

	// Resume restores everything; a resume after the export makes the
	// export stale again.
	if resp, _ := e.postForm(platformHost, "/console/unions/"+id+"/resume", root, url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("resume: %d", resp.StatusCode)
	}
	if resp, _ := e.getJSON("sbsi.localhost", "/api/v1/me", sbsiAdmin); resp.StatusCode != http.StatusOK {
		t.Fatalf("token after resume: %d", resp.StatusCode)
	}
	if tok := e.login("sbsi.localhost", map[string]string{"email": "ketua@sbsi.example", "password": "panjang-sekali-123"}); tok == "" {
		t.Fatal("login after resume")
	}
	if resp, _ := e.postForm(platformHost, "/console/unions/"+id+"/suspend", root, url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("suspend again: %d", resp.StatusCode)
	}
	if st := remove("sbsi"); st != http.StatusUnprocessableEntity {
		t.Fatalf("remove with an export older than the suspension: %d", st)
	}
	if resp, _ := e.postForm(platformHost, "/console/unions/"+id+"/export", root, url.Values{}); resp.StatusCode != http.StatusOK {
		t.Fatal("second export")
	}
	if st := remove("sbsi"); st != http.StatusSeeOther {
		t.Fatalf("remove: %d", st)
	}
	if n := e.superCount("SELECT count(*) FROM tenants WHERE slug = 'sbsi'"); n != 0 {
		t.Fatal("tenant row kept")
	}
	if n := e.superCount("SELECT count(*) FROM cases WHERE tenant_id = '" + id + "'"); n != 0 {
		t.Fatal("cases kept")
	}
	if resp, _ := e.get("sbsi.localhost", "/"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("removed union's host: %d", resp.StatusCode)
	}
	if n := e.superCount("SELECT count(*) FROM cases WHERE tenant_id = (SELECT id FROM tenants WHERE slug = 'spn')"); n == 0 {
		t.Fatal("another union's cases went too")
	}
}

// Platform accounts: a platform admin creates an analyst, disables it
// (its sessions end), re-enables it; an analyst can do none of it.
func TestConsolePlatformAccounts(t *testing.T) {
	e := newCaseEnv(t)
	root := e.login(platformHost, map[string]string{"email": "root@platform.example", "password": demoPW})
	ilo := e.login(platformHost, map[string]string{"email": "ilo@platform.example", "password": demoPW})
	if resp, _ := e.page(platformHost, "/console/accounts", ilo); resp.StatusCode != http.StatusForbidden {
		t.Errorf("analyst on accounts: %d", resp.StatusCode)
	}
	if resp, _ := e.postForm(platformHost, "/console/accounts", ilo, url.Values{"name": {"X"}, "email": {"x@ilo.example"}, "role": {"platform_admin"}, "password": {"panjang-sekali-123"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("analyst creating an admin: %d", resp.StatusCode)
	}
	for _, bad := range []url.Values{
		{"name": {"A"}, "email": {"bad"}, "role": {"ilo_analyst"}, "password": {"panjang-sekali-123"}},
		{"name": {"A"}, "email": {"a@ilo.example"}, "role": {"federation_admin"}, "password": {"panjang-sekali-123"}},
		{"name": {"A"}, "email": {"a@ilo.example"}, "role": {"ilo_analyst"}, "password": {"123"}},
		{"name": {"A"}, "email": {"ilo@platform.example"}, "role": {"ilo_analyst"}, "password": {"panjang-sekali-123"}},
	} {
		if resp, _ := e.postForm(platformHost, "/console/accounts", root, bad); resp.StatusCode != http.StatusUnprocessableEntity && resp.StatusCode != http.StatusConflict {
			t.Errorf("%v: %d", bad, resp.StatusCode)
		}
	}
	if resp, _ := e.postForm(platformHost, "/console/accounts", root, url.Values{"name": {"Analis Baru"}, "email": {"baru@ilo.example"}, "role": {"ilo_analyst"}, "password": {"panjang-sekali-123"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create analyst: %d", resp.StatusCode)
	}
	tok := e.login(platformHost, map[string]string{"email": "baru@ilo.example", "password": "panjang-sekali-123"})
	var id string
	if err := e.db.Owner.QueryRowContext(context.Background(), "SELECT id::text FROM platform_users WHERE email = 'baru@ilo.example'").Scan(&id); err != nil {
		t.Fatal(err)
	}
	if resp, _ := e.postForm(platformHost, "/console/accounts/"+id+"/disable", root, url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
	if resp, _ := e.getJSON(platformHost, "/api/v1/platform/overview", tok); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("disabled analyst's token: %d", resp.StatusCode)
	}
	resp, _ := e.postJSON(platformHost, "/api/v1/auth/login", map[string]any{"email": "baru@ilo.example", "password": "panjang-sekali-123"})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("disabled analyst's login: %d", resp.StatusCode)
	}
	if resp, _ := e.postForm(platformHost, "/console/accounts/"+id+"/enable", root, url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("enable: %d", resp.StatusCode)
	}
	if tok := e.login(platformHost, map[string]string{"email": "baru@ilo.example", "password": "panjang-sekali-123"}); tok == "" {
		t.Fatal("re-enabled analyst cannot sign in")
	}
	var rootID string
	if err := e.db.Owner.QueryRowContext(context.Background(), "SELECT id::text FROM platform_users WHERE email = 'root@platform.example'").Scan(&rootID); err != nil {
		t.Fatal(err)
	}
	if resp, _ := e.postForm(platformHost, "/console/accounts/"+rootID+"/disable", root, url.Values{}); resp.StatusCode != http.StatusConflict {
		t.Errorf("disabling oneself: %d", resp.StatusCode)
	}
	if resp, _ := e.postForm(platformHost, "/console/accounts/"+id+"/disable", ilo, url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("analyst disabling: %d", resp.StatusCode)
	}
}

var inviteRE = regexp.MustCompile(`/invite/([A-Za-z0-9_-]+)`)

func inviteToken(t *testing.T, body string) string {
	t.Helper()
	m := inviteRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no invite link in %s", body)
	}
	return m[1]
}

// register signs a worker up on host and returns their token.
func (e *env) register(host, phone string) string {
	e.t.Helper()
	// Registration proves the phone with a code the union's gateway carries.
	body := e.registerWorker(e.gateway(strings.Split(host, ".")[0]), host, map[string]any{"name": "Pekerja", "phone": phone,
		"password": "kain-batik-merah", "sector": "garment", "workplace_name": "PT Contoh"})
	return body["token"].(string)
}
