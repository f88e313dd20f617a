package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/suara-id/suara/internal/app"
)

// seedDemo runs the real demo seed against the test's database.
func (e *env) seedDemo() {
	e.t.Helper()
	cfg := *e.cfg
	cfg.Database.URL = e.db.AppURL
	if err := app.SeedDemo(context.Background(), &cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard); err != nil {
		e.t.Fatalf("seed demo: %v", err)
	}
}

func (e *env) postJSON(host, path string, body any, headers ...string) (*http.Response, map[string]any) {
	e.t.Helper()
	b, _ := json.Marshal(body)
	resp, text := e.send(http.MethodPost, host, path, "application/json", strings.NewReader(string(b)), headers...)
	return resp, decode(e.t, text)
}

func decode(t *testing.T, text string) map[string]any {
	t.Helper()
	out := map[string]any{}
	if text != "" {
		if err := json.Unmarshal([]byte(text), &out); err != nil {
			t.Fatalf("not JSON: %q", text)
		}
	}
	return out
}

// login returns a bearer token or fails the test.
func (e *env) login(host string, creds map[string]string) string {
	e.t.Helper()
	resp, body := e.postJSON(host, "/api/v1/auth/login", creds)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("login %v on %s: %d %v", creds, host, resp.StatusCode, body)
	}
	return body["token"].(string)
}

func errorCode(body map[string]any) string {
	if e, ok := body["error"].(map[string]any); ok {
		return fmt.Sprint(e["code"])
	}
	return ""
}

func fieldErrors(body map[string]any) map[string]any {
	if e, ok := body["error"].(map[string]any); ok {
		if f, ok := e["fields"].(map[string]any); ok {
			return f
		}
	}
	return nil
}

func TestRegisterLoginMeLogout(t *testing.T) {
	e := newEnv(t)
	g := e.gateway("spn")
	body := e.registerWorker(g, "spn.localhost", map[string]any{
		"name": "Rina", "phone": "0812-3456-7890", "password": "kain-batik-merah", "gender": "female",
		"is_member": true, "member_number": "SPN-001", "sector": "garment", "workplace_name": "PT Baru Sekali",
		"unknown_field": "ignored",
	})
	user := body["user"].(map[string]any)
	if user["phone_verified_at"] == nil || user["gender"] != "female" || user["member_number"] != "SPN-001" || user["workplace_id"] == nil {
		t.Fatalf("the registration's answers were not kept: %v", user)
	}
	if user["phone"] != "+6281234567890" || body["token"] == "" {
		t.Fatalf("register reply %v", body)
	}
	if _, leaked := user["password_hash"]; leaked {
		t.Fatal("password hash in reply")
	}
	tok := e.login("spn.localhost", map[string]string{"phone": "+62 812 3456 7890", "password": "kain-batik-merah"})
	resp, text := e.get("spn.localhost", "/api/v1/me", "Authorization", "Bearer "+tok)
	if resp.StatusCode != http.StatusOK || !strings.Contains(text, `"role":"worker"`) || !strings.Contains(text, "Rina") {
		t.Fatalf("me: %d %s", resp.StatusCode, text)
	}
	resp, _ = e.postJSON("spn.localhost", "/api/v1/auth/logout", nil, "Authorization", "Bearer "+tok)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	resp, _ = e.get("spn.localhost", "/api/v1/me", "Authorization", "Bearer "+tok)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("me after logout: %d", resp.StatusCode)
	}
	// The password is nowhere in clear.
	var n int
	if err := e.db.Super.QueryRowContext(context.Background(),
		"SELECT count(*) FROM users WHERE password_hash LIKE '%kain-batik%' OR password_hash NOT LIKE '$argon2id$%'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatal("a password is stored in clear or not as argon2id")
	}
}

