package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/suara-id/suara/internal/app"
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/logtest"
)

// A worker downloads their data and asks to be forgotten; cross-tenant and
// bad input are refused with the standard shape and store nothing.
func TestPrivacyExportAndDeletionRoutes(t *testing.T) {
	e := newEnv(t)
	e.seedDemo()
	host := "spn.localhost"
	tok := e.login(host, map[string]string{"phone": "081200000001", "password": "suara-demo"})
	auth := []string{"Authorization", "Bearer " + tok}

	resp, text := e.get(host, "/api/v1/me/export", auth...)
	if resp.StatusCode != http.StatusOK || !strings.Contains(text, `"profile"`) || !strings.Contains(text, "+6281200000001") {
		t.Fatalf("export: %d %.300s", resp.StatusCode, text)
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Error("export may be cached")
	}
	if resp, _ := e.get(host, "/api/v1/me/export"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous export: %d", resp.StatusCode)
	}
	// The token means nothing on another tenant.
	if resp, _ := e.get("garteks.localhost", "/api/v1/me/export", auth...); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("export on another tenant: %d", resp.StatusCode)
	}
	count := func() int {
		var n int
		if err := e.db.Super.QueryRowContext(context.Background(), "SELECT count(*) FROM deletion_requests").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Bad input: no confirmation, wrong type, malformed, wrong content type.
	for _, b := range []struct{ ct, body string }{
		{"application/json", `{}`}, {"application/json", `{"confirm":"yes"}`}, {"application/json", `{"confirm":`}, {"text/plain", `confirm`},
	} {
		resp, text := e.send(http.MethodPost, host, "/api/v1/me/delete", b.ct, strings.NewReader(b.body), auth...)
		if resp.StatusCode < 400 || resp.StatusCode >= 500 || !strings.Contains(text, `"error"`) {
			t.Errorf("delete with %s: %d %s", b.body, resp.StatusCode, text)
		}
	}
	if n := count(); n != 0 {
		t.Fatalf("refused deletion requests stored %d rows", n)
	}
	// Staff cannot erase themselves this way.
	admin := e.login(host, map[string]string{"email": "admin@spn.example", "password": "suara-demo"})
	resp, body := e.postJSON(host, "/api/v1/me/delete", map[string]any{"confirm": true}, "Authorization", "Bearer "+admin)
	if resp.StatusCode != http.StatusForbidden || errorCode(body) != "forbidden" {
		t.Errorf("staff deletion: %d %v", resp.StatusCode, body)
	}
	resp, body = e.postJSON(host, "/api/v1/me/delete", map[string]any{"confirm": true}, auth...)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("delete: %d %v", resp.StatusCode, body)
	}
	r := body["deletion_request"].(map[string]any)
	if r["status"] != "pending" || r["due_at"] == "" {
		t.Errorf("request %v", r)
	}
	// Again: the same open request, not a second one.
	if resp, _ := e.postJSON(host, "/api/v1/me/delete", map[string]any{"confirm": true}, auth...); resp.StatusCode != http.StatusAccepted || count() != 1 {
		t.Errorf("second request: %d, %d rows", resp.StatusCode, count())
	}
}

// Stored XSS: a filing full of markup is accepted as text and comes back
// escaped on every page that shows it.
func TestStoredXSSIsRenderedEscaped(t *testing.T) {
	e := newEnv(t)
	e.seedDemo()
	host := "spn.localhost"
	payload := `<script>alert("xss")</script><img src=x onerror=alert(1)>{{.}}`
	tok := e.login(host, map[string]string{"phone": "081200000001", "password": "suara-demo"})
	resp, body := e.postJSON(host, "/api/v1/cases", map[string]any{"type": "complaint", "title": payload,
		"description": "Isi laporan " + payload}, "Authorization", "Bearer "+tok)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("file: %d %v", resp.StatusCode, body)
	}
	id := body["id"].(string)
	if resp, _ := e.postJSON(host, "/api/v1/cases/"+id+"/messages", map[string]any{"body": payload}, "Authorization", "Bearer "+tok); resp.StatusCode != http.StatusCreated {
		t.Fatalf("message: %d", resp.StatusCode)
	}
	for _, who := range []string{"worker", "admin"} {
		session := tok
		if who == "admin" {
			session = e.login(host, map[string]string{"email": "admin@spn.example", "password": "suara-demo"})
		}
		for _, path := range []string{"/cases/" + id, "/cases"} {
			resp, text := e.get(host, path, "Cookie", "suara_session="+session)
			if resp.StatusCode >= 500 {
				t.Fatalf("%s as %s: %d", path, who, resp.StatusCode)
			}
			if strings.Contains(text, `<script>alert("xss")`) || strings.Contains(text, `<img src=x onerror`) {
				t.Errorf("%s as %s: the payload is rendered raw", path, who)
			}
			if resp.StatusCode == http.StatusOK && path != "/cases" && !strings.Contains(text, "&lt;script&gt;") {
				t.Errorf("%s as %s: the payload is not shown escaped", path, who)
			}
		}
	}
	// Reflected: a hostile query string is never echoed raw.
	_, text := e.get(host, "/login?next=%3Cscript%3Ealert(1)%3C/script%3E&lang=%3Cscript%3E")
	if strings.Contains(text, "<script>alert(1)") {
		t.Error("reflected XSS on /login")
	}
}

