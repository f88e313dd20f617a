package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/suara-id/suara/internal/config"
)

// limitedEnv trusts app.Test's 0.0.0.0 as a proxy, so X-Forwarded-For
// names the client address, and sets small filing and upload limits.
func limitedEnv(t *testing.T) *env {
	e := newEnv(t, func(c *config.Config) {
		c.HTTP.TrustedProxies = []string{"0.0.0.0"}
		c.HTTP.ProxyHeader = "X-Forwarded-For"
		c.RateLimits.Filing = config.RateLimit{PerIP: 3, PerTenant: 5}
		c.RateLimits.Upload = config.RateLimit{PerIP: 2, PerTenant: 3}
	})
	freezeLimits(e)
	return e
}

// freezeLimits stops the limits' clock mid-window: windows are aligned on
// the clock, so a real one could roll over between the last allowed request
// and the one that must be refused.
func freezeLimits(e *env) {
	mid := time.Now().UTC().Truncate(time.Hour).Add(5 * time.Minute)
	e.srv.UseLimitsClock(func() time.Time { return mid })
}

// check429 requires a 429 with Retry-After within the window and, on the
// API, the standard error shape with the message for key.
func check429(t *testing.T, what string, resp *http.Response, body map[string]any, want string) {
	t.Helper()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("%s: %d %v, want 429", what, resp.StatusCode, body)
	}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || s < 1 || s > 600 {
		t.Errorf("%s: Retry-After %q", what, resp.Header.Get("Retry-After"))
	}
	e, _ := body["error"].(map[string]any)
	if e == nil || e["code"] != "rate_limited" || !strings.Contains(e["message"].(string), want) {
		t.Errorf("%s: error %v, want rate_limited saying %q", what, body, want)
	}
}

// Filing: the N+1th from one address is refused and stores nothing;
// another address is not; the union's cap holds across addresses; another
// union is not affected. The API and the form share the allowance.
func TestFilingRateLimits(t *testing.T) {
	e := limitedEnv(t)
	const spn, garteks = "spn.localhost", "garteks.localhost"
	file := func(host, ip string, headers ...string) (*http.Response, map[string]any) {
		t.Helper()
		return e.postJSON(host, "/api/v1/cases", map[string]any{"type": "complaint", "safety_mode": "anonymous",
			"description": "Upah lembur tidak dibayar sesuai aturan sejak bulan lalu."}, append([]string{"X-Forwarded-For", ip}, headers...)...)
	}
	cases := func(slug string) int { return e.countRows(slug, "SELECT count(*) FROM cases") }

	for i := 1; i <= 3; i++ {
		if resp, out := file(spn, "203.0.113.1"); resp.StatusCode != http.StatusCreated {
			t.Fatalf("filing %d: %d %v", i, resp.StatusCode, out)
		}
	}
	before := cases("spn")
	resp, out := file(spn, "203.0.113.1")
	check429(t, "4th filing from one address", resp, out, "jaringan Anda")
	if n := cases("spn"); n != before {
		t.Fatalf("a refused filing stored a case: %d → %d", before, n)
	}
	// In the caller's language, and the same way through a spelling of
	// the path the router treats alike.
	resp, out = e.postJSON(spn, "/api/v1/Cases/", map[string]any{"type": "complaint"}, "X-Forwarded-For", "203.0.113.1", "Accept-Language", "en")
	check429(t, "4th filing, English, other spelling", resp, out, "your network")

	// Another address of the same union files (the union's 4th and 5th).
	for _, ip := range []string{"203.0.113.2", "203.0.113.3"} {
		if resp, out := file(spn, ip); resp.StatusCode != http.StatusCreated {
			t.Fatalf("filing from %s: %d %v", ip, resp.StatusCode, out)
		}
	}
	// The union's cap: a fresh address is refused now.
	before = cases("spn")
	resp, out = file(spn, "203.0.113.4")
	check429(t, "6th filing of the union", resp, out, "Serikat sedang menerima")
	if n := cases("spn"); n != before {
		t.Fatalf("a refused filing stored a case: %d → %d", before, n)
	}

	// Another union, even from the spent address, is unaffected.
	if resp, out := file(garteks, "203.0.113.1"); resp.StatusCode != http.StatusCreated {
		t.Fatalf("another union: %d %v", resp.StatusCode, out)
	}
	// The form shares the address's allowance: two more, then a themed
	// page in the reader's language.
	form := func(lang string) (*http.Response, string) {
		t.Helper()
		vals := url.Values{"_csrf": {csrfTok}, "type": {"complaint"}, "safety_mode": {"anonymous"},
			"description": {"Pintu darurat dikunci dari luar selama shift malam."}}
		return e.send(http.MethodPost, garteks, "/cases/new", "application/x-www-form-urlencoded", strings.NewReader(vals.Encode()),
			"Cookie", "suara_csrf="+csrfTok+"; lang="+lang, "X-Forwarded-For", "203.0.113.1")
	}
	for i := 0; i < 2; i++ {
		if resp, page := form("id"); resp.StatusCode != http.StatusCreated {
			t.Fatalf("form filing %d: %d %.300s", i, resp.StatusCode, page)
		}
	}
	before = cases("garteks")
	resp, page := form("id")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("4th form filing: %d", resp.StatusCode)
	}
	mustContain(t, page, "Mohon tunggu sebentar", "Laporan Anda belum terkirim", "tombol Kembali", `href="/theme.css"`)
	_, page = form("en")
	mustContain(t, page, "Please wait a moment", "Your report was not sent", "Back button")
	if n := cases("garteks"); n != before {
		t.Fatalf("refused form filings stored cases: %d → %d", before, n)
	}
	// Garbage in the address header is no address: it cannot make a
	// fresh allowance per request.
	for i := 1; i <= 4; i++ {
		resp, out := file("fsptsk.localhost", "not-an-address-"+strconv.Itoa(i))
		if want := map[bool]int{true: 201, false: 429}[i <= 3]; resp.StatusCode != want {
			t.Fatalf("filing %d with a forged address: %d %v, want %d", i, resp.StatusCode, out, want)
		}
	}
	// A CSRF-less cross-site post is refused before it counts, so another
	// site cannot spend a union's allowance through its visitors' browsers.
	if resp, _ := e.send(http.MethodPost, spn, "/cases/new", "application/x-www-form-urlencoded", strings.NewReader("type=complaint"),
		"X-Forwarded-For", "203.0.113.9"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("CSRF-less post: %d", resp.StatusCode)
	}
}

