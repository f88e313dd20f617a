package web_test

import (
	"bytes"
	"fmt"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestWorkerJourneyPages: a named and a confidential worker find their
// cases, what waits on them and every action from the pages, forms keep
// what was typed when refused, and nobody else reaches those forms.
func TestWorkerJourneyPages(t *testing.T) {
	e := newCaseEnv(t)
	named := e.login(spnHost, map[string]string{"phone": "081200000003", "password": demoPW})
	conf := e.login(spnHost, map[string]string{"phone": "081200000002", "password": demoPW})
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	garteks := e.login("garteks.localhost", map[string]string{"phone": "081200000003", "password": demoPW})

	// The profile speaks plain words, and every page links the worker on.
	_, body := e.page(spnHost, "/profile", named)
	mustContain(t, body, `href="/cases"`, `href="/cases/new"`, `href="/notifications"`, "Pekerja · Serikat Pekerja Nasional")
	if strings.Contains(body, "spn/*") {
		t.Error("the profile still shows role notation")
	}

	for _, w := range []struct {
		name, tok, mode string
	}{{"named", named, "named"}, {"confidential", conf, "confidential"}} {
		t.Run(w.name, func(t *testing.T) {
			c := e.file(spnHost, w.tok, map[string]any{"type": "complaint", "safety_mode": w.mode,
				"title": "Upah lembur " + w.name, "description": "Upah lembur dua bulan terakhir belum dibayar oleh perusahaan."})
			id := c["id"].(string)
			caseURL := "/cases/" + id
			status := func() string {
				t.Helper()
				_, v := e.getJSON(spnHost, "/api/v1/cases/"+id, w.tok)
				return fmt.Sprint(v["status"])
			}
			move := func(tr, reason string) {
				t.Helper()
				if resp, out := e.postJSON(spnHost, "/api/v1/cases/"+id+"/transitions", map[string]any{"transition": tr, "reason": reason}, bearer(admin)...); resp.StatusCode != 200 {
					t.Fatalf("%s: %d %v", tr, resp.StatusCode, out)
				}
			}
			move("verify", "")
			move("request_info", "Mohon kirim foto slip gaji bulan Mei.")

			// Home: the case, in the union's words, marked as waiting.
			_, home := e.page(spnHost, "/", w.tok)
			mustContain(t, home, "Upah lembur "+w.name, "Serikat meminta keterangan tambahan", `class="badge"`)
			_, page := e.page(spnHost, caseURL, w.tok)
			mustContain(t, page, "Mohon kirim foto slip gaji bulan Mei.", `action="/cases/`+id+`/info"`, `action="/cases/`+id+`/withdraw"`)

			// Refused: an empty answer, a file that is no evidence; the
			// typed text comes back, the case keeps waiting.
			resp, page := e.postForm(spnHost, caseURL+"/info", w.tok, url.Values{"form": {"info"}, "body": {"  "}})
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Tuliskan jawaban Anda.") {
				t.Fatalf("empty answer: %d", resp.StatusCode)
			}
			typed := "Slip gaji Mei saya simpan, lembur 36 jam tidak dibayar."
			ctype, mp := multipartFile("slip.exe", "application/octet-stream", []byte("MZ\x90\x00not evidence"), map[string]string{"_csrf": csrfTok, "form": "info", "body": typed})
			resp, page = e.send(http.MethodPost, spnHost, caseURL+"/info", ctype, mp, "Cookie", "suara_csrf="+csrfTok+"; suara_session="+w.tok)
			if resp.StatusCode < 400 || resp.StatusCode >= 500 || !strings.Contains(page, typed) {
				t.Fatalf("bad file: %d, typed text kept: %v", resp.StatusCode, strings.Contains(page, typed))
			}
			if st := status(); st != "needs_info" {
				t.Fatalf("after refused answers: %s", st)
			}
			// Nobody else answers: another worker, staff, another union.
			for _, o := range []struct{ who, host, tok string }{{"another worker", spnHost, map[string]string{"named": conf, "confidential": named}[w.name]},
				{"staff", spnHost, admin}, {"another union", "garteks.localhost", garteks}} {
				for _, path := range []string{"/info", "/withdraw"} {
					resp, _ := e.postForm(o.host, caseURL+path, o.tok, url.Values{"body": {"x"}, "reason": {"x"}})
					if resp.StatusCode != http.StatusNotFound {
						t.Errorf("%s posting %s: %d, want 404", o.who, path, resp.StatusCode)
					}
				}
			}
			resp, _ = e.postForm(spnHost, caseURL+"/info", w.tok, url.Values{"form": {"info"}, "body": {typed}})
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != caseURL+"?done=info" {
				t.Fatalf("answer: %d %s", resp.StatusCode, resp.Header.Get("Location"))
			}
			if st := status(); st != "verified" {
				t.Fatalf("after the answer the case is %s, want verified (where it was)", st)
			}

			// Notifications: the badge clears once they are seen.
			_, notes := e.page(spnHost, "/notifications", w.tok)
			if !strings.Contains(notes, `class="unread"`) {
				t.Error("the notifications page shows nothing new")
			}
			_, again := e.page(spnHost, "/profile", w.tok)
			if strings.Contains(again, `class="badge"`) {
				t.Error("unread badge still shown after the notifications were seen")
			}

			// A message refused keeps its text; withdraw needs a reason.
			long := strings.Repeat("panjang ", 700)
			resp, page = e.postForm(spnHost, caseURL+"/messages", w.tok, url.Values{"form": {"message"}, "body": {long}})
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, strings.TrimSpace(long[:80])) {
				t.Fatalf("long message: %d", resp.StatusCode)
			}
			resp, page = e.postForm(spnHost, caseURL+"/withdraw", w.tok, url.Values{"form": {"withdraw"}, "reason": {""}})
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Tuliskan alasan") || !strings.Contains(page, "<details class=\"action\" open>") {
				t.Fatalf("withdraw without reason: %d", resp.StatusCode)
			}
			resp, _ = e.postForm(spnHost, caseURL+"/withdraw", w.tok, url.Values{"form": {"withdraw"}, "reason": {"Sudah dibayar oleh perusahaan."}})
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("withdraw: %d", resp.StatusCode)
			}
			if st := status(); st != "withdrawn" {
				t.Fatalf("after withdrawing: %s", st)
			}
			resp, page = e.postForm(spnHost, caseURL+"/info", w.tok, url.Values{"form": {"info"}, "body": {"Terlambat."}})
			if resp.StatusCode != http.StatusConflict || !strings.Contains(page, "sedang tidak menunggu keterangan") {
				t.Fatalf("answer to a withdrawn case: %d", resp.StatusCode)
			}
		})
	}
}

