package web_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/suara-id/suara/internal/config"
)

const staff2FAAPI = "/api/v1/admin/settings/staff-2fa"

// enrolAPI turns two-step verification on for the holder of tok.
func (e *env) enrolAPI(host, tok string) {
	e.t.Helper()
	resp, body := e.postJSON(host, "/api/v1/me/2fa", nil, bearer(tok)...)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("start 2fa: %d %v", resp.StatusCode, body)
	}
	code, _ := totp.GenerateCode(body["secret"].(string), time.Now())
	if resp, body := e.postJSON(host, "/api/v1/me/2fa/confirm", map[string]string{"code": code}, bearer(tok)...); resp.StatusCode != http.StatusNoContent {
		e.t.Fatalf("confirm 2fa: %d %v", resp.StatusCode, body)
	}
}

// pendingLogin signs in by the API and says whether the session owes 2FA.
func (e *env) pendingLogin(host, email string) (string, bool) {
	e.t.Helper()
	resp, body := e.postJSON(host, "/api/v1/auth/login", map[string]string{"email": email, "password": demoPW})
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("login %s: %d %v", email, resp.StatusCode, body)
	}
	return body["token"].(string), body["two_factor_pending"] == true
}

// Issue 20: two-step verification is each union's choice. With the
// platform's default off (development's "auto"), SPN's federation admin
// requires it on the security page: SPN's officers must enrol before they
// act, open sessions included (the admin's own), while Garteks' officers
// go on without it; turning it off again lifts that. Only a federation
// admin of the union may change it.
func TestStaff2FAPerUnion(t *testing.T) {
	e := newEnv(t)
	e.seedDemo()
	admin, pending := e.pendingLogin(spnHost, "admin@spn.example")
	officer, _ := e.pendingLogin(spnHost, "officer@spn.example")
	branch, _ := e.pendingLogin(spnHost, "branch@spn.example")
	garteksAdmin, _ := e.pendingLogin("garteks.localhost", "admin@garteks.example")
	if pending {
		t.Fatal("development default: no 2FA owed")
	}

	// Who may change it: the union's federation admin, not a branch
	// admin, an officer or another union's admin (whose token is not a
	// session on SPN's host); bad values get the field's message.
	for name, tok := range map[string]string{"branch admin": branch, "officer": officer} {
		if resp, _ := e.putJSON(spnHost, staff2FAAPI, map[string]any{"required": true}, bearer(tok)...); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s sets it: %d", name, resp.StatusCode)
		}
		if resp, _ := e.postForm(spnHost, "/admin/security", tok, url.Values{"require_staff_2fa": {"on"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s posts the page: %d", name, resp.StatusCode)
		}
	}
	if resp, _ := e.putJSON(spnHost, staff2FAAPI, map[string]any{"required": true}, bearer(garteksAdmin)...); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("another union's admin: %d", resp.StatusCode)
	}
	for _, bad := range []any{map[string]any{"required": "yes"}, map[string]any{}, map[string]any{"required": nil}} {
		if resp, body := e.putJSON(spnHost, staff2FAAPI, bad, bearer(admin)...); resp.StatusCode != http.StatusUnprocessableEntity || fieldErrors(body)["required"] == nil {
			t.Errorf("%v: %d %v", bad, resp.StatusCode, body)
		}
	}
	if resp, _ := e.postForm(spnHost, "/admin/security", admin, url.Values{"require_staff_2fa": {"yes"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("hand-made box value: %d", resp.StatusCode)
	}
	if n := e.superCount(`SELECT count(*) FROM tenants WHERE settings ? 'require_staff_2fa'`); n != 0 {
		t.Fatalf("%d unions have a choice stored after refused changes", n)
	}

	resp, body := e.page(spnHost, "/admin/security", admin)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("page: %d", resp.StatusCode)
	}
	mustContain(t, body, "Keamanan akun", `href="/admin/security"`, "tidak wajib bagi pengurus", "bawaan platform, yaitu tidak wajib",
		`name="require_staff_2fa" value="on" aria-describedby="staff-2fa-hint">`)
	resp, _ = e.postForm(spnHost, "/admin/security", admin, url.Values{"require_staff_2fa": {"on"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/security?saved=1" {
		t.Fatalf("save: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if n := e.superCount(`SELECT count(*) FROM tenants WHERE slug = 'spn' AND settings->'require_staff_2fa' = 'true' AND settings ? 'anonymous_filing'`); n != 1 {
		t.Fatal("not stored, or other keys lost")
	}
	if n := e.countRows("spn", `SELECT count(*) FROM admin_events WHERE kind = 'settings.staff_two_factor' AND payload::jsonb @> '{"required": true, "previous": null}'`); n != 1 {
		t.Errorf("%d admin events", n)
	}

	// SPN: open sessions of staff not enrolled now owe 2FA, the admin's own
	// included, and new logins too. Garteks: nothing changed.
	if resp, _ := e.page(spnHost, "/admin/security", admin); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/2fa" {
		t.Errorf("the admin's own open session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := e.get(spnHost, "/api/v1/cases", bearer(officer)...); resp.StatusCode != http.StatusForbidden {
		t.Errorf("SPN officer's open session: %d", resp.StatusCode)
	}
	if _, pending := e.pendingLogin(spnHost, "officer@spn.example"); !pending {
		t.Error("SPN officer's new login does not owe 2FA")
	}
	garteksOfficer, pending := e.pendingLogin("garteks.localhost", "officer@garteks.example")
	if pending {
		t.Error("Garteks officer owes 2FA")
	}
	if resp, text := e.get("garteks.localhost", "/api/v1/cases", bearer(garteksOfficer)...); resp.StatusCode != http.StatusOK {
		t.Errorf("Garteks officer's queue: %d %s", resp.StatusCode, text)
	}
	// Workers never owe it.
	if resp, body := e.postJSON(spnHost, "/api/v1/auth/login", map[string]string{"phone": "081200000001", "password": demoPW}); resp.StatusCode != http.StatusOK || body["two_factor_pending"] == true {
		t.Errorf("worker login: %d %v", resp.StatusCode, body)
	}

	// The admin enrols and turns it off: the officer's session is free.
	e.enrolAPI(spnHost, admin)
	resp, got := e.getJSON(spnHost, staff2FAAPI, admin)
	if resp.StatusCode != http.StatusOK || got["required"] != true || got["chosen"] != true || got["forced"] != false || got["platform_default"] != false {
		t.Fatalf("GET: %d %v", resp.StatusCode, got)
	}
	resp, got = e.putJSON(spnHost, staff2FAAPI, map[string]any{"required": false}, bearer(admin)...)
	if resp.StatusCode != http.StatusOK || got["required"] != false || got["chosen"] != false {
		t.Fatalf("PUT off: %d %v", resp.StatusCode, got)
	}
	if resp, _ := e.get(spnHost, "/api/v1/cases", bearer(officer)...); resp.StatusCode != http.StatusOK {
		t.Errorf("SPN officer after it was turned off: %d", resp.StatusCode)
	}
}

// With security.require_2fa on, the platform requires it of every union:
// an enrolled federation admin cannot turn it off, and the page says so.
func TestStaff2FAForcedByPlatform(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.Security.Require2FA = "on" })
	e.seedDemo()
	admin, pending := e.pendingLogin(spnHost, "admin@spn.example")
	if !pending {
		t.Fatal("not pending under on")
	}
	if resp, _ := e.putJSON(spnHost, staff2FAAPI, map[string]any{"required": false}, bearer(admin)...); resp.StatusCode != http.StatusForbidden {
		t.Errorf("pending admin: %d", resp.StatusCode)
	}
	e.enrolAPI(spnHost, admin)
	resp, body := e.putJSON(spnHost, staff2FAAPI, map[string]any{"required": false}, bearer(admin)...)
	if resp.StatusCode != http.StatusConflict || fieldErrors(body)["required"] == nil {
		t.Errorf("turn off under on: %d %v", resp.StatusCode, body)
	}
	_, page := e.page(spnHost, "/admin/security?lang=en", admin)
	mustContain(t, page, "The platform requires it of every union", " disabled")
	if n := e.superCount(`SELECT count(*) FROM tenants WHERE settings ? 'require_staff_2fa'`); n != 0 {
		t.Errorf("a refused change stored %d choice(s)", n)
	}
}
