package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/cases"
)

// wordingForm is the wording form as the page posts it: every status, the
// given labels set and the rest empty.
func wordingForm(labels map[string]string) url.Values {
	v := url.Values{}
	for _, st := range cases.AllStatuses() {
		for _, lang := range []string{"id", "en"} {
			f := cases.WordingField(st, lang)
			v.Set(f, labels[f])
		}
	}
	return v
}

// cannedTitles lists the titles GET /api/v1/canned-replies returns.
func (e *env) cannedTitles(tok string) []string {
	e.t.Helper()
	resp, body := e.getJSON(spnHost, "/api/v1/canned-replies", tok)
	if resp.StatusCode != 200 {
		e.t.Fatalf("canned replies: %d %v", resp.StatusCode, body)
	}
	var out []string
	for _, r := range body["canned_replies"].([]any) {
		out = append(out, r.(map[string]any)["title"].(string))
	}
	return out
}

func (e *env) putJSON(host, path string, body any, headers ...string) (*http.Response, map[string]any) {
	e.t.Helper()
	b, _ := json.Marshal(body)
	resp, text := e.send(http.MethodPut, host, path, "application/json", bytes.NewReader(b), headers...)
	return resp, decode(e.t, text)
}

var deleteFormRE = regexp.MustCompile(`action="/admin/handling/canned-replies/([0-9a-f-]{36})/delete"`)