// Uploads have their own allowance, per address and per union.
func TestUploadRateLimits(t *testing.T) {
	e := limitedEnv(t)
	const spn = "spn.localhost"
	jpg, _ := jpegWithGPS(t)
	resp, out := e.postJSON(spn, "/api/v1/cases", map[string]any{"type": "complaint", "safety_mode": "anonymous",
		"description": "Atap gudang bocor dan menetes ke panel listrik."}, "X-Forwarded-For", "198.51.100.1")
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("file: %d %v", resp.StatusCode, out)
	}
	path := "/api/v1/receipt/evidence"
	rtok := e.receiptSession(spn, out["receipt_code"].(string), "X-Forwarded-For", "198.51.100.1")
	upload := func(ip string) (*http.Response, map[string]any) {
		t.Helper()
		ct, body := multipartFile("atap.jpg", "image/jpeg", jpg, nil)
		resp, text := e.send(http.MethodPost, spn, path, ct, body, "X-Forwarded-For", ip, "Authorization", "Bearer "+rtok)
		return resp, decode(t, text)
	}
	files := func() int { return e.countRows("spn", "SELECT count(*) FROM evidence_files") }
	for i := 0; i < 2; i++ {
		if resp, out := upload("198.51.100.1"); resp.StatusCode != http.StatusCreated {
			t.Fatalf("upload %d: %d %v", i, resp.StatusCode, out)
		}
	}
	before := files()
	resp, out = upload("198.51.100.1")
	check429(t, "3rd upload from one address", resp, out, "Berkas belum terkirim")
	if resp, out := upload("198.51.100.2"); resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload from another address: %d %v", resp.StatusCode, out)
	}
	resp, out = upload("198.51.100.3")
	check429(t, "4th upload of the union", resp, out, "Serikat sedang menerima sangat banyak berkas")
	if n := files(); n != before+1 {
		t.Fatalf("evidence files %d, want %d: a refused upload was stored", n, before+1)
	}
	// Filing is a separate allowance: the address that may not upload
	// may still file.
	if resp, out := e.postJSON(spn, "/api/v1/cases", map[string]any{"type": "complaint", "safety_mode": "anonymous",
		"description": "Laporan kedua dari alamat yang sama."}, "X-Forwarded-For", "198.51.100.1"); resp.StatusCode != http.StatusCreated {
		t.Fatalf("filing after upload limit: %d %v", resp.StatusCode, out)
	}
}

