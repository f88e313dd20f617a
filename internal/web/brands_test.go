package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

const brandsAPI = "/api/v1/admin/brands"

// caseBrands reads a case's stored brands.
func (e *env) caseBrands(id string) string {
	e.t.Helper()
	var out []string
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT buyer_brands FROM cases WHERE id = ?", id).Scan(pgdialect.Array(&out))
	})
	return strings.Join(out, ",")
}

// The brand directory: reached from the admin pages; a brand added by
// the page is normalised, a duplicate is a conflict, bad input a 422 in
// the caller's language with no row written; a name typed on a case shows
// as unlisted and is merged into a directory brand (the case follows);
// retiring keeps the case's slug; a workplace gets its default brands,
// certification and mill. Officers and branch admins cannot change it;
// another union neither sees nor changes it.
func TestBrandDirectory(t *testing.T) {
	e := newCaseEnv(t)
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	officer := e.login(spnHost, map[string]string{"email": "officer@spn.example", "password": demoPW})
	branch := e.login(spnHost, map[string]string{"email": "branch@spn.example", "password": demoPW})
	worker := e.login(spnHost, map[string]string{"phone": "081200000001", "password": demoPW})
	other := e.login(otherHost, map[string]string{"email": "admin@garteks.example", "password": demoPW})
	wp := e.workplaceID("spn", "pt-maju-jaya-garmen")

	// Clicked from the admin pages.
	if _, body := e.page(spnHost, "/admin/categories", admin); !strings.Contains(body, `href="/admin/brands"`) {
		t.Fatal("the admin pages do not link the brand directory")
	}
	resp, body := e.page(spnHost, "/admin/brands", admin)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("brands page: %d", resp.StatusCode)
	}
	mustContain(t, body, "<h1>Merek</h1>", `action="/admin/brands"`, "Tempat kerja")

	resp, _ = e.postForm(spnHost, "/admin/brands", admin, url.Values{"name": {"H&M"}, "kind": {"brand"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/brands?done=added" {
		t.Fatalf("add: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = e.page(spnHost, "/admin/brands?done=added", admin)
	mustContain(t, body, "Merek ditambahkan.", "<code>h-and-m</code>")

	// The same brand typed otherwise is the same slug: a conflict.
	resp, out := e.sendJSON("POST", spnHost, brandsAPI, admin, map[string]any{"name": " h & m "})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("duplicate: %d %v", resp.StatusCode, out)
	}
	before := e.countRows("spn", "SELECT count(*) FROM brands")
	for lang, want := range map[string]string{"id": "Wajib diisi", "en": "This is required"} {
		resp, text := e.send("POST", spnHost, brandsAPI, "application/json", strings.NewReader(`{"name":"  "}`),
			append(bearer(admin), "Accept-Language", lang)...)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text, want) {
			t.Errorf("empty name (%s): %d %s", lang, resp.StatusCode, text)
		}
	}
	resp, text := e.send("POST", spnHost, brandsAPI, "application/json", strings.NewReader(`{"name":"RSPO","kind":"auditor"}`),
		append(bearer(admin), "Accept-Language", "en")...)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text, "Not a valid choice") {
		t.Errorf("bad kind: %d %s", resp.StatusCode, text)
	}
	resp, body = e.postForm(spnHost, "/admin/brands", admin, url.Values{"name": {""}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Wajib diisi") {
		t.Errorf("page empty name: %d", resp.StatusCode)
	}
	if n := e.countRows("spn", "SELECT count(*) FROM brands"); n != before {
		t.Errorf("refused input wrote %d brands", n-before)
	}

	// Free text on a case: unlisted until merged.
	id := e.file(spnHost, worker, map[string]any{"type": "complaint", "workplace_id": wp, "description": "Lembur tidak dibayar untuk pesanan.",
		"buyer_brands": []string{"Nike Inc."}})["id"].(string)
	resp, dir := e.getJSON(spnHost, brandsAPI, admin)
	if resp.StatusCode != 200 || !strings.Contains(mustJSON(dir["unlisted"]), `"slug":"nike"`) {
		t.Fatalf("unlisted: %d %v", resp.StatusCode, dir)
	}
	resp, _ = e.postForm(spnHost, "/admin/brands/merge", admin, url.Values{"from": {"nike"}, "into": {"h-and-m"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("merge: %d", resp.StatusCode)
	}
	if got := e.caseBrands(id); got != "h-and-m" {
		t.Errorf("merged case names %q", got)
	}
	resp, out = e.sendJSON("POST", spnHost, brandsAPI+"/merge", admin, map[string]any{"from": "zara", "into": "no-such-brand"})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("merge into unknown: %d %v", resp.StatusCode, out)
	}

	// Retired: no longer offered, the case keeps it.
	resp, _ = e.postForm(spnHost, "/admin/brands/retire", admin, url.Values{"slug": {"h-and-m"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("retire: %d", resp.StatusCode)
	}
	if got := e.caseBrands(id); got != "h-and-m" {
		t.Errorf("retiring changed the case: %q", got)
	}
	if resp, _ := e.sendJSON("POST", spnHost, brandsAPI+"/h-and-m/retire", admin, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("retire twice: %d", resp.StatusCode)
	}

	// A workplace's context.
	resp, out = e.sendJSON("PUT", spnHost, "/api/v1/admin/workplaces/"+wp+"/brands", admin,
		map[string]any{"certification": "rspo", "mill": "PKS Sei Mangkei", "default_brands": []string{"Adidas, Puma"}})
	if resp.StatusCode != 200 || mustJSON(out["default_brands"]) != `["adidas","puma"]` || out["certification"] != "rspo" {
		t.Errorf("workplace context: %d %v", resp.StatusCode, out)
	}
	resp, out = e.sendJSON("PUT", spnHost, "/api/v1/admin/workplaces/"+wp+"/brands", admin, map[string]any{"certification": "fsc"})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad certification: %d %v", resp.StatusCode, out)
	}
	resp, _ = e.postForm(spnHost, "/admin/brands/workplaces/"+wp, admin, url.Values{"default_brands": {"Uniqlo"}, "certification": {""}, "mill": {""}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("workplace form: %d", resp.StatusCode)
	}

	// Who may: officers and branch admins (held below the union root) cannot.
	for who, tok := range map[string]string{"officer": officer, "branch admin": branch} {
		if resp, _ := e.getJSON(spnHost, brandsAPI, tok); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s reads the directory: %d", who, resp.StatusCode)
		}
		if resp, _ := e.sendJSON("POST", spnHost, brandsAPI, tok, map[string]any{"name": "Gap"}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s adds a brand: %d", who, resp.StatusCode)
		}
		if resp, _ := e.postForm(spnHost, "/admin/brands", tok, url.Values{"name": {"Gap"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s adds a brand by the page: %d", who, resp.StatusCode)
		}
	}
	// Another union: its own empty directory; SPN's workplace is unknown there.
	resp, dir = e.getJSON(otherHost, brandsAPI, other)
	if resp.StatusCode != 200 || strings.Contains(mustJSON(dir), "h-and-m") || strings.Contains(mustJSON(dir), "nike") {
		t.Errorf("garteks sees SPN's brands: %d %v", resp.StatusCode, dir)
	}
	if resp, _ := e.sendJSON("PUT", otherHost, "/api/v1/admin/workplaces/"+wp+"/brands", other, map[string]any{"mill": "x"}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("garteks changes SPN's workplace: %d", resp.StatusCode)
	}
	if resp, _ := e.getJSON(spnHost, brandsAPI, other); resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden {
		t.Errorf("garteks token on SPN: %d", resp.StatusCode)
	}
}

var sharedLinkRe = regexp.MustCompile(`value="(https?://[^"]+/shared/[A-Za-z0-9_-]{43})"`)

// A redacted packet for a brand: only when the union chose it, only with
// the reporter's consent, never naming the reporter (even one who agreed
// to be named to mediators), by a link that stops working when consent is
// withdrawn or the link revoked, and only on the union's own host.
// Officers (no case export) and other unions cannot make one.
func TestBrandPacketShare(t *testing.T) {
	e := newCaseEnv(t)
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	officer := e.login(spnHost, map[string]string{"email": "officer@spn.example", "password": demoPW})
	branch := e.login(spnHost, map[string]string{"email": "branch@spn.example", "password": demoPW})
	worker := e.login(spnHost, map[string]string{"phone": "081200000001", "password": demoPW})
	other := e.login(otherHost, map[string]string{"email": "admin@garteks.example", "password": demoPW})
	wp := e.workplaceID("spn", "pt-maju-jaya-garmen")
	id := e.file(spnHost, worker, map[string]any{"type": "complaint", "workplace_id": wp,
		"description": "Buruh harian dipaksa lembur tanpa upah untuk pesanan ekspor."})["id"].(string)
	var name, phone string
	_ = e.db.Super.QueryRowContext(context.Background(), "SELECT u.name, u.phone FROM users u JOIN cases c ON c.reporter_user_id = u.id WHERE c.id = ?", id).Scan(&name, &phone)
	if resp, _ := e.sendJSON("POST", spnHost, brandsAPI, admin, map[string]any{"name": "RSPO", "kind": "certification_body"}); resp.StatusCode != 201 {
		t.Fatalf("add RSPO: %d", resp.StatusCode)
	}
	shares := "/cases/" + id + "/brand-shares"

	// Clicked from the staff case page.
	if _, body := e.page(spnHost, "/cases/"+id, admin); !strings.Contains(body, `href="`+shares+`"`) {
		t.Fatal("the case page does not link brand sharing")
	}
	resp, body := e.page(spnHost, shares, admin)
	if resp.StatusCode != 200 {
		t.Fatalf("shares page: %d", resp.StatusCode)
	}
	mustContain(t, body, "Serikat tidak berbagi ringkasan kasus dengan merek.", "Pelapor belum setuju")

	// The union has not chosen to share.
	resp, out := e.sendJSON("POST", spnHost, "/api/v1"+shares, admin, map[string]any{"brand": "rspo"})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(mustJSON(out), "nyalakan") {
		t.Errorf("share while off: %d %v", resp.StatusCode, out)
	}
	if resp, _ := e.postForm(spnHost, "/admin/brands/packets", admin, url.Values{"packets": {"on"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("turn on: %d", resp.StatusCode)
	}
	if resp, _ := e.postForm(spnHost, "/admin/brands/packets", admin, url.Values{"packets": {"maybe"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad switch: %d", resp.StatusCode)
	}
	// No consent yet.
	resp, out = e.sendJSON("POST", spnHost, "/api/v1"+shares, admin, map[string]any{"brand": "rspo"})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("share without consent: %d %v", resp.StatusCode, out)
	}
	// The reporter agrees on their case page (and to be named to mediators).
	if _, body := e.page(spnHost, "/cases/"+id, worker); !strings.Contains(body, `action="/cases/`+id+`/brand-consent"`) {
		t.Fatal("the reporter's case page has no brand consent form")
	}
	if resp, _ := e.postForm(spnHost, "/cases/"+id+"/brand-consent", worker, url.Values{"share": {"yes"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("consent: %d", resp.StatusCode)
	}
	if resp, _ := e.postForm(spnHost, "/cases/"+id+"/share-consent", worker, url.Values{"share_identity": {"yes"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("identity consent: %d", resp.StatusCode)
	}
	// Bad input, and who may not.
	for lang, want := range map[string]string{"id": "Pilihan tidak valid", "en": "Not a valid choice"} {
		resp, text := e.send("POST", spnHost, "/api/v1"+shares, "application/json", strings.NewReader(`{"brand":"nike"}`),
			append(bearer(admin), "Accept-Language", lang)...)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text, want) {
			t.Errorf("unknown brand (%s): %d %s", lang, resp.StatusCode, text)
		}
	}
	for who, tok := range map[string]string{"officer": officer, "branch admin": branch} {
		if resp, _ := e.sendJSON("POST", spnHost, "/api/v1"+shares, tok, map[string]any{"brand": "rspo"}); resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s shares: %d", who, resp.StatusCode)
		}
	}
	if resp, _ := e.sendJSON("POST", otherHost, "/api/v1"+shares, other, map[string]any{"brand": "rspo"}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("garteks shares SPN's case: %d", resp.StatusCode)
	}
	if n := e.countRows("spn", "SELECT count(*) FROM case_brand_shares"); n != 0 {
		t.Fatalf("refusals wrote %d shares", n)
	}

	// Shared by the page: the link is shown once.
	resp, body = e.postForm(spnHost, shares, admin, url.Values{"brand": {"rspo"}})
	m := sharedLinkRe.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusCreated || m == nil {
		t.Fatalf("share: %d %s", resp.StatusCode, body)
	}
	link, _ := url.Parse(m[1])
	resp, packet := e.get(spnHost, link.Path)
	if resp.StatusCode != 200 {
		t.Fatalf("open the link: %d", resp.StatusCode)
	}
	mustContain(t, packet, "Dibagikan kepada RSPO", "dipaksa lembur tanpa upah")
	for _, leak := range []string{name, phone, strings.TrimPrefix(phone, "+62")} {
		if leak != "" && strings.Contains(packet, leak) {
			t.Errorf("the brand's packet names the reporter (%q)", leak)
		}
	}
	if resp, _ := e.get(otherHost, link.Path); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the link opens on another union's host: %d", resp.StatusCode)
	}
	if resp, _ := e.get(spnHost, "/shared/"+strings.Repeat("A", 43)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a made-up link: %d", resp.StatusCode)
	}
	// Consent withdrawn: the link stops; given again: it works.
	if resp, _ := e.sendJSON("PUT", spnHost, "/api/v1/cases/"+id+"/brand-consent", worker, map[string]any{"share": false}); resp.StatusCode != 200 {
		t.Fatalf("withdraw: %d", resp.StatusCode)
	}
	if resp, _ := e.get(spnHost, link.Path); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the link works after consent was withdrawn: %d", resp.StatusCode)
	}
	if resp, _ := e.sendJSON("PUT", spnHost, "/api/v1/cases/"+id+"/brand-consent", worker, map[string]any{"share": "ya"}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad consent: %d", resp.StatusCode)
	}
	if resp, _ := e.sendJSON("PUT", spnHost, "/api/v1/cases/"+id+"/brand-consent", worker, map[string]any{"share": true}); resp.StatusCode != 200 {
		t.Fatalf("consent again: %d", resp.StatusCode)
	}
	if resp, _ := e.get(spnHost, link.Path); resp.StatusCode != 200 {
		t.Errorf("the link after consent again: %d", resp.StatusCode)
	}
	// Revoked: it stops for good.
	resp, list := e.getJSON(spnHost, "/api/v1"+shares, admin)
	items, _ := list["shares"].([]any)
	if resp.StatusCode != 200 || len(items) != 1 {
		t.Fatalf("list shares: %d %v", resp.StatusCode, list)
	}
	shareID := items[0].(map[string]any)["id"].(string)
	if resp, _ := e.postForm(spnHost, shares+"/"+shareID+"/revoke", admin, url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if resp, _ := e.get(spnHost, link.Path); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the link works after revoking: %d", resp.StatusCode)
	}
	// The timeline records the share; the reporter sees their consent only.
	if n := e.countRows("spn", "SELECT count(*) FROM case_events WHERE case_id = ? AND kind = 'brand_shared' AND visibility = 'internal'", id); n != 1 {
		t.Errorf("%d brand_shared events", n)
	}
}

// The platform's view by brand: a brand under k is left out, key and all;
// bad parameters are a 422 in both languages; the console page is linked
// from the console overview.
func TestPlatformBrandView(t *testing.T) {
	e := newCaseEnv(t)
	worker := e.login(spnHost, map[string]string{"phone": "081200000001", "password": demoPW})
	wp := e.workplaceID("spn", "pt-maju-jaya-garmen")
	for i := 0; i < 6; i++ {
		e.file(spnHost, worker, map[string]any{"type": "complaint", "workplace_id": wp, "description": "Target produksi dinaikkan tanpa upah tambahan.",
			"buyer_brands": []string{"Adidas"}})
	}
	for i := 0; i < 2; i++ {
		e.file(spnHost, worker, map[string]any{"type": "complaint", "workplace_id": wp, "description": "Target produksi dinaikkan tanpa upah tambahan.",
			"buyer_brands": []string{"Zalora Rare"}})
	}
	e.rollup()
	ilo := e.login(platformHost, map[string]string{"email": "ilo@platform.example", "password": demoPW})
	resp, v := e.getJSON(platformHost, "/api/v1/platform/brands?from=2024-01&to=2030-12", ilo)
	if resp.StatusCode != 200 {
		t.Fatalf("brand view: %d %v", resp.StatusCode, v)
	}
	text := mustJSON(v)
	if !strings.Contains(text, `"brand":"adidas"`) || strings.Contains(text, "zalora") {
		t.Errorf("brand view: %s", text)
	}
	for lang, want := range map[string]string{"id": "isian", "en": "field"} {
		for _, q := range []string{"by=title", "by=gender&sector=garment", "from=2026-02&to=2026-06"} {
			resp, body := e.get(platformHost, "/api/v1/platform/brands?"+q, append(bearer(ilo), "Accept-Language", lang)...)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(strings.ToLower(body), want) {
				t.Errorf("%s (%s): %d %s", q, lang, resp.StatusCode, body)
			}
		}
	}
	if resp, _ := e.getJSON(platformHost, "/api/v1/platform/brands", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("signed out: %d", resp.StatusCode)
	}
	if resp, _ := e.getJSON(spnHost, "/api/v1/platform/brands", worker); resp.StatusCode != http.StatusNotFound {
		t.Errorf("on a union's host: %d", resp.StatusCode)
	}
	_, overview := e.page(platformHost, "/console", ilo)
	if !strings.Contains(overview, `href="/console/brands"`) {
		t.Fatal("the console does not link the brand view")
	}
	resp, page := e.page(platformHost, "/console/brands?from=2024-01&to=2030-12", ilo)
	if resp.StatusCode != 200 || !strings.Contains(page, "adidas") || strings.Contains(page, "zalora") {
		t.Errorf("console brand page: %d", resp.StatusCode)
	}
	if resp, _ := e.page(platformHost, "/console/brands?by=title", ilo); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("console bad by: %d", resp.StatusCode)
	}
}