// Security headers on every answer; HSTS only when served over TLS.
func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	resp, _ := e.get("spn.localhost", "/login")
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Error("CSP allows inline code")
	}
	if resp.Header.Get("Referrer-Policy") == "" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("referrer policy or nosniff missing")
	}
	if resp.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS sent without TLS")
	}
	tls := newEnv(t, func(c *configT) { c.HTTP.SecureCookies = true })
	if resp, _ := tls.get("spn.localhost", "/login"); !strings.Contains(resp.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Error("no HSTS behind TLS")
	}
}

// Templates carry no inline scripts, styles or event handlers: the CSP
// would block them, and their absence is what makes the CSP safe.
func TestTemplatesHaveNoInlineCode(t *testing.T) {
	files, err := hostileTemplateFiles()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no templates found")
	}
	inline := []string{"<script>", "<style", " onclick=", " onload=", " onerror=", " onsubmit=", " onchange=", "javascript:", " style=\""}
	for name, text := range files {
		low := strings.ToLower(text)
		for _, bad := range inline {
			if strings.Contains(low, bad) {
				t.Errorf("%s contains %q", name, bad)
			}
		}
		// A script element must load a file.
		for rest := low; ; {
			i := strings.Index(rest, "<script")
			if i < 0 {
				break
			}
			end := strings.Index(rest[i:], ">")
			if end < 0 || !strings.Contains(rest[i:i+end], "src=") {
				t.Errorf("%s: inline <script>", name)
			}
			rest = rest[i+7:]
		}
	}
}

// No reporter IP address and no phone or email in the logs of an
// anonymous filing or a login.
func TestLogsHoldNoIPsPhonesOrEmails(t *testing.T) {
	mu := &logtest.Buffer{}
	logger := slog.New(app.NewRedactHandler(slog.NewTextHandler(mu, &slog.HandlerOptions{Level: slog.LevelDebug})))
	e := newEnvLogged(t, logger, func(cfg *config.Config) { cfg.Classify.Ollama.Enabled = false })
	req := newReq(http.MethodPost, "spn.localhost", "/api/v1/cases", "application/json",
		`{"type":"complaint","safety_mode":"anonymous","description":"Upah tidak dibayar, hubungi 0812-3456-7890 atau siti@example.com"}`)
	req.RemoteAddr = "203.0.113.77:4444"
	req.Header.Set("X-Forwarded-For", "198.51.100.9")
	if resp, _ := e.do(req); resp.StatusCode != http.StatusCreated {
		t.Fatalf("file: %d", resp.StatusCode)
	}
	e.postJSON("spn.localhost", "/api/v1/auth/login", map[string]string{"phone": "0812-9999-1111", "password": "salah-sandi-1"})
	e.postJSON("spn.localhost", "/api/v1/auth/login", map[string]string{"email": "nobody@spn.example", "password": "salah-sandi-1"})
	// And a logger fed personal data directly is redacted.
	logger.Error("debug", "phone", "+6281234567890", "who", "rina@example.org", "err", errString("user 081234567890 failed"))
	out := mu.String()
	if !strings.Contains(out, "request") {
		t.Fatalf("no request logs captured: %q", out)
	}
	for _, leak := range []string{"203.0.113.77", "198.51.100.9", "0812-3456-7890", "siti@example.com", "0812-9999-1111",
		"nobody@spn.example", "+6281234567890", "rina@example.org", "081234567890"} {
		if strings.Contains(out, leak) {
			t.Errorf("log holds %q", leak)
		}
	}
}