// Accounts are per tenant: an SPN worker does not exist on Garteks, and a
// token minted on one tenant is refused on another.
func TestAccountsAndTokensArePerTenant(t *testing.T) {
	e := newEnv(t)
	e.seedDemo()
	e.registerWorker(e.gateway("spn"), "spn.localhost", map[string]any{
		"name": "Only SPN", "phone": "081377778888", "password": "benang-jahit-99"})
	resp, body := e.postJSON("garteks.localhost", "/api/v1/auth/login", map[string]string{"phone": "081377778888", "password": "benang-jahit-99"})
	if resp.StatusCode != http.StatusUnauthorized || errorCode(body) != "unauthorized" {
		t.Fatalf("SPN worker on garteks: %d %v", resp.StatusCode, body)
	}
	spnToken := e.login("spn.localhost", map[string]string{"phone": "081200000001", "password": "suara-demo"})
	for _, host := range []string{"garteks.localhost", "fsptsk.localhost", "japbusi.localhost", "localhost"} {
		resp, _ := e.get(host, "/api/v1/me", "Authorization", "Bearer "+spnToken)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("spn token on %s: %d", host, resp.StatusCode)
		}
	}
	resp, _ = e.get("spn.localhost", "/api/v1/me", "Authorization", "Bearer "+spnToken)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("spn token on spn: %d", resp.StatusCode)
	}
	// A platform token means nothing on a tenant, nor a staff token on the platform.
	ilo := e.login("localhost", map[string]string{"email": "ilo@platform.example", "password": "suara-demo"})
	if resp, _ := e.get("spn.localhost", "/api/v1/me", "Authorization", "Bearer "+ilo); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("platform token on spn: %d", resp.StatusCode)
	}
	admin := e.login("spn.localhost", map[string]string{"email": "admin@spn.example", "password": "suara-demo"})
	if resp, _ := e.get("localhost", "/api/v1/me", "Authorization", "Bearer "+admin); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("tenant token on platform: %d", resp.StatusCode)
	}
}

func TestRegistrationBadInput(t *testing.T) {
	e := newEnv(t)
	good := func() map[string]any {
		return map[string]any{"name": "Ani", "phone": "081299990000", "password": "sepatu-kulit-01"}
	}
	e.registerWorker(e.gateway("spn"), "spn.localhost", good())
	cases := []struct {
		name   string
		mutate func(map[string]any)
		status int
		field  string
	}{
		{"malformed phone", func(m map[string]any) { m["phone"] = "12345" }, 422, "phone"},
		{"foreign phone", func(m map[string]any) { m["phone"] = "+14155550100" }, 422, "phone"},
		{"short password", func(m map[string]any) { m["phone"] = "081211110001"; m["password"] = "pendek1" }, 422, "password"},
		{"common password", func(m map[string]any) { m["phone"] = "081211110002"; m["password"] = "Bismillah123" }, 422, "password"},
		{"long name", func(m map[string]any) { m["phone"] = "081211110003"; m["name"] = strings.Repeat("a", 101) }, 422, "name"},
		{"long member number", func(m map[string]any) { m["phone"] = "081211110004"; m["member_number"] = strings.Repeat("9", 41) }, 422, "member_number"},
		{"unknown gender", func(m map[string]any) { m["phone"] = "081211110005"; m["gender"] = "robot" }, 422, "gender"},
		{"unknown sector", func(m map[string]any) { m["phone"] = "081211110006"; m["sector"] = "mining" }, 422, "sector"},
		{"bad workplace", func(m map[string]any) { m["phone"] = "081211110007"; m["workplace_id"] = "not-a-uuid" }, 422, "workplace_id"},
		{"control characters", func(m map[string]any) { m["phone"] = "081211110008"; m["name"] = "A\x00B" }, 422, "name"},
		{"wrong type", func(m map[string]any) { m["phone"] = "081211110009"; m["is_member"] = "yes" }, 422, "is_member"},
	}
	for _, c := range cases {
		m := good()
		c.mutate(m)
		resp, body := e.postJSON("spn.localhost", "/api/v1/auth/register", m, "Accept-Language", "en")
		if resp.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d (%v)", c.name, resp.StatusCode, c.status, body)
			continue
		}
		f := fieldErrors(body)
		if msg, ok := f[c.field].(string); !ok || msg == "" || strings.HasPrefix(msg, "error.") {
			t.Errorf("%s: no translated message for %s: %v", c.name, c.field, body)
		}
	}
	// Malformed JSON and the wrong content type.
	resp, text := e.send(http.MethodPost, "spn.localhost", "/api/v1/auth/register", "application/json", strings.NewReader(`{"name":`))
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(text, `"code":"bad_request"`) {
		t.Errorf("truncated JSON: %d %s", resp.StatusCode, text)
	}
	resp, _ = e.send(http.MethodPost, "spn.localhost", "/api/v1/auth/register", "text/plain", strings.NewReader(`hello`))
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain: %d", resp.StatusCode)
	}
	// Indonesian by default.
	m := good()
	m["phone"] = "abc"
	_, body := e.postJSON("spn.localhost", "/api/v1/auth/register", m)
	if msg := fieldErrors(body)["phone"]; !strings.Contains(fmt.Sprint(msg), "Nomor HP") {
		t.Errorf("Indonesian message expected, got %v", msg)
	}
	// Nothing was stored for any refused request: exactly the first
	// account, and no code waiting.
	var n, codes int
	if err := e.db.Super.QueryRowContext(context.Background(), "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM phone_codes WHERE used_at IS NULL)").Scan(&n, &codes); err != nil {
		t.Fatal(err)
	}
	if n != 1 || codes != 0 {
		t.Fatalf("%d users and %d waiting codes stored, want 1 and 0", n, codes)
	}
}

