package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const sharingAPI = "/api/v1/admin/settings/analytics-sharing"

// sharingStored is the tenant's two sharing keys as stored, read as
// superuser ("" when absent).
func (e *env) sharingStored(slug string) (anonymous, shareCompany string) {
	e.t.Helper()
	if err := e.db.Super.QueryRowContext(context.Background(), `SELECT coalesce(settings->>'analytics_anonymous', ''),
		coalesce(settings->>'analytics_share_company', '') FROM tenants WHERE slug = ?`, slug).Scan(&anonymous, &shareCompany); err != nil {
		e.t.Fatal(err)
	}
	return anonymous, shareCompany
}

// superCount counts rows as superuser: across tenants, RLS aside.
func (e *env) superCount(sql string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.Super.QueryRowContext(context.Background(), sql, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// platformText is a platform API reply's body, read by the analyst.
func (e *env) platformText(ilo, path string) string {
	e.t.Helper()
	resp, text := e.get(platformHost, path, bearer(ilo)...)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, text)
	}
	return text
}

// fileAtMajuJaya files n cases on the demo workplace of PT Maju Jaya Garmen.
func (e *env) fileAtMajuJaya(n int) {
	e.t.Helper()
	worker := e.login(spnHost, map[string]string{"phone": "081200000001", "password": demoPW})
	wp := e.workplaceID("spn", "pt-maju-jaya-garmen")
	for i := 0; i < n; i++ {
		e.file(spnHost, worker, map[string]any{"type": "complaint", "workplace_id": wp, "description": "Upah lembur tidak dibayar penuh."})
	}
}

