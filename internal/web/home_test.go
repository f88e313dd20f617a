package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/suara-id/suara/internal/config"
)

func TestBrandedHomePages(t *testing.T) {
	e := newEnv(t)
	cases := []struct{ host, app, primary string }{
		{"spn.localhost:8080", "SoPaN SPN", ""},
		{"garteks.localhost:8080", "Teman Garteks", ""},
		{"fsptsk.localhost:8080", "Hallo Siola", ""},
		{"japbusi.localhost:8080", "", ""},
	}
	seenCSS := map[string]string{}
	for _, c := range cases {
		resp, body := e.get(c.host, "/")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", c.host, resp.StatusCode)
		}
		if c.app != "" {
			mustContain(t, body, "<title>"+c.app)
		}
		mustContain(t, body, `lang="id"`, "/theme.css", "/cases/new", "/receipt", "Laporkan masalah")
		_, css := e.get(c.host, "/theme.css")
		if !strings.Contains(css, "--primary:#") {
			t.Fatalf("%s: theme css %q", c.host, css)
		}
		for other, o := range seenCSS {
			if o == css {
				t.Errorf("%s and %s share colours", c.host, other)
			}
		}
		seenCSS[c.host] = css
	}
	resp, body := e.get("localhost:8080", "/")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("platform: %d", resp.StatusCode)
	}
	mustContain(t, body, "Suara", "http://spn.localhost:8080")
}

func TestEnglishSwitch(t *testing.T) {
	e := newEnv(t)
	resp, body := e.get("spn.localhost", "/?lang=en")
	mustContain(t, body, `lang="en"`, "Report a problem")
	var cookie string
	for _, c := range resp.Cookies() {
		if c.Name == "lang" {
			cookie = c.Value
		}
	}
	if cookie != "en" {
		t.Fatalf("lang cookie = %q", cookie)
	}
	_, body = e.get("spn.localhost", "/", "Cookie", "lang=en")
	mustContain(t, body, "Report a problem")
}

func TestUnknownHostIs404WithoutTenantData(t *testing.T) {
	e := newEnv(t)
	for _, host := range []string{"nope.localhost:8080", "spn.localhost.evil.example", "127.0.0.1:8080"} {
		resp, body := e.get(host, "/")
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d", host, resp.StatusCode)
		}
		for _, leak := range []string{"SoPaN", "Garteks", "Siola", "JAPBUSI"} {
			if strings.Contains(body, leak) {
				t.Errorf("%s: 404 page mentions %s", host, leak)
			}
		}
	}
}

// A client cannot pick its tenant with X-Forwarded-Host; a configured
// proxy can.
func TestForwardedHostTrustedOnlyFromProxies(t *testing.T) {
	e := newEnv(t)
	_, body := e.get("spn.localhost:8080", "/", "X-Forwarded-Host", "garteks.localhost")
	mustContain(t, body, "<title>SoPaN SPN")

	// app.Test connects from 0.0.0.0: trusting it models a reverse proxy.
	p := newEnv(t, func(c *config.Config) { c.HTTP.TrustedProxies = []string{"0.0.0.0"} })
	_, body = p.get("spn.localhost:8080", "/", "X-Forwarded-Host", "garteks.localhost")
	mustContain(t, body, "<title>Teman Garteks")
}

func TestProbesAndHeaders(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, _ := e.get("127.0.0.1:8080", path)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
	}
	resp, _ := e.get("spn.localhost", "/")
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("csp = %q", csp)
	}
	if resp.Header.Get("X-Request-Id") == "" {
		t.Error("no request id")
	}
	resp, body := e.get("spn.localhost", "/no-such-page")
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "tidak ditemukan") {
		t.Errorf("missing page: %d %q", resp.StatusCode, body)
	}
	resp, body = e.get("spn.localhost", "/api/v1/nothing")
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, `"code":"not_found"`) {
		t.Errorf("missing api route: %d %q", resp.StatusCode, body)
	}
}