// HTML in a name is stored as typed and rendered escaped.
func TestHTMLInNameIsEscaped(t *testing.T) {
	e := newEnv(t)
	name := `<script>alert("x")</script><b>Tini</b>`
	body := e.registerWorker(e.gateway("spn"), "spn.localhost", map[string]any{
		"name": name, "phone": "081255556666", "password": "jarum-benang-77"})
	if body["user"].(map[string]any)["name"] != name {
		t.Fatalf("name not stored as typed: %v", body["user"])
	}
	tok := body["token"].(string)
	resp, page := e.get("spn.localhost", "/profile", "Cookie", "suara_session="+tok)
	_ = resp
	if strings.Contains(page, "<script>alert") || !strings.Contains(page, "&lt;script&gt;") {
		t.Fatalf("name not escaped on the profile page")
	}
}

// The 11th failed login for one account within 15 minutes is refused with
// 429, even with the right password; unknown phones get the same answers.
func TestLoginLockout(t *testing.T) {
	e := newEnv(t)
	e.seedDemo()
	for i := 1; i <= 10; i++ {
		resp, body := e.postJSON("spn.localhost", "/api/v1/auth/login", map[string]string{"phone": "081200000002", "password": "wrong-password"})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d %v", i, resp.StatusCode, body)
		}
	}
	resp, body := e.postJSON("spn.localhost", "/api/v1/auth/login", map[string]string{"phone": "081200000002", "password": "suara-demo"})
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("11th attempt with the right password: %d %v", resp.StatusCode, body)
	}
	if msg := body["error"].(map[string]any)["message"].(string); !strings.Contains(msg, "15 menit") {
		t.Errorf("lockout message %q", msg)
	}
	// Another account and another tenant are unaffected.
	e.login("spn.localhost", map[string]string{"phone": "081200000003", "password": "suara-demo"})
	e.login("garteks.localhost", map[string]string{"phone": "081200000002", "password": "suara-demo"})

	// Unknown phone: same status and message as a wrong password.
	_, unknown := e.postJSON("spn.localhost", "/api/v1/auth/login", map[string]string{"phone": "081299998888", "password": "whatever-123"})
	_, wrong := e.postJSON("spn.localhost", "/api/v1/auth/login", map[string]string{"phone": "081200000003", "password": "whatever-123"})
	if fmt.Sprint(unknown) != fmt.Sprint(wrong) {
		t.Errorf("unknown phone %v differs from wrong password %v", unknown, wrong)
	}
}

