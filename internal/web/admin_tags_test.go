package web_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/workday"
)

const tagsAPI = "/api/v1/admin/tags"

// tagSlugs lists the tags of an API answer by state.
func tagSlugs(t *testing.T, body map[string]any) (active, retired []string) {
	t.Helper()
	list, ok := body["tags"].([]any)
	if !ok {
		t.Fatalf("no tags in %v", body)
	}
	for _, x := range list {
		m := x.(map[string]any)
		if m["active"] == true {
			active = append(active, m["slug"].(string))
		} else {
			retired = append(retired, m["slug"].(string))
		}
	}
	return active, retired
}

// TestAdminTags: a federation admin lists the union's default tags, adds
// one and retires it through the API and through the page, which the
// admin navigation links to; a retired tag is added back by its slug.
func TestAdminTags(t *testing.T) {
	e := newCaseEnv(t)
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})

	resp, body := e.sendJSON("GET", spnHost, tagsAPI, admin, nil)
	active, retired := tagSlugs(t, body)
	if resp.StatusCode != 200 || !slices.Contains(active, "lembur_tidak_dibayar") || len(retired) != 0 {
		t.Fatalf("list: %d active %v retired %v", resp.StatusCode, active, retired)
	}
	resp, body = e.sendJSON("POST", spnHost, tagsAPI, admin, map[string]any{"slug": "lembur_paksa", "name_id": " Lembur  paksa ", "name_en": "Forced overtime"})
	if resp.StatusCode != http.StatusCreated || body["name_id"] != "Lembur paksa" || body["active"] != true {
		t.Fatalf("add: %d %v", resp.StatusCode, body)
	}
	if resp, _ := e.sendJSON("POST", spnHost, tagsAPI+"/lembur_paksa/retire", admin, nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("retire: %d", resp.StatusCode)
	}
	_, body = e.sendJSON("GET", spnHost, tagsAPI, admin, nil)
	if active, retired = tagSlugs(t, body); slices.Contains(active, "lembur_paksa") || !slices.Contains(retired, "lembur_paksa") {
		t.Errorf("after retiring: active %v retired %v", active, retired)
	}
	if n := e.countRows("spn", "SELECT count(*) FROM admin_events WHERE kind IN ('tag.added', 'tag.retired') AND subject = 'lembur_paksa'"); n != 2 {
		t.Errorf("%d admin events", n)
	}

	// The page: reached from the dashboard's and the admin pages' links.
	for _, from := range []string{"/admin/dashboard", "/admin/categories"} {
		if _, page := e.page(spnHost, from, admin); !strings.Contains(page, `href="/admin/tags"`) {
			t.Errorf("%s does not link to the tags page", from)
		}
	}
	resp, page := e.page(spnHost, "/admin/tags", admin)
	if resp.StatusCode != 200 {
		t.Fatalf("page: %d", resp.StatusCode)
	}
	mustContain(t, page, "<code>lembur_tidak_dibayar</code>", "BPJS kesehatan", "Lembur paksa", "Tag yang dipensiunkan")
	// Added back through the form: restored with the new labels.
	resp, _ = e.postForm(spnHost, "/admin/tags", admin, url.Values{"slug": {"lembur_paksa"}, "name_id": {"Lembur dipaksa"}, "name_en": {"Forced overtime"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/tags?done=added" {
		t.Fatalf("page add: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page = e.page(spnHost, "/admin/tags?done=added&lang=en", admin)
	mustContain(t, page, "Tag added.", "Forced overtime")
	resp, _ = e.postForm(spnHost, "/admin/tags/retire", admin, url.Values{"slug": {"lembur_paksa"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("page retire: %d", resp.StatusCode)
	}
	if n := e.countRows("spn", "SELECT count(*) FROM tags WHERE slug = 'lembur_paksa' AND retired_at IS NOT NULL AND name_id = 'Lembur dipaksa'"); n != 1 {
		t.Errorf("page changes not stored: %d", n)
	}
}

// TestAdminTagsBadInput: a refused tag is 422 with the reason in the
// caller's language and stores nothing; an active slug is 409; only a
// federation admin may read or change the vocabulary (a branch admin,
// officer or worker 403, signed out 401), on the API and the page.
func TestAdminTagsBadInput(t *testing.T) {
	e := newCaseEnv(t)
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	branch := e.login(spnHost, map[string]string{"email": "branch@spn.example", "password": demoPW})
	officer := e.login(spnHost, map[string]string{"email": "officer@spn.example", "password": demoPW})
	worker := e.login(spnHost, map[string]string{"phone": "081200000001", "password": demoPW})
	count := func() int { return e.countRows("spn", "SELECT count(*) FROM tags") }
	n0 := count()
	for _, c := range []struct {
		name, body, field string
		want              map[string]string // language → message
	}{
		{"bad slug", `{"slug":"Bad Slug!","name_id":"x","name_en":"x"}`, "slug",
			map[string]string{"id": "Gunakan 2 sampai 40 huruf kecil", "en": "Use 2 to 40 lowercase letters"}},
		{"no label", `{"slug":"baru","name_id":"  ","name_en":"New"}`, "name_id",
			map[string]string{"id": "Wajib diisi", "en": "This is required"}},
		{"long label", `{"slug":"baru","name_id":"Baru","name_en":"` + strings.Repeat("x", 101) + `"}`, "name_en",
			map[string]string{"id": "", "en": ""}},
		{"control character", `{"slug":"baru","name_id":"Ba\u0007ru","name_en":"New"}`, "name_id",
			map[string]string{"id": "", "en": ""}},
		{"wrong type", `{"slug":5}`, "slug", map[string]string{"id": "", "en": ""}},
	} {
		for lang, msg := range c.want {
			resp, text := e.send("POST", spnHost, tagsAPI, "application/json", strings.NewReader(c.body), append(bearer(admin), "Accept-Language", lang)...)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text, `"`+c.field+`"`) || !strings.Contains(text, msg) {
				t.Errorf("%s (%s): %d %s", c.name, lang, resp.StatusCode, text)
			}
		}
	}
	if resp, body := e.sendJSON("POST", spnHost, tagsAPI, admin, map[string]any{"slug": "lembur", "name_id": "Lembur", "name_en": "Overtime"}); resp.StatusCode != http.StatusConflict {
		t.Errorf("active slug: %d %v", resp.StatusCode, body)
	}
	if resp, _ := e.sendJSON("POST", spnHost, tagsAPI+"/tidak_ada/retire", admin, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("retire unknown: %d", resp.StatusCode)
	}
	resp, page := e.postForm(spnHost, "/admin/tags", admin, url.Values{"slug": {"Bad Slug!"}, "name_id": {""}, "name_en": {"x"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Wajib diisi") || !strings.Contains(page, `value="Bad Slug!"`) {
		t.Errorf("page bad input: %d", resp.StatusCode)
	}
	if got := count(); got != n0 {
		t.Errorf("refused input stored tags: %d, want %d", got, n0)
	}

	for name, tok := range map[string]string{"signed out": "", "worker": worker, "officer": officer, "branch admin": branch} {
		want := 403
		if tok == "" {
			want = 401
		}
		if resp, _ := e.sendJSON("GET", spnHost, tagsAPI, tok, nil); resp.StatusCode != want {
			t.Errorf("%s lists: %d, want %d", name, resp.StatusCode, want)
		}
		if resp, _ := e.sendJSON("POST", spnHost, tagsAPI, tok, map[string]any{"slug": "dilarang", "name_id": "x", "name_en": "x"}); resp.StatusCode != want {
			t.Errorf("%s adds: %d, want %d", name, resp.StatusCode, want)
		}
		if resp, _ := e.sendJSON("POST", spnHost, tagsAPI+"/lembur/retire", tok, nil); resp.StatusCode != want {
			t.Errorf("%s retires: %d, want %d", name, resp.StatusCode, want)
		}
		if resp, _ := e.page(spnHost, "/admin/tags", tok); resp.StatusCode != want {
			t.Errorf("%s opens the page: %d, want %d", name, resp.StatusCode, want)
		}
	}
	if n := e.countRows("spn", "SELECT count(*) FROM tags WHERE slug = 'dilarang' OR retired_at IS NOT NULL"); n != 0 {
		t.Errorf("refused changes stored: %d", n)
	}
}

// TestAdminTagsCrossTenant: garteks's admin sees garteks's tags only,
// cannot retire a tag only spn has (404), retiring its own leaves spn's as
// it is, and its token is no good on spn's host.
func TestAdminTagsCrossTenant(t *testing.T) {
	e := newCaseEnv(t)
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	gAdmin := e.login(otherHost, map[string]string{"email": "admin@garteks.example", "password": demoPW})
	if resp, body := e.sendJSON("POST", spnHost, tagsAPI, admin, map[string]any{"slug": "hanya_spn", "name_id": "Hanya SPN", "name_en": "SPN only"}); resp.StatusCode != http.StatusCreated {
		t.Fatalf("add: %d %v", resp.StatusCode, body)
	}
	_, body := e.sendJSON("GET", spnHost, tagsAPI, gAdmin, nil)
	if body["tags"] != nil {
		t.Errorf("garteks token on spn listed: %v", body)
	}
	_, body = e.sendJSON("GET", otherHost, tagsAPI, gAdmin, nil)
	if active, _ := tagSlugs(t, body); slices.Contains(active, "hanya_spn") || !slices.Contains(active, "lembur") {
		t.Errorf("garteks sees %v", active)
	}
	if resp, _ := e.sendJSON("POST", otherHost, tagsAPI+"/hanya_spn/retire", gAdmin, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("garteks retires spn's tag: %d, want 404", resp.StatusCode)
	}
	if resp, _ := e.postForm(otherHost, "/admin/tags/retire", gAdmin, url.Values{"slug": {"hanya_spn"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("garteks retires spn's tag by the page: %d, want 404", resp.StatusCode)
	}
	if resp, _ := e.sendJSON("POST", spnHost, tagsAPI+"/hanya_spn/retire", gAdmin, nil); resp.StatusCode < 400 {
		t.Errorf("garteks token on spn's host: %d", resp.StatusCode)
	}
	if resp, _ := e.sendJSON("POST", otherHost, tagsAPI+"/lembur/retire", gAdmin, nil); resp.StatusCode != http.StatusNoContent {
		t.Errorf("garteks retires its own: %d", resp.StatusCode)
	}
	if n := e.countRows("spn", "SELECT count(*) FROM tags WHERE retired_at IS NOT NULL"); n != 0 {
		t.Errorf("spn tags retired from garteks: %d", n)
	}
}

// TestDashboardCalendarWarning: the admin dashboard warns, in the reader's
// language, when the holiday calendar's movable-holiday data ends within
// workday.WarnBefore, and after it has ended; not while it runs far
// enough. The case service's clock is the app's: the test sets it.
func TestDashboardCalendarWarning(t *testing.T) {
	e := newCaseEnv(t)
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	svc := e.pf.Cases
	defer func() { svc.Now = time.Now }()
	end := svc.Calendar.DataEnd()
	if end.IsZero() {
		t.Fatal("no holiday data loaded")
	}
	endText := end.Format(time.DateOnly)
	for _, c := range []struct {
		name string
		now  time.Time
		want map[string]string // language → text; nil: no warning
	}{
		{"far ahead", end.Add(-workday.WarnBefore - 48*time.Hour), nil},
		{"within 90 days", end.Add(-30 * 24 * time.Hour), map[string]string{
			"id": "Kalender hari libur hanya mencakup tanggal sampai " + endText,
			"en": "The holiday calendar covers dates up to " + endText}},
		{"ended", end.AddDate(0, 1, 0), map[string]string{
			"id": "Kalender hari libur berakhir pada " + endText,
			"en": "The holiday calendar ended on " + endText}},
	} {
		now := c.now
		svc.Now = func() time.Time { return now }
		for _, lang := range []string{"id", "en"} {
			resp, page := e.page(spnHost, "/admin/dashboard?lang="+lang, admin)
			if resp.StatusCode != 200 {
				t.Fatalf("%s: dashboard %d", c.name, resp.StatusCode)
			}
			shown := strings.Contains(page, `id="calendar-warning"`)
			if c.want == nil {
				if shown {
					t.Errorf("%s (%s): warning shown", c.name, lang)
				}
				continue
			}
			if !shown || !strings.Contains(page, c.want[lang]) {
				t.Errorf("%s (%s): warning missing or wrong (shown %v)", c.name, lang, shown)
			}
		}
	}
}

// suggestedCase files a worker's overtime complaint at an spn workplace
// with a pending suggestion (jam_kerja, normal, tagged lembur) and signs
// the federation admin in.
func suggestedCase(t *testing.T, workplace string) (e *env, admin, id string) {
	t.Helper()
	e = newCaseEnv(t)
	admin = e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	worker := e.login(spnHost, map[string]string{"phone": "081200000001", "password": demoPW})
	id = e.file(spnHost, worker, map[string]any{"type": "complaint", "workplace_id": e.workplaceID("spn", workplace),
		"description": "Lembur setiap hari sampai malam tapi upah lembur tidak dibayar."})["id"].(string)
	if err := e.pf.Cases.SaveSuggestion(context.Background(), e.tenantID("spn"), &cases.Suggestion{CaseID: uuid.MustParse(id),
		Model: "test", Version: "1", CategorySlug: "jam_kerja", Confidence: 0.9, Tags: []string{"lembur"}, Urgency: "normal",
		Type: "complaint", Language: "id"}); err != nil {
		t.Fatal(err)
	}
	return e, admin, id
}

// TestSuggestionCorrectionTags: the staff case page lists the union's
// active tags beside the correction form, and a correction that names a
// tag the union does not have, or has retired, is refused (422, in the
// reader's language) on the page and the API, leaving the suggestion
// pending; one with active tags is taken.
func TestSuggestionCorrectionTags(t *testing.T) {
	e, admin, id := suggestedCase(t, "pt-maju-jaya-garmen")
	if resp, _ := e.sendJSON("POST", spnHost, tagsAPI+"/lembur_tidak_dibayar/retire", admin, nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("retire: %d", resp.StatusCode)
	}
	_, page := e.page(spnHost, "/cases/"+id, admin)
	// The picker: a box per active tag, the suggestion's own ticked and
	// shown, the others folded under "Tag lain".
	mustContain(t, page, `id="sg-tags-hint"`, `<input type="checkbox" name="tags" value="lembur" checked> Lembur</label>`)
	if other := page[strings.Index(page, `<summary>Tag lain</summary>`)+1:]; !strings.Contains(other, `<input type="checkbox" name="tags" value="upah_terlambat">`) ||
		strings.Contains(other, `value="lembur" checked`) {
		t.Error("the other tags are not folded under Tag lain, or the ticked one is among them")
	}
	if strings.Contains(page, `value="lembur_tidak_dibayar"`) {
		t.Error("a retired tag is offered")
	}
	for _, tags := range []string{"lembur, lembur_tidak_dibayar", "lembur, tidak_ada"} {
		for lang, msg := range map[string]string{"id": "Pilih hanya tag aktif serikat ini.", "en": "Choose only active tags of this union."} {
			resp, text := e.send("POST", spnHost, "/api/v1/cases/"+id+"/suggestion", "application/json",
				strings.NewReader(`{"category":"jam_kerja","urgency":"high","tags":["`+strings.ReplaceAll(tags, ", ", `","`)+`"]}`),
				append(bearer(admin), "Accept-Language", lang)...)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text, msg) {
				t.Errorf("API %q (%s): %d %s", tags, lang, resp.StatusCode, text)
			}
		}
		resp, page := e.postForm(spnHost, "/cases/"+id+"/suggestion", admin, url.Values{"decision": {"correct"}, "category": {"jam_kerja"},
			"urgency": {"high"}, "tags": {tags}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Pilih hanya tag aktif serikat ini.") {
			t.Errorf("page %q: %d", tags, resp.StatusCode)
		}
	}
	if n := e.countRows("spn", "SELECT count(*) FROM case_suggestions WHERE status = 'pending'"); n != 1 {
		t.Errorf("refused corrections decided the suggestion: %d pending", n)
	}
	// Two boxes ticked: one value each, as the browser sends them.
	if resp, _ := e.postForm(spnHost, "/cases/"+id+"/suggestion", admin, url.Values{"decision": {"correct"}, "category": {"jam_kerja"},
		"urgency": {"high"}, "tags": {"lembur", "upah_terlambat"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("correction with two ticked tags: %d", resp.StatusCode)
	}
	if got := e.countRows("spn", "SELECT count(*) FROM cases WHERE id = '"+id+"' AND tags = '{lembur,upah_terlambat}' AND urgency = 'high'"); got != 1 {
		t.Error("the ticked tags are not the case's tags")
	}
}

// TestSuggestionCorrectionNoTagTicked: a correction sent with every tag
// box unticked leaves the case with no tags (the picker's set is the
// case's), not with the suggestion's.
func TestSuggestionCorrectionNoTagTicked(t *testing.T) {
	e, admin, id := suggestedCase(t, "pt-maju-jaya-garmen")
	if resp, _ := e.postForm(spnHost, "/cases/"+id+"/suggestion", admin, url.Values{"decision": {"correct"}, "category": {"jam_kerja"},
		"urgency": {"normal"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("correction with no tag ticked: %d", resp.StatusCode)
	}
	if got := e.countRows("spn", "SELECT count(*) FROM cases WHERE id = '"+id+"' AND tags = '{}'"); got != 1 {
		t.Error("the case kept the suggestion's tags though none was ticked")
	}
	if got := e.countRows("spn", "SELECT count(*) FROM case_suggestions WHERE status = 'corrected'"); got != 1 {
		t.Errorf("suggestion not corrected: %d", got)
	}
}

// TestSuggestionCorrectionRefusesOutsiders: the correction form posted by
// another union's admin (on its own host and on spn's) or by an officer of
// another branch changes nothing: the suggestion stays pending and the
// case keeps its tags.
func TestSuggestionCorrectionRefusesOutsiders(t *testing.T) {
	e, _, id := suggestedCase(t, "pt-kharisma-sepatu-nusantara")
	gAdmin := e.login(otherHost, map[string]string{"email": "admin@garteks.example", "password": demoPW})
	officer := e.login(spnHost, map[string]string{"email": "officer@spn.example", "password": demoPW})
	form := url.Values{"decision": {"correct"}, "category": {"jam_kerja"}, "urgency": {"critical"}, "tags": {"upah_terlambat"}}
	for _, try := range []struct{ name, host, token string }{
		{"garteks admin on its own host", otherHost, gAdmin},
		{"garteks admin on spn's host", spnHost, gAdmin},
		{"spn officer of another branch", spnHost, officer},
	} {
		if resp, _ := e.postForm(try.host, "/cases/"+id+"/suggestion", try.token, form); resp.StatusCode < 400 {
			t.Errorf("%s: %d, want refused", try.name, resp.StatusCode)
		}
	}
	if n := e.countRows("spn", "SELECT count(*) FROM case_suggestions WHERE status = 'pending'"); n != 1 {
		t.Errorf("outsiders decided the suggestion: %d pending", n)
	}
	if n := e.countRows("spn", "SELECT count(*) FROM cases WHERE id = '"+id+"' AND tags = '{}' AND urgency <> 'critical'"); n != 1 {
		t.Error("outsiders changed the case")
	}
}
