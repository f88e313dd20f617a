package web_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// Staff turn on two-factor login with an authenticator app; after that a
// login needs the code. A tenant can make it mandatory: a staff session
// without it can do nothing but enrol.
func TestTwoFactorLogin(t *testing.T) {
	e := newEnv(t)
	e.seedDemo()
	officer := e.login("spn.localhost", map[string]string{"email": "officer@spn.example", "password": "suara-demo"})
	resp, body := e.postJSON("spn.localhost", "/api/v1/me/2fa", nil, "Authorization", "Bearer "+officer)
	if resp.StatusCode != http.StatusOK || body["secret"] == "" {
		t.Fatalf("start 2fa: %d %v", resp.StatusCode, body)
	}
	secret := body["secret"].(string)
	resp, _ = e.postJSON("spn.localhost", "/api/v1/me/2fa/confirm", map[string]string{"code": "000000"}, "Authorization", "Bearer "+officer)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("wrong code accepted: %d", resp.StatusCode)
	}
	code, _ := totp.GenerateCode(secret, time.Now())
	resp, _ = e.postJSON("spn.localhost", "/api/v1/me/2fa/confirm", map[string]string{"code": code}, "Authorization", "Bearer "+officer)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("confirm: %d", resp.StatusCode)
	}
	resp, body = e.postJSON("spn.localhost", "/api/v1/auth/login", map[string]string{"email": "officer@spn.example", "password": "suara-demo"})
	if resp.StatusCode != http.StatusUnprocessableEntity || fieldErrors(body)["totp"] == nil {
		t.Fatalf("login without code: %d %v", resp.StatusCode, body)
	}
	resp, _ = e.postJSON("spn.localhost", "/api/v1/auth/login", map[string]string{"email": "officer@spn.example", "password": "suara-demo", "totp": "123456"})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("login with a wrong code: %d", resp.StatusCode)
	}
	// The code that confirmed enrolment cannot be used again: the next
	// one (the next 30-second step, accepted as clock skew) can.
	resp, _ = e.postJSON("spn.localhost", "/api/v1/auth/login", map[string]string{"email": "officer@spn.example", "password": "suara-demo", "totp": code})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("login replaying the enrolment code: %d", resp.StatusCode)
	}
	code, _ = totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	e.login("spn.localhost", map[string]string{"email": "officer@spn.example", "password": "suara-demo", "totp": code})

	// The union makes two-factor login mandatory.
	if _, err := e.db.Super.ExecContext(context.Background(),
		`UPDATE tenants SET settings = settings || '{"require_staff_2fa": true}' WHERE slug = 'spn'`); err != nil {
		t.Fatal(err)
	}
	if err := e.pf.Resolver.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	branch := e.login("spn.localhost", map[string]string{"email": "branch@spn.example", "password": "suara-demo"})
	resp, text := e.get("spn.localhost", "/api/v1/staff", "Authorization", "Bearer "+branch)
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("staff list before enrolment: %d %s", resp.StatusCode, text)
	}
	resp, body = e.postJSON("spn.localhost", "/api/v1/me/2fa", nil, "Authorization", "Bearer "+branch)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("enrol while pending: %d %v", resp.StatusCode, body)
	}
	code, _ = totp.GenerateCode(body["secret"].(string), time.Now())
	if resp, _ := e.postJSON("spn.localhost", "/api/v1/me/2fa/confirm", map[string]string{"code": code}, "Authorization", "Bearer "+branch); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("confirm while pending: %d", resp.StatusCode)
	}
	if resp, _ := e.get("spn.localhost", "/api/v1/staff", "Authorization", "Bearer "+branch); resp.StatusCode != http.StatusOK {
		t.Fatalf("staff list after enrolment: %d", resp.StatusCode)
	}
}