// Staff administration over the org tree: a federation admin invites, a
// branch admin manages only its sub-tree, role changes apply at once.
func TestStaffInvitesAndRoles(t *testing.T) {
	e := newEnv(t)
	e.seedDemo()
	admin := e.login("spn.localhost", map[string]string{"email": "admin@spn.example", "password": "suara-demo"})
	branch := e.login("spn.localhost", map[string]string{"email": "branch@spn.example", "password": "suara-demo"})
	officer := e.login("spn.localhost", map[string]string{"email": "officer@spn.example", "password": "suara-demo"})
	worker := e.login("spn.localhost", map[string]string{"phone": "081200000001", "password": "suara-demo"})
	ids := branchIDs(t, e)

	// The branch admin can invite an officer inside spn/jabar...
	resp, body := e.postJSON("spn.localhost", "/api/v1/staff/invites",
		map[string]string{"email": "new.officer@spn.example", "role": "case_officer", "branch_id": ids["spn/jabar/bekasi"]}, "Authorization", "Bearer "+branch)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("branch admin invite in sub-tree: %d %v", resp.StatusCode, body)
	}
	link := body["url"].(string)
	// ...but not in a sibling province, nor a federation admin.
	sibling := ""
	for path, id := range ids {
		if strings.Count(path, "/") == 1 && path != "spn/jabar" {
			sibling = id
		}
	}
	for _, req := range []map[string]string{
		{"email": "x@spn.example", "role": "case_officer", "branch_id": sibling},
		{"email": "y@spn.example", "role": "federation_admin", "branch_id": ids["spn"]},
		{"email": "z@spn.example", "role": "branch_admin", "branch_id": ids["spn"]},
	} {
		resp, body := e.postJSON("spn.localhost", "/api/v1/staff/invites", req, "Authorization", "Bearer "+branch)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("branch admin invite %v: %d %v", req, resp.StatusCode, body)
		}
	}
	// Officers and workers cannot invite at all.
	for _, tok := range []string{officer, worker} {
		resp, _ := e.postJSON("spn.localhost", "/api/v1/staff/invites",
			map[string]string{"email": "w@spn.example", "role": "case_officer", "branch_id": ids["spn/jabar/bekasi"]}, "Authorization", "Bearer "+tok)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("invite by non-admin: %d", resp.StatusCode)
		}
	}
	// Accepting the invite creates the account with its role; the link works once.
	u, _ := url.Parse(link)
	token := strings.TrimPrefix(u.Path, "/invite/")
	resp, body = e.postJSON("spn.localhost", "/api/v1/staff/invites/accept", map[string]string{"token": token, "name": "Officer Baru", "password": "serikat-kuat-2026"})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("accept: %d %v", resp.StatusCode, body)
	}
	newUser := body["user"].(map[string]any)["id"].(string)
	resp, _ = e.postJSON("spn.localhost", "/api/v1/staff/invites/accept", map[string]string{"token": token, "name": "Again", "password": "serikat-kuat-2026"})
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("second accept: %d", resp.StatusCode)
	}
	// The federation admin promotes the new officer; it applies without restart.
	resp, body = e.postJSON("spn.localhost", "/api/v1/staff/roles",
		map[string]string{"user_id": newUser, "role": "branch_admin", "branch_id": ids["spn/jabar/bekasi"]}, "Authorization", "Bearer "+admin)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("assign role: %d %v", resp.StatusCode, body)
	}
	membership := body["id"].(string)
	newTok := e.login("spn.localhost", map[string]string{"email": "new.officer@spn.example", "password": "serikat-kuat-2026"})
	resp, body = e.postJSON("spn.localhost", "/api/v1/staff/invites",
		map[string]string{"email": "deep@spn.example", "role": "case_officer", "branch_id": ids["spn/jabar/bekasi"]}, "Authorization", "Bearer "+newTok)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("new branch admin invites: %d %v", resp.StatusCode, body)
	}
	resp, _ = e.send(http.MethodDelete, "spn.localhost", "/api/v1/staff/roles/"+membership, "", nil, "Authorization", "Bearer "+admin)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	resp, _ = e.postJSON("spn.localhost", "/api/v1/staff/invites",
		map[string]string{"email": "deeper@spn.example", "role": "case_officer", "branch_id": ids["spn/jabar/bekasi"]}, "Authorization", "Bearer "+newTok)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("after revoke: %d", resp.StatusCode)
	}
	// Staff lists: the branch admin sees its sub-tree only; a worker sees nothing.
	resp, text := e.get("spn.localhost", "/api/v1/staff", "Authorization", "Bearer "+branch)
	if resp.StatusCode != http.StatusOK || strings.Contains(text, "admin@spn.example") || !strings.Contains(text, "officer@spn.example") {
		t.Errorf("branch admin staff list: %d %s", resp.StatusCode, text)
	}
	if resp, _ := e.get("spn.localhost", "/api/v1/staff", "Authorization", "Bearer "+worker); resp.StatusCode != http.StatusForbidden {
		t.Errorf("worker staff list: %d", resp.StatusCode)
	}
	// An admin revokes a user's tokens.
	var officerID string
	_ = e.db.Super.QueryRowContext(context.Background(), "SELECT id FROM users WHERE email = 'officer@spn.example'").Scan(&officerID)
	if resp, _ := e.postJSON("spn.localhost", "/api/v1/users/"+officerID+"/revoke-tokens", nil, "Authorization", "Bearer "+admin); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("revoke tokens: %d", resp.StatusCode)
	}
	if resp, _ := e.get("spn.localhost", "/api/v1/me", "Authorization", "Bearer "+officer); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("revoked officer token still works: %d", resp.StatusCode)
	}
}