// TestSharingAnonymousPage: a federation admin unticks "show our name" on
// the page and the analyst sees SPN as "Union A" in the aggregates and the
// overview at once, without a rollup; ticked again, SPN is back. Other
// settings keys survive and the rollup's watermark is left alone.
func TestSharingAnonymousPage(t *testing.T) {
	e := newCaseEnv(t)
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	ilo := e.login(platformHost, map[string]string{"email": "ilo@platform.example", "password": demoPW})
	e.fileAtMajuJaya(2)
	e.rollup()
	const byTenant = "/api/v1/platform/aggregates?by=tenant&from=2024-01&to=2030-12"
	if text := e.platformText(ilo, byTenant); !strings.Contains(text, `"tenant":"SPN"`) {
		t.Fatalf("SPN not named before: %s", text)
	}
	watermark := func() string {
		var s string
		_ = e.db.Super.QueryRowContext(context.Background(), `SELECT w.updated_at::text FROM rollup_watermarks w
			JOIN tenants t ON t.id = w.tenant_id WHERE t.slug = 'spn'`).Scan(&s)
		return s
	}
	before := watermark()

	resp, body := e.page(spnHost, "/admin/sharing", admin)
	if resp.StatusCode != 200 {
		t.Fatalf("page: %d", resp.StatusCode)
	}
	mustContain(t, body, "Berbagi dengan ILO", `href="/admin/sharing"`, `name="show_name" value="on" aria-describedby="show-name-hint" checked`,
		`name="share_company" value="on" aria-describedby="share-company-hint">`, "dihitung ulang")
	if _, other := e.page(spnHost, "/admin/handling", admin); !strings.Contains(other, `href="/admin/sharing"`) {
		t.Error("the other admin pages do not link the sharing page")
	}
	_, body = e.page(spnHost, "/admin/sharing?lang=en", admin)
	mustContain(t, body, "Show our union&#39;s name in ILO statistics", "Let employers&#39; names appear", "recounted")

	// Unticked: no show_name in the post, as browsers send it.
	resp, _ = e.postForm(spnHost, "/admin/sharing", admin, url.Values{})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/sharing?saved=1" {
		t.Fatalf("save: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if a, s := e.sharingStored("spn"); a != "true" || s != "false" {
		t.Errorf("stored anonymous=%q share_company=%q", a, s)
	}
	for _, path := range []string{byTenant, "/api/v1/platform/overview"} {
		text := e.platformText(ilo, path)
		if !strings.Contains(text, `"Union A"`) || strings.Contains(text, `"SPN"`) {
			t.Errorf("%s still names SPN: %s", path, text)
		}
	}
	_, body = e.page(spnHost, "/admin/sharing?saved=1", admin)
	mustContain(t, body, "Tersimpan.", `aria-describedby="show-name-hint">`)
	if n := e.countRows("spn", "SELECT count(*) FROM admin_events WHERE kind = 'settings.analytics_sharing' AND payload::jsonb @> ?",
		`{"anonymous": true, "share_company": false, "previous": {"anonymous": false, "share_company": false}}`); n != 1 {
		t.Errorf("%d matching admin events", n)
	}
	if n := e.superCount(`SELECT count(*) FROM tenants WHERE slug = 'spn' AND settings->>'reopen_window_days' = '30' AND settings ? 'anonymous_filing'`); n != 1 {
		t.Error("the save lost other settings keys")
	}
	if w := watermark(); w != before {
		t.Errorf("the watermark moved from %s to %s though companies did not change", before, w)
	}

	// Ticked again: named again.
	if resp, _ := e.postForm(spnHost, "/admin/sharing", admin, url.Values{"show_name": {"on"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save back: %d", resp.StatusCode)
	}
	if text := e.platformText(ilo, byTenant); !strings.Contains(text, `"tenant":"SPN"`) || strings.Contains(text, "Union A") {
		t.Errorf("SPN not named again: %s", text)
	}
}

// TestSharingCompany: turning share_company on through the API resets the
// union's watermark, so the next rollup rewrites the facts already rolled
// up with their company; off again, the next rollup takes it out of the
// facts and the cube, not only out of the answers.
func TestSharingCompany(t *testing.T) {
	e := newCaseEnv(t)
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	ilo := e.login(platformHost, map[string]string{"email": "ilo@platform.example", "password": demoPW})
	spn := e.tenantID("spn")
	e.fileAtMajuJaya(6)
	e.rollup()
	const company = "PT Maju Jaya Garmen"
	const byCompany = "/api/v1/platform/aggregates?by=company&from=2024-01&to=2030-12"
	facts := func() int {
		return e.superCount("SELECT count(*) FROM case_facts WHERE tenant_id = ? AND company = ?", spn, company)
	}
	cells := func() int {
		return e.superCount("SELECT count(*) FROM analytics_cells WHERE tenant_id = ? AND company <> '' AND cases <> 0", spn)
	}
	if n := facts(); n != 0 {
		t.Fatalf("%d facts carry the company before the union shares it", n)
	}

	resp, out := e.putJSON(spnHost, sharingAPI, map[string]any{"anonymous": false, "share_company": true}, bearer(admin)...)
	if resp.StatusCode != 200 || out["share_company"] != true || out["anonymous"] != false {
		t.Fatalf("PUT: %d %v", resp.StatusCode, out)
	}
	if _, got := e.getJSON(spnHost, sharingAPI, admin); got["share_company"] != true || got["anonymous"] != false {
		t.Errorf("GET after PUT: %v", got)
	}
	if n := e.superCount("SELECT count(*) FROM rollup_watermarks WHERE tenant_id = ? AND updated_at = '-infinity'", spn); n != 1 {
		t.Fatal("the watermark was not reset")
	}
	e.rollup() // no case changed: only the reset makes it re-read them
	if n := facts(); n < 6 {
		t.Errorf("%d facts carry the company after the recount, want at least 6", n)
	}
	if text := e.platformText(ilo, byCompany); !strings.Contains(text, `"company":"`+company+`"`) {
		t.Errorf("the aggregate by company does not show it: %s", text)
	}

	resp, out = e.putJSON(spnHost, sharingAPI, map[string]any{"anonymous": false, "share_company": false}, bearer(admin)...)
	if resp.StatusCode != 200 {
		t.Fatalf("PUT off: %d %v", resp.StatusCode, out)
	}
	// Hidden from the answers at once, before the recount.
	if text := e.platformText(ilo, byCompany); strings.Contains(text, company) {
		t.Errorf("the company shows before the recount: %s", text)
	}
	e.rollup()
	if n := facts(); n != 0 {
		t.Errorf("%d facts still carry the company", n)
	}
	if n := cells(); n != 0 {
		t.Errorf("%d cube cells still count a company of the union", n)
	}
	if text := e.platformText(ilo, byCompany); strings.Contains(text, company) {
		t.Errorf("the company shows after the recount: %s", text)
	}
	if n := e.countRows("spn", "SELECT count(*) FROM admin_events WHERE kind = 'settings.analytics_sharing'"); n != 2 {
		t.Errorf("%d admin events, want 2", n)
	}
}

// TestSharingBadInput: anything but two booleans is a 422 with the
// field's message in the reader's language, and nothing is stored.
func TestSharingBadInput(t *testing.T) {
	e := newCaseEnv(t)
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	a0, s0 := e.sharingStored("spn")
	msgs := map[string]string{"id": "Pilih ya atau tidak (true atau false).", "en": "Choose yes or no (true or false)."}
	for lang, msg := range msgs {
		q := "?lang=" + lang
		for raw, field := range map[string]string{
			`{"anonymous": "yes", "share_company": true}`:  "anonymous",
			`{"anonymous": true}`:                          "share_company",
			`{"anonymous": true, "share_company": null}`:   "share_company",
			`{"anonymous": 1, "share_company": false}`:     "anonymous",
			`{"share_company": "true", "anonymous": true}`: "share_company",
		} {
			resp, text := e.send(http.MethodPut, spnHost, sharingAPI+q, "application/json", strings.NewReader(raw), bearer(admin)...)
			if out := decode(t, text); resp.StatusCode != http.StatusUnprocessableEntity || fieldErrors(out)[field] != msg {
				t.Errorf("%s %s: %d %v", lang, raw, resp.StatusCode, out)
			}
		}
		resp, out := e.putJSON(spnHost, sharingAPI+q, map[string]any{}, bearer(admin)...)
		if f := fieldErrors(out); resp.StatusCode != http.StatusUnprocessableEntity || f["anonymous"] != msg || f["share_company"] != msg {
			t.Errorf("%s empty body: %d %v", lang, resp.StatusCode, out)
		}
		// A hand-made post of the page: the page again, with why.
		resp, body := e.postForm(spnHost, "/admin/sharing"+q, admin, url.Values{"show_name": {"maybe"}, "share_company": {"on"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s page: %d", lang, resp.StatusCode)
		}
		mustContain(t, body, msg, `aria-invalid="true"`, `name="share_company" value="on" aria-describedby="share-company-hint" checked`)
	}
	if a, s := e.sharingStored("spn"); a != a0 || s != s0 {
		t.Errorf("stored %q/%q after refused input, was %q/%q", a, s, a0, s0)
	}
	if n := e.countRows("spn", "SELECT count(*) FROM admin_events WHERE kind = 'settings.analytics_sharing'"); n != 0 {
		t.Errorf("%d admin events after refused input", n)
	}
}

// TestSharingForbidden: branch admins and officers get 403 on the page and
// the API; another union's admin changes only their own union.
func TestSharingForbidden(t *testing.T) {
	e := newCaseEnv(t)
	officer, branch, _ := e.staffTokens()
	a0, s0 := e.sharingStored("spn")
	for name, tok := range map[string]string{"officer": officer, "branch admin": branch} {
		if resp, _ := e.page(spnHost, "/admin/sharing", tok); resp.StatusCode != 403 {
			t.Errorf("%s: page %d", name, resp.StatusCode)
		}
		if resp, _ := e.postForm(spnHost, "/admin/sharing", tok, url.Values{"share_company": {"on"}}); resp.StatusCode != 403 {
			t.Errorf("%s: POST page %d", name, resp.StatusCode)
		}
		if resp, _ := e.getJSON(spnHost, sharingAPI, tok); resp.StatusCode != 403 {
			t.Errorf("%s: GET API %d", name, resp.StatusCode)
		}
		if resp, _ := e.putJSON(spnHost, sharingAPI, map[string]any{"anonymous": true, "share_company": true}, bearer(tok)...); resp.StatusCode != 403 {
			t.Errorf("%s: PUT API %d", name, resp.StatusCode)
		}
	}
	if a, s := e.sharingStored("spn"); a != a0 || s != s0 {
		t.Errorf("a refused request changed spn: %q/%q", a, s)
	}

	gAdmin := e.login(otherHost, map[string]string{"email": "admin@garteks.example", "password": demoPW})
	if resp, out := e.putJSON(otherHost, sharingAPI, map[string]any{"anonymous": true, "share_company": true}, bearer(gAdmin)...); resp.StatusCode != 200 {
		t.Fatalf("garteks admin on garteks: %d %v", resp.StatusCode, out)
	}
	if resp, _ := e.postForm(otherHost, "/admin/sharing", gAdmin, url.Values{"share_company": {"on"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("garteks admin's page on garteks: %d", resp.StatusCode)
	}
	if a, s := e.sharingStored("garteks"); a != "true" || s != "true" {
		t.Errorf("garteks stored %q/%q", a, s)
	}
	if resp, _ := e.putJSON(spnHost, sharingAPI, map[string]any{"anonymous": true, "share_company": true}, bearer(gAdmin)...); resp.StatusCode < 400 {
		t.Errorf("garteks admin on spn: %d", resp.StatusCode)
	}
	if a, s := e.sharingStored("spn"); a != a0 || s != s0 {
		t.Errorf("garteks admin changed spn: %q/%q, was %q/%q", a, s, a0, s0)
	}
	if n := e.countRows("spn", "SELECT count(*) FROM admin_events WHERE kind = 'settings.analytics_sharing'"); n != 0 {
		t.Errorf("%d sharing events in spn", n)
	}
}