// TestAppManifestAndIcons: each union's site is its own app — its name,
// colours and icons — and the service worker is served from the root.
func TestAppManifestAndIcons(t *testing.T) {
	e := newEnv(t)
	for slug, name := range map[string]string{"spn": "SoPaN SPN", "garteks": "Teman Garteks", "fsptsk": "Hallo Siola", "japbusi": "JAPBUSI Lapor"} {
		host := slug + ".localhost"
		resp, body := e.get(host, "/manifest.webmanifest")
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/manifest+json") {
			t.Fatalf("%s manifest: %d %s", slug, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		m := decode(t, body)
		if m["name"] != name || m["display"] != "standalone" || m["start_url"] != "/" || m["scope"] != "/" {
			t.Errorf("%s manifest: %v", slug, m)
		}
		if !regexp.MustCompile(`^#[0-9A-Fa-f]{6}$`).MatchString(fmt.Sprint(m["theme_color"])) {
			t.Errorf("%s theme colour %v", slug, m["theme_color"])
		}
		icons := m["icons"].([]any)
		var maskable bool
		var first []byte
		for _, ic := range icons {
			ic := ic.(map[string]any)
			resp, img := e.get(host, ic["src"].(string))
			cfg, err := png.DecodeConfig(bytes.NewReader([]byte(img)))
			if resp.StatusCode != http.StatusOK || err != nil || fmt.Sprintf("%dx%d", cfg.Width, cfg.Height) != ic["sizes"] {
				t.Fatalf("%s icon %v: %d %v %v", slug, ic["src"], resp.StatusCode, err, cfg)
			}
			maskable = maskable || ic["purpose"] == "maskable"
			if first == nil {
				first = []byte(img)
			}
		}
		if len(icons) != 3 || !maskable {
			t.Errorf("%s icons: %v", slug, icons)
		}
		resp, home := e.get(host, "/")
		mustContain(t, home, `rel="manifest"`, `src="/static/outbox.js"`)
		if resp.Header.Get("X-Suara-Offline") != "keep" {
			t.Errorf("%s: the signed-out home is not marked for offline use", slug)
		}
	}
	resp, js := e.get(spnHost, "/sw.js")
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "javascript") || !strings.Contains(js, `addEventListener("fetch"`) {
		t.Fatalf("service worker: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp, _ := e.get(spnHost, "/icons/../../etc/passwd"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown icon: %d", resp.StatusCode)
	}
	// JAPBUSI's home speaks of estates, not sewing lines.
	_, home := e.get("japbusi.localhost", "/")
	mustContain(t, home, "brondolan", "Penyemprot")
}