func branchIDs(t *testing.T, e *env) map[string]string {
	t.Helper()
	rows, err := e.db.Super.QueryContext(context.Background(),
		"SELECT b.path, b.id FROM branches b JOIN tenants t ON t.id = b.tenant_id WHERE t.slug = 'spn'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var p, id string
		if err := rows.Scan(&p, &id); err != nil {
			t.Fatal(err)
		}
		out[p] = id
	}
	return out
}

// Web forms: CSRF is required, login sets a fresh HttpOnly session cookie.
func TestLoginPageSessionAndCSRF(t *testing.T) {
	e := newEnv(t)
	e.seedDemo()
	resp, page := e.get("spn.localhost", "/login")
	var csrf string
	for _, c := range resp.Cookies() {
		if c.Name == "suara_csrf" {
			csrf = c.Value
		}
	}
	if csrf == "" || !strings.Contains(page, `name="_csrf" value="`+csrf+`"`) {
		t.Fatalf("no csrf token on the login page")
	}
	form := url.Values{"phone": {"081200000001"}, "password": {"suara-demo"}}
	// Without the token: refused.
	resp, _ = e.send(http.MethodPost, "spn.localhost", "/login", "application/x-www-form-urlencoded",
		strings.NewReader(form.Encode()), "Cookie", "suara_csrf="+csrf)
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("login without csrf field: %d", resp.StatusCode)
	}
	form.Set("_csrf", csrf)
	login := func() string {
		resp, _ := e.send(http.MethodPost, "spn.localhost", "/login", "application/x-www-form-urlencoded",
			strings.NewReader(form.Encode()), "Cookie", "suara_csrf="+csrf)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("login: %d", resp.StatusCode)
		}
		for _, c := range resp.Cookies() {
			if c.Name == "suara_session" {
				if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
					t.Errorf("session cookie flags: %+v", c)
				}
				return c.Value
			}
		}
		t.Fatal("no session cookie")
		return ""
	}
	first, second := login(), login()
	if first == second {
		t.Fatal("session id not rotated at login")
	}
	resp, page = e.get("spn.localhost", "/profile", "Cookie", "suara_session="+second)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Siti Rahayu") {
		t.Fatalf("profile: %d", resp.StatusCode)
	}
	// A wrong password re-renders the form with a clear message.
	form.Set("password", "salah-sekali-123")
	resp, page = e.send(http.MethodPost, "spn.localhost", "/login", "application/x-www-form-urlencoded",
		strings.NewReader(form.Encode()), "Cookie", "suara_csrf="+csrf)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "kata sandi salah") {
		t.Fatalf("wrong password page: %d", resp.StatusCode)
	}
}