// TestHandlingSettingsPage: a federation admin adds and deletes a canned
// reply, words two statuses in both languages (reporters see it on their
// case page and in the API) and sets a reopen window of 7 days, which
// refuses a reopen after 8 days and accepts one after 6.
func TestHandlingSettingsPage(t *testing.T) {
	e := newCaseEnv(t)
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	worker := e.login(spnHost, map[string]string{"phone": "081200000003", "password": demoPW})
	// A key this build does not know: kept by the reopen window's save.
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE tenants SET settings = settings - 'reopen_window_days' || '{"future_key": {"x": 1}}' WHERE slug = 'spn'`)
		return err
	})

	resp, body := e.page(spnHost, "/admin/handling", admin)
	if resp.StatusCode != 200 {
		t.Fatalf("page: %d", resp.StatusCode)
	}
	mustContain(t, body, "Pengaturan penanganan", `href="/admin/handling"`, `name="title"`, `name="resolved.id"`, `placeholder="Selesai"`,
		`placeholder="Resolved"`, `name="days"`, `value="30"`, "bawaan 30 hari")
	if _, other := e.page(spnHost, "/admin/branding", admin); !strings.Contains(other, `href="/admin/handling"`) {
		t.Error("the other admin pages do not link the handling settings")
	}

	t.Run("canned replies", func(t *testing.T) {
		resp, _ := e.postForm(spnHost, "/admin/handling/canned-replies", admin, url.Values{"locale": {"id"}, "title": {"Minta slip gaji"},
			"body": {"Mohon kirim foto slip gaji tiga bulan terakhir agar kami bisa menghitung kekurangan upah."}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/handling?saved=1#canned" {
			t.Fatalf("add: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if got := e.cannedTitles(admin); len(got) != 1 || got[0] != "Minta slip gaji" {
			t.Fatalf("API lists %v", got)
		}
		_, body := e.page(spnHost, "/admin/handling?saved=1", admin)
		mustContain(t, body, "Minta slip gaji", "Mohon kirim foto slip gaji", "Tersimpan.")
		m := deleteFormRE.FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no delete button")
		}
		if resp, _ := e.postForm(spnHost, "/admin/handling/canned-replies/"+m[1]+"/delete", admin, url.Values{}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("delete: %d", resp.StatusCode)
		}
		if got := e.cannedTitles(admin); len(got) != 0 {
			t.Fatalf("API lists %v after delete", got)
		}
		for kind, want := range map[string]int{"canned_reply.create": 1, "canned_reply.delete": 1} {
			if n := e.countRows("spn", "SELECT count(*) FROM admin_events WHERE kind = ?", kind); n != want {
				t.Errorf("%s: %d events", kind, n)
			}
		}
	})

	t.Run("status wording", func(t *testing.T) {
		id := e.file(spnHost, worker, map[string]any{"type": "complaint", "description": "Upah lembur dua bulan belum dibayar perusahaan."})["id"].(string)
		for _, tr := range []string{"verify", "start"} {
			if resp, out := e.transition(admin, id, tr, nil); resp.StatusCode != 200 {
				t.Fatalf("%s: %d %v", tr, resp.StatusCode, out)
			}
		}
		form := wordingForm(map[string]string{"in_progress.id": "Sedang diurus pengurus", "in_progress.en": "In the union's hands",
			"resolved.id": "Sudah beres", "resolved.en": "Sorted out"})
		resp, _ := e.postForm(spnHost, "/admin/handling/statuses", admin, form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", resp.StatusCode)
		}
		_, page := e.page(spnHost, "/cases/"+id, worker)
		mustContain(t, page, "Sedang diurus pengurus")
		_, page = e.page(spnHost, "/cases/"+id+"?lang=en", worker)
		mustContain(t, page, "In the union&#39;s hands")
		// Every reporter page that names the status words it the same way,
		// the case's timeline too ("verified", then the union's words).
		_, page = e.page(spnHost, "/cases", worker)
		mustContain(t, page, "Sedang diurus pengurus")
		_, page = e.page(spnHost, "/cases/"+id, worker)
		if n := strings.Count(page, "Sedang diurus pengurus"); n < 2 {
			t.Errorf("the union's wording appears %d times on the case page: header and timeline want it", n)
		}
		labels := func(lang string) map[string]string {
			_, body := e.getJSON(spnHost, "/api/v1/statuses?lang="+lang, worker)
			out := map[string]string{}
			for _, s := range body["statuses"].([]any) {
				m := s.(map[string]any)
				out[m["status"].(string)] = m["label"].(string)
			}
			return out
		}
		if id, en := labels("id"), labels("en"); id["resolved"] != "Sudah beres" || en["in_progress"] != "In the union's hands" ||
			id["closed"] != "Ditutup" || en["closed"] != "Closed" {
			t.Errorf("API labels: %v / %v", id, en)
		}
		// The page shows what is stored; emptied, a status has its default again.
		_, body := e.page(spnHost, "/admin/handling", admin)
		mustContain(t, body, `value="Sudah beres"`, `value="Sorted out"`)
		form.Set("resolved.id", "")
		form.Set("resolved.en", "")
		if resp, _ := e.postForm(spnHost, "/admin/handling/statuses", admin, form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("clear: %d", resp.StatusCode)
		}
		if l := labels("id"); l["resolved"] != "Selesai" || l["in_progress"] != "Sedang diurus pengurus" {
			t.Errorf("after clearing resolved: %v", l)
		}
	})

	t.Run("reopen window", func(t *testing.T) {
		resp, _ := e.postForm(spnHost, "/admin/handling/reopen-window", admin, url.Values{"days": {" 7 "}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", resp.StatusCode)
		}
		if _, body := e.page(spnHost, "/admin/handling", admin); !strings.Contains(body, `value="7"`) {
			t.Error("the page does not show the saved window")
		}
		var settings string
		e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
			return tx.QueryRowContext(ctx, "SELECT settings::text FROM tenants WHERE slug = 'spn'").Scan(&settings)
		})
		for _, want := range []string{`"future_key": {"x": 1}`, `"reopen_window_days": 7`, `"anonymous_filing": true`} {
			if !strings.Contains(settings, want) {
				t.Errorf("settings lost %s: %s", want, settings)
			}
		}
		if n := e.countRows("spn", "SELECT count(*) FROM admin_events WHERE kind = 'settings.reopen_window'"); n != 1 {
			t.Errorf("%d reopen window events", n)
		}

		// Resolved now; the reporter disputes it 8 days later, then 6.
		clock := e.pf.Cases
		defer func() { clock.Now = time.Now }()
		for _, tc := range []struct {
			days   int
			status int
		}{{8, http.StatusConflict}, {6, http.StatusOK}} {
			id := e.file(spnHost, worker, map[string]any{"type": "complaint", "description": "Cuti haid ditolak atasan tanpa alasan jelas."})["id"].(string)
			for _, tr := range []string{"verify", "start", "resolve"} {
				if resp, out := e.transition(admin, id, tr, nil); resp.StatusCode != 200 {
					t.Fatalf("%s: %d %v", tr, resp.StatusCode, out)
				}
			}
			later := time.Now().Add(time.Duration(tc.days) * 24 * time.Hour)
			clock.Now = func() time.Time { return later }
			resp, out := e.postJSON(spnHost, "/api/v1/cases/"+id+"/reopen", map[string]any{"reason": "Masih ditolak."}, bearer(worker)...)
			clock.Now = time.Now
			if resp.StatusCode != tc.status {
				t.Errorf("reopen after %d days: %d %v, want %d", tc.days, resp.StatusCode, out, tc.status)
			}
			if tc.status == http.StatusConflict && !strings.Contains(fmt.Sprint(fieldErrors(out)), "membuka kembali") {
				t.Errorf("refusal does not say why: %v", out)
			}
		}

		// The API sets it too.
		resp, out := e.putJSON(spnHost, "/api/v1/admin/settings/reopen-window", map[string]any{"days": 45}, bearer(admin)...)
		if resp.StatusCode != 200 || out["days"] != float64(45) {
			t.Fatalf("API: %d %v", resp.StatusCode, out)
		}
		if n := e.countRows("spn", "SELECT count(*) FROM tenants WHERE settings->>'reopen_window_days' = '45' AND settings ? 'future_key'"); n != 1 {
			t.Error("the API did not store the window beside the other keys")
		}
	})
}

// TestHandlingSettingsBadInput: refused input shows the page again with a
// 422, the field's message in the reader's language and what was typed;
// nothing is stored, not even the good half of a form.
func TestHandlingSettingsBadInput(t *testing.T) {
	e := newCaseEnv(t)
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	window := func() string {
		var s string
		e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
			return tx.QueryRowContext(ctx, "SELECT coalesce(settings->>'reopen_window_days', '') FROM tenants WHERE slug = 'spn'").Scan(&s)
		})
		return s
	}
	before := window()
	msgs := map[string]map[string]string{
		"id": {"days": "Isi jumlah hari dengan angka bulat dari 1 sampai 365.", "required": "Wajib diisi.", "long": "Terlalu panjang."},
		"en": {"days": "Enter a whole number of days from 1 to 365.", "required": "This is required.", "long": "Too long."},
	}
	for lang, msg := range msgs {
		q := "?lang=" + lang
		for _, days := range []string{"0", "366", "abc"} {
			resp, body := e.postForm(spnHost, "/admin/handling/reopen-window"+q, admin, url.Values{"days": {days}})
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%s days %q: %d", lang, days, resp.StatusCode)
			}
			mustContain(t, body, msg["days"], `value="`+days+`"`, `aria-invalid="true"`)
		}
		for _, raw := range []string{`{"days": 0}`, `{"days": 366}`, `{"days": "abc"}`, `{"days": 7.5}`, `{}`} {
			resp, text := e.send(http.MethodPut, spnHost, "/api/v1/admin/settings/reopen-window"+q, "application/json", strings.NewReader(raw), bearer(admin)...)
			if out := decode(t, text); resp.StatusCode != http.StatusUnprocessableEntity || fieldErrors(out)["days"] != msg["days"] {
				t.Errorf("%s API %s: %d %v", lang, raw, resp.StatusCode, out)
			}
		}

		resp, body := e.postForm(spnHost, "/admin/handling/canned-replies"+q, admin, url.Values{"locale": {"en"}, "title": {" "},
			"body": {"Please send your payslips."}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s empty title: %d", lang, resp.StatusCode)
		}
		mustContain(t, body, msg["required"], ">Please send your payslips.</textarea>", `<option value="en" selected>`)

		long := strings.Repeat("panjang ", 13) // 104 characters
		resp, body = e.postForm(spnHost, "/admin/handling/statuses"+q, admin, wordingForm(map[string]string{
			"resolved.id": "Sudah beres", "closed.en": long}))
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s long wording: %d", lang, resp.StatusCode)
		}
		mustContain(t, body, msg["long"], `value="Sudah beres"`, `value="`+long+`"`)
	}
	if w := window(); w != before {
		t.Errorf("reopen window changed from %q to %q", before, w)
	}
	for table, sql := range map[string]string{
		"canned replies": "SELECT count(*) FROM canned_replies",
		"wordings":       "SELECT count(*) FROM status_wordings",
		"admin events":   "SELECT count(*) FROM admin_events WHERE kind IN ('settings.reopen_window', 'canned_reply.create', 'status_wording.update')",
	} {
		if n := e.countRows("spn", sql); n != 0 {
			t.Errorf("%s: %d rows after refused input", table, n)
		}
	}
}

// TestHandlingSettingsForbidden: branch admins and officers get 403 on
// every route of the page and its API; another union's admin cannot
// delete this union's canned reply.
func TestHandlingSettingsForbidden(t *testing.T) {
	e := newCaseEnv(t)
	officer, branch, admin := e.staffTokens()
	resp, reply := e.postJSON(spnHost, "/api/v1/canned-replies", map[string]any{"locale": "id", "title": "Terima kasih",
		"body": "Laporan Anda kami terima."}, bearer(admin)...)
	if resp.StatusCode != 201 {
		t.Fatalf("canned reply: %d %v", resp.StatusCode, reply)
	}
	id := reply["id"].(string)
	survives := func(what string) {
		t.Helper()
		if n := e.countRows("spn", "SELECT count(*) FROM canned_replies WHERE id = ?", id); n != 1 {
			t.Fatalf("%s deleted the reply", what)
		}
	}

	for name, tok := range map[string]string{"officer": officer, "branch admin": branch} {
		if resp, _ := e.page(spnHost, "/admin/handling", tok); resp.StatusCode != 403 {
			t.Errorf("%s: page %d", name, resp.StatusCode)
		}
		for path, form := range map[string]url.Values{
			"/admin/handling/canned-replies":                   {"locale": {"id"}, "title": {"x"}, "body": {"y"}},
			"/admin/handling/canned-replies/" + id + "/delete": {},
			"/admin/handling/statuses":                         wordingForm(map[string]string{"resolved.id": "x"}),
			"/admin/handling/reopen-window":                    {"days": {"7"}},
		} {
			if resp, _ := e.postForm(spnHost, path, tok, form); resp.StatusCode != 403 {
				t.Errorf("%s: POST %s %d", name, path, resp.StatusCode)
			}
		}
		for _, path := range []string{"/api/v1/canned-replies/" + id, "/api/v1/canned-replies/not-an-id"} {
			if resp, _ := e.send(http.MethodDelete, spnHost, path, "", nil, bearer(tok)...); resp.StatusCode != 403 {
				t.Errorf("%s: DELETE %s %d", name, path, resp.StatusCode)
			}
		}
		if resp, _ := e.putJSON(spnHost, "/api/v1/admin/settings/reopen-window", map[string]any{"days": 7}, bearer(tok)...); resp.StatusCode != 403 {
			t.Errorf("%s: PUT reopen window %d", name, resp.StatusCode)
		}
		survives(name)
	}
	if n := e.countRows("spn", "SELECT count(*) FROM canned_replies") + e.countRows("spn", "SELECT count(*) FROM status_wordings"); n != 1 {
		t.Errorf("refused posts stored something (%d rows)", n)
	}
	if n := e.countRows("spn", "SELECT count(*) FROM tenants WHERE settings->>'reopen_window_days' = '7'"); n != 0 {
		t.Error("a refused post set the reopen window")
	}

	// Another union's admin: in their own union the id does not exist, and
	// their session means nothing here.
	gAdmin := e.login(otherHost, map[string]string{"email": "admin@garteks.example", "password": demoPW})
	if resp, _ := e.send(http.MethodDelete, otherHost, "/api/v1/canned-replies/"+id, "", nil, bearer(gAdmin)...); resp.StatusCode != 404 {
		t.Errorf("garteks admin on garteks: %d", resp.StatusCode)
	}
	if resp, _ := e.postForm(otherHost, "/admin/handling/canned-replies/"+id+"/delete", gAdmin, url.Values{}); resp.StatusCode != 404 {
		t.Errorf("garteks admin's page form on garteks: %d", resp.StatusCode)
	}
	if resp, _ := e.send(http.MethodDelete, spnHost, "/api/v1/canned-replies/"+id, "", nil, bearer(gAdmin)...); resp.StatusCode < 400 {
		t.Errorf("garteks admin on spn: %d", resp.StatusCode)
	}
	survives("another union's admin")
}
