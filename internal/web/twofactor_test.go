package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pquerna/otp/totp"

	"github.com/suara-id/suara/internal/config"
)

// Issue 20, attack (a): a branch admin whose role sits at the union's root
// cannot grant themselves federation_admin, nor touch federation admins'
// roles or 2FA, nor grant sideways; a grant needs a strictly broader role
// at or above the branch, and no one grants themselves anything.
func TestRoleGrantNeedsABroaderRole(t *testing.T) {
	e := newEnv(t)
	e.seedDemo()
	ctx := context.Background()
	// branch@spn also holds branch_admin at the root (before any request
	// loads the union's permissions).
	if _, err := e.db.Super.ExecContext(ctx, `INSERT INTO memberships (tenant_id, user_id, role, branch_id)
		SELECT u.tenant_id, u.id, 'branch_admin', b.id FROM users u JOIN branches b ON b.tenant_id = u.tenant_id AND b.parent_id IS NULL
		WHERE u.email = 'branch@spn.example'`); err != nil {
		t.Fatal(err)
	}
	id := func(email string) string {
		var s string
		if err := e.db.Super.QueryRowContext(ctx, "SELECT id FROM users WHERE email = ?", email).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	adminID, branchID, officerID := id("admin@spn.example"), id("branch@spn.example"), id("officer@spn.example")
	var adminMembership string
	if err := e.db.Super.QueryRowContext(ctx, "SELECT id FROM memberships WHERE user_id = ? AND role = 'federation_admin'", adminID).Scan(&adminMembership); err != nil {
		t.Fatal(err)
	}
	ids := branchIDs(t, e)
	_, branch, admin := e.staffTokens()
	as := func(tok string) func(method, path string, body any) int {
		return func(method, path string, body any) int {
			var resp *http.Response
			if method == http.MethodDelete {
				resp, _ = e.send(method, spnHost, path, "", nil, "Authorization", "Bearer "+tok)
			} else {
				resp, _ = e.postJSON(spnHost, path, body, "Authorization", "Bearer "+tok)
			}
			return resp.StatusCode
		}
	}
	b, a := as(branch), as(admin)
	grant := func(user, role, br string) map[string]string {
		return map[string]string{"user_id": user, "role": role, "branch_id": ids[br]}
	}
	for _, c := range []struct {
		what         string
		method, path string
		body         any
		want         int
	}{
		{"self-grant federation_admin", "POST", "/api/v1/staff/roles", grant(branchID, "federation_admin", "spn"), 403},
		{"grant federation_admin to another", "POST", "/api/v1/staff/roles", grant(officerID, "federation_admin", "spn"), 403},
		{"invite a federation admin", "POST", "/api/v1/staff/invites", map[string]string{"email": "fa@spn.example", "role": "federation_admin", "branch_id": ids["spn"]}, 403},
		{"reset a federation admin's 2FA", "POST", "/api/v1/users/" + adminID + "/reset-2fa", nil, 403},
		{"revoke a federation admin's role", "DELETE", "/api/v1/staff/roles/" + adminMembership, nil, 403},
		{"sideways: branch_admin at the root", "POST", "/api/v1/staff/roles", grant(officerID, "branch_admin", "spn"), 403},
		{"self-grant below", "POST", "/api/v1/staff/roles", grant(branchID, "case_officer", "spn/jabar"), 403},
		{"downward: case_officer at the root", "POST", "/api/v1/staff/roles", grant(officerID, "case_officer", "spn"), 201},
		{"downward: branch_admin below the root", "POST", "/api/v1/staff/roles", grant(officerID, "branch_admin", "spn/jabar/bekasi"), 201},
	} {
		if got := b(c.method, c.path, c.body); got != c.want {
			t.Errorf("branch admin at the root, %s: %d, want %d", c.what, got, c.want)
		}
	}
	// A federation admin may grant federation_admin, but not to themselves.
	if got := a("POST", "/api/v1/staff/roles", grant(adminID, "branch_admin", "spn/jabar")); got != 403 {
		t.Errorf("federation admin self-grant: %d", got)
	}
	if got := a("POST", "/api/v1/staff/roles", grant(officerID, "federation_admin", "spn")); got != 201 {
		t.Errorf("federation admin grants federation_admin: %d", got)
	}
	// Once a federation admin, the officer is out of the branch admin's reach.
	if got := b("POST", "/api/v1/users/"+officerID+"/reset-2fa", nil); got != 403 {
		t.Errorf("branch admin resets a federation admin's 2FA: %d", got)
	}
	// Every grant is in the audit log.
	if n := e.superCount("SELECT count(*) FROM admin_events WHERE kind = 'staff.role_granted'"); n != 3 {
		t.Errorf("%d grants audited, want 3", n)
	}
	// Another union's admin cannot grant on this one.
	gAdmin := e.login("garteks.localhost", map[string]string{"email": "admin@garteks.example", "password": demoPW})
	resp, _ := e.postJSON("garteks.localhost", "/api/v1/staff/roles", grant(officerID, "case_officer", "spn"), "Authorization", "Bearer "+gAdmin)
	if resp.StatusCode < 400 || resp.StatusCode >= 500 {
		t.Errorf("cross-tenant grant: %d", resp.StatusCode)
	}
}

var routeParam = regexp.MustCompile(`:[A-Za-z0-9_]+\??`)

// Issue 20, attacks (b), (c), (d): a session still owing its second factor
// can do nothing but finish it — checked over the whole route table, as a
// union officer and as a platform admin (platform accounts must enrol
// too) — and a TOTP code is good once.
func TestPendingTwoFactorCanOnlyEnrol(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.Security.Require2FA = "on" })
	e.seedDemo()
	resp, body := e.postJSON(spnHost, "/api/v1/auth/login", map[string]string{"email": "officer@spn.example", "password": demoPW})
	if resp.StatusCode != http.StatusOK || body["two_factor_pending"] != true {
		t.Fatalf("officer login: %d %v", resp.StatusCode, body)
	}
	officer := body["token"].(string)
	resp, body = e.postJSON("localhost", "/api/v1/auth/login", map[string]string{"email": "root@platform.example", "password": demoPW})
	if resp.StatusCode != http.StatusOK || body["two_factor_pending"] != true {
		t.Fatalf("platform admin login: %d %v", resp.StatusCode, body)
	}
	root := body["token"].(string)
	allowed := map[string]bool{"/api/v1/me/2fa": true, "/api/v1/me/2fa/confirm": true, "/api/v1/auth/logout": true,
		"/2fa": true, "/2fa/start": true, "/2fa/confirm": true, "/logout": true,
		"/theme.css": true, "/logo.svg": true, "/favicon.svg": true, "/static/*": true, "/healthz": true, "/readyz": true}
	seen := map[string]bool{}
	checked := 0
	for _, r := range e.srv.App().GetRoutes(true) {
		// Webhooks take no session at all: a provider's signature instead.
		if r.Method == http.MethodHead || r.Method == "USE" || allowed[r.Path] || seen[r.Method+r.Path] || strings.HasPrefix(r.Path, "/webhooks/") {
			continue
		}
		seen[r.Method+r.Path] = true
		path := strings.ReplaceAll(routeParam.ReplaceAllString(r.Path, uuid.NewString()), "*", "x")
		for _, who := range []struct{ host, tok string }{{spnHost, officer}, {"localhost", root}} {
			var resp *http.Response
			var text string
			if strings.HasPrefix(path, "/api/") {
				resp, text = e.send(r.Method, who.host, path, "application/json", strings.NewReader(`{}`), "Authorization", "Bearer "+who.tok)
				if resp.StatusCode != http.StatusForbidden || !strings.Contains(text, `"code":"two_factor_required"`) {
					t.Errorf("%s %s on %s with a pending session: %d %.120s", r.Method, r.Path, who.host, resp.StatusCode, text)
				}
			} else {
				form := url.Values{"_csrf": {csrfTok}}
				resp, _ = e.send(r.Method, who.host, path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()),
					"Cookie", "suara_session="+who.tok+"; suara_csrf="+csrfTok)
				get := r.Method == http.MethodGet
				if get && (resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/2fa") || !get && resp.StatusCode != http.StatusForbidden {
					t.Errorf("%s %s on %s with a pending session: %d → %s", r.Method, r.Path, who.host, resp.StatusCode, resp.Header.Get("Location"))
				}
			}
			checked++
		}
	}
	t.Logf("%d route and account pairs refused a pending-2FA session", checked)
	if checked < 100 {
		t.Fatalf("only %d routes checked: is the route walk broken?", checked)
	}

	// Enrolment finishes it, for both kinds of account; the code that
	// confirmed cannot sign in again, the next one can, once.
	for _, who := range []struct{ host, tok, email string }{{spnHost, officer, "officer@spn.example"}, {"localhost", root, "root@platform.example"}} {
		resp, body := e.postJSON(who.host, "/api/v1/me/2fa", nil, "Authorization", "Bearer "+who.tok)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("start 2fa on %s: %d %v", who.host, resp.StatusCode, body)
		}
		secret := body["secret"].(string)
		code, _ := totp.GenerateCode(secret, time.Now())
		if resp, _ := e.postJSON(who.host, "/api/v1/me/2fa/confirm", map[string]string{"code": code}, "Authorization", "Bearer "+who.tok); resp.StatusCode != http.StatusNoContent {
			t.Fatalf("confirm on %s: %d", who.host, resp.StatusCode)
		}
		creds := map[string]string{"email": who.email, "password": demoPW, "totp": code}
		if resp, _ := e.postJSON(who.host, "/api/v1/auth/login", creds); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("replayed code on %s: %d", who.host, resp.StatusCode)
		}
		creds["totp"], _ = totp.GenerateCode(secret, time.Now().Add(30*time.Second))
		fresh := e.login(who.host, creds)
		if resp, _ := e.postJSON(who.host, "/api/v1/auth/login", creds); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("login code used twice on %s: %d", who.host, resp.StatusCode)
		}
		_ = fresh
	}
	// The inbox (the attack the issue names) opens once enrolled.
	if resp, _ := e.get(spnHost, "/api/v1/notifications", "Authorization", "Bearer "+officer); resp.StatusCode != http.StatusOK {
		t.Errorf("inbox after enrolment: %d", resp.StatusCode)
	}
	if resp, _ := e.get("localhost", "/api/v1/platform/overview", "Authorization", "Bearer "+root); resp.StatusCode != http.StatusOK {
		t.Errorf("platform after enrolment: %d", resp.StatusCode)
	}
	// Workers are never asked.
	resp, body = e.postJSON(spnHost, "/api/v1/auth/login", map[string]string{"phone": "081200000001", "password": demoPW})
	if resp.StatusCode != http.StatusOK || body["two_factor_pending"] != false {
		t.Errorf("worker login: %d %v", resp.StatusCode, body)
	}
}

