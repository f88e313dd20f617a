package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/uptrace/bun"
)

const hostileSVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)"><script>alert(2)</script><rect width="10" height="10" fill="#c00" onclick="steal()"/><image href="http://tracker.example/p.png"/></svg>`

// TestBranding: the form, a refusal for unreadable colours, a preview of
// the home page with unsaved values (and a sanitised logo), saving, and
// that saving keeps every other settings key; other tenants unchanged.
func TestBranding(t *testing.T) {
	e := newCaseEnv(t)
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	officer := e.login(spnHost, map[string]string{"email": "officer@spn.example", "password": demoPW})
	gartAdmin := e.login(otherHost, map[string]string{"email": "admin@garteks.example", "password": demoPW})
	// A key this build does not know, written by a newer one: kept.
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE tenants SET settings = settings || '{"future_key": {"x": 1}, "reopen_window_days": 11}' WHERE slug = 'spn'`)
		return err
	})

	if resp, body := e.page(spnHost, "/admin/branding", admin); resp.StatusCode != 200 || !strings.Contains(body, `name="primary"`) {
		t.Fatalf("branding form: %d", resp.StatusCode)
	}
	if resp, _ := e.page(spnHost, "/admin/branding", officer); resp.StatusCode != 403 {
		t.Errorf("officer: %d", resp.StatusCode)
	}
	if resp, _ := e.page(spnHost, "/admin/branding", gartAdmin); resp.StatusCode < 400 {
		t.Errorf("another tenant's admin: %d", resp.StatusCode)
	}

	good := url.Values{"app_name": {"Suara SPN"}, "primary": {"#0b5394"}, "on_primary": {"#ffffff"}, "accent": {"#f1c232"},
		"background": {"#ffffff"}, "text": {"#111111"}, "welcome_id": {"Selamat datang, kawan!"}, "welcome_en": {"Welcome, comrade!"}}
	bad := url.Values{}
	for k, v := range good {
		bad[k] = v
	}
	bad.Set("on_primary", "#3d85c6") // blue on blue
	resp, body := e.postForm(spnHost, "/admin/branding/preview", admin, bad)
	if resp.StatusCode != 422 || !strings.Contains(body, "4,5") {
		t.Errorf("low contrast preview: %d", resp.StatusCode)
	}
	resp, _ = e.postForm(spnHost, "/admin/branding", admin, bad)
	if resp.StatusCode != 422 {
		t.Errorf("low contrast save: %d", resp.StatusCode)
	}

	// Preview with a logo upload (multipart), nothing saved.
	extra := map[string]string{"_csrf": csrfTok}
	for k := range good {
		extra[k] = good.Get(k)
	}
	ct, mp := multipartRaw(`form-data; name="logo"; filename="logo.svg"`, "image/svg+xml", []byte(hostileSVG), extra)
	resp, body = e.send(http.MethodPost, spnHost, "/admin/branding/preview", ct, mp, "Cookie", "suara_session="+admin+"; suara_csrf="+csrfTok)
	if resp.StatusCode != 200 {
		t.Fatalf("preview: %d %s", resp.StatusCode, body)
	}
	mustContain(t, body, "Suara SPN", "Selamat datang, kawan!", "/admin/branding/preview.css?", "/admin/branding/draft-logo", `name="draft_logo" value="1"`)
	resp, css := e.page(spnHost, "/admin/branding/preview.css?"+url.Values{"primary": {"#0b5394"}, "on_primary": {"#ffffff"},
		"accent": {"#f1c232"}, "background": {"#ffffff"}, "text": {"#111111"}}.Encode(), admin)
	if resp.StatusCode != 200 || !strings.Contains(css, "--primary:#0b5394") {
		t.Errorf("preview css: %d %s", resp.StatusCode, css)
	}
	resp, logo := e.page(spnHost, "/admin/branding/draft-logo", admin)
	if resp.StatusCode != 200 || strings.Contains(logo, "script") || strings.Contains(logo, "onload") || strings.Contains(logo, "tracker") || !strings.Contains(logo, `<rect width="10"`) {
		t.Errorf("draft logo: %d %s", resp.StatusCode, logo)
	}
	if _, home := e.get(spnHost, "/"); strings.Contains(home, "Suara SPN") || strings.Contains(home, "kawan") {
		t.Error("the preview changed the live site")
	}

	// Save what was previewed (the preview bar's form).
	save := url.Values{"draft_logo": {"1"}}
	for k := range good {
		save.Set(k, good.Get(k))
	}
	resp, _ = e.postForm(spnHost, "/admin/branding", admin, save)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	_, home := e.get(spnHost, "/")
	mustContain(t, home, "Suara SPN", "Selamat datang, kawan!", "/theme.css?v=", "/logo.svg?v=")
	_, homeEN := e.get(spnHost, "/?lang=en")
	mustContain(t, homeEN, "Welcome, comrade!")
	if _, css := e.get(spnHost, "/theme.css"); !strings.Contains(css, "--primary:#0b5394") {
		t.Errorf("theme.css after save: %s", css)
	}
	resp, logo = e.get(spnHost, "/logo.svg")
	if !strings.Contains(logo, `fill="#c00"`) || strings.Contains(logo, "script") || resp.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("live logo: %s %s", resp.Header.Get("Content-Type"), logo)
	}
	var settings string
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT settings::text FROM tenants WHERE slug = 'spn'").Scan(&settings)
	})
	for _, want := range []string{`"future_key": {"x": 1}`, `"reopen_window_days": 11`, `"primary": "#0b5394"`, `"logo": "`} {
		if !strings.Contains(settings, want) {
			t.Errorf("settings lost %s: %s", want, settings)
		}
	}
	if n := e.countRows("spn", "SELECT count(*) FROM admin_events WHERE kind = 'branding.update'"); n != 1 {
		t.Errorf("%d branding events", n)
	}
	if n := e.countRows("spn", "SELECT count(*) FROM tenant_logos WHERE slot = 'draft'"); n != 0 {
		t.Errorf("draft logo left behind")
	}
	// Garteks is untouched.
	if _, gh := e.get(otherHost, "/"); strings.Contains(gh, "Suara SPN") || strings.Contains(gh, "/logo.svg?v=") {
		t.Error("another tenant shows SPN's branding")
	}
	if _, gcss := e.get(otherHost, "/theme.css"); strings.Contains(gcss, "#0b5394") {
		t.Error("another tenant's stylesheet changed")
	}
	// A PNG that is not one, and a GIF, are refused.
	ct, mp = multipartRaw(`form-data; name="logo"; filename="x.png"`, "image/png", []byte("GIF89a\x01\x00"), extra)
	resp, _ = e.send(http.MethodPost, spnHost, "/admin/branding/preview", ct, mp, "Cookie", "suara_session="+admin+"; suara_csrf="+csrfTok)
	if resp.StatusCode != 422 {
		t.Errorf("gif logo: %d", resp.StatusCode)
	}
}