// A signed-in worker's filings count as anonymous ones do: the 4th from
// one address is refused and stores nothing; a request with an unknown
// token is refused as unauthorised and does not count.
func TestSignedInFilingRateLimits(t *testing.T) {
	e := limitedEnv(t)
	e.seedDemo()
	tok := e.login(spnHost, map[string]string{"phone": "081200000003", "password": demoPW})
	file := func(ip, token string) (*http.Response, map[string]any) {
		t.Helper()
		return e.postJSON(spnHost, "/api/v1/cases", map[string]any{"type": "complaint",
			"description": "Upah lembur tidak dibayar sesuai aturan sejak bulan lalu."},
			"X-Forwarded-For", ip, "Authorization", "Bearer "+token)
	}
	for i := 1; i <= 3; i++ {
		if resp, out := file("198.51.100.7", tok); resp.StatusCode != http.StatusCreated {
			t.Fatalf("signed-in filing %d: %d %v", i, resp.StatusCode, out)
		}
	}
	before := e.countRows("spn", "SELECT count(*) FROM cases")
	resp, out := file("198.51.100.7", tok)
	check429(t, "4th signed-in filing from one address", resp, out, "jaringan Anda")
	if resp, out := file("198.51.100.8", "no-such-token"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unknown token: %d %v", resp.StatusCode, out)
	}
	if n := e.countRows("spn", "SELECT count(*) FROM cases"); n != before {
		t.Fatalf("refused filings stored cases: %d → %d", before, n)
	}
	// The union's cap (5): the address's refused 4th and the unknown
	// token's request did not reach it, so two more, then refused.
	for _, ip := range []string{"198.51.100.9", "198.51.100.10"} {
		if resp, out := file(ip, tok); resp.StatusCode != http.StatusCreated {
			t.Fatalf("the union's filing from %s: %d %v", ip, resp.StatusCode, out)
		}
	}
	resp, out = file("198.51.100.11", tok)
	check429(t, "the union's 6th", resp, out, "Serikat sedang menerima")
}

// A form filing with a stale session cookie is an anonymous filing: its
// hit counts once (the cookie's look-up counted nothing, so the limit
// counts it itself) and the 4th from one address is refused. A signed-in
// form filing counts in the look-up's round trip, also once.
func TestFormFilingRateLimitsWithSession(t *testing.T) {
	e := limitedEnv(t)
	e.seedDemo()
	worker := e.login(spnHost, map[string]string{"phone": "081200000003", "password": demoPW})
	form := func(host, ip, session string) *http.Response {
		t.Helper()
		vals := url.Values{"_csrf": {csrfTok}, "type": {"complaint"}, "safety_mode": {"anonymous"},
			"description": {"Pintu darurat dikunci dari luar selama shift malam."}}
		resp, _ := e.send(http.MethodPost, host, "/cases/new", "application/x-www-form-urlencoded", strings.NewReader(vals.Encode()),
			"Cookie", "suara_session="+session+"; suara_csrf="+csrfTok, "X-Forwarded-For", ip)
		return resp
	}
	for _, c := range []struct{ who, host, session string }{
		{"stale cookie", "garteks.localhost", "stale-session"},
		{"signed in", spnHost, worker},
	} {
		for i := 1; i <= 4; i++ {
			resp := form(c.host, "198.51.100.20", c.session)
			if refused := resp.StatusCode == http.StatusTooManyRequests; refused != (i == 4) || resp.StatusCode >= 400 && !refused {
				t.Fatalf("%s: form filing %d: %d", c.who, i, resp.StatusCode)
			}
		}
	}
}