// The enrolment page works without JavaScript: a pending officer signing
// in on the page lands on it, and it turns 2FA on.
func TestTwoFactorPage(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.Security.Require2FA = "on" })
	e.seedDemo()
	resp, _ := e.postForm(spnHost, "/login", "", url.Values{"email": {"branch@spn.example"}, "password": {demoPW}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/2fa" {
		t.Fatalf("login: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	var session string
	for _, c := range resp.Cookies() {
		if c.Name == "suara_session" {
			session = c.Value
		}
	}
	resp, _ = e.page(spnHost, "/notifications", session)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/2fa" {
		t.Fatalf("inbox page while pending: %d", resp.StatusCode)
	}
	_, page := e.page(spnHost, "/2fa", session)
	mustContain(t, page, "wajib memakai verifikasi 2 langkah", `action="/2fa/start"`)
	resp, page = e.postForm(spnHost, "/2fa/start", session, url.Values{})
	secret := regexp.MustCompile(`<code id="secret-text">([A-Z2-7]+)</code>`).FindStringSubmatch(page)
	if resp.StatusCode != http.StatusOK || secret == nil {
		t.Fatalf("start: %d", resp.StatusCode)
	}
	resp, page = e.postForm(spnHost, "/2fa/confirm", session, url.Values{"code": {"000000"}, "secret": {secret[1]}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, secret[1]) {
		t.Fatalf("wrong code: %d", resp.StatusCode)
	}
	code, _ := totp.GenerateCode(secret[1], time.Now())
	resp, _ = e.postForm(spnHost, "/2fa/confirm", session, url.Values{"code": {code}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/profile" {
		t.Fatalf("confirm: %d", resp.StatusCode)
	}
	if resp, _ := e.page(spnHost, "/notifications", session); resp.StatusCode != http.StatusOK {
		t.Fatalf("inbox page after enrolment: %d", resp.StatusCode)
	}
}
