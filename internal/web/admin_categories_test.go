package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/suara-id/suara/internal/app"
	"github.com/suara-id/suara/internal/cases"
)

const adminCats = "/api/v1/admin/categories"

// categoryID returns the id of a category by slug.
func (e *env) categoryID(slug, cat string) string {
	e.t.Helper()
	var id string
	e.inTenant(slug, func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT id::text FROM categories WHERE slug = ?", cat).Scan(&id)
	})
	return id
}

func (e *env) sendJSON(method, host, path, tok string, body any) (*http.Response, map[string]any) {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		r = strings.NewReader(mustJSON(body))
	}
	resp, text := e.send(method, host, path, "application/json", r, bearer(tok)...)
	return resp, decode(e.t, text)
}

// mustJSON encodes v; a string is sent as it is (for malformed bodies).
func mustJSON(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// adminSlugs lists the tenant's category slugs in the admin list's order.
func adminSlugs(t *testing.T, body map[string]any) []string {
	t.Helper()
	var out []string
	for _, c := range body["categories"].([]any) {
		out = append(out, c.(map[string]any)["slug"].(string))
	}
	return out
}

// TestAdminCategories drives creating, renaming, nesting, reordering,
// hiding, merging and deleting categories through the API, and checks that
// the worker's filing form and the classifier input follow at once.
func TestAdminCategories(t *testing.T) {
	e := newCaseEnv(t)
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	worker := e.login(spnHost, map[string]string{"phone": "081200000001", "password": demoPW})

	// Create under a parent.
	resp, body := e.postJSON(spnHost, adminCats, map[string]any{
		"slug": "lembur_paksa", "name_id": "Lembur dipaksa", "name_en": "Forced overtime", "parent_id": e.categoryID("spn", "jam_kerja"),
		"sla_first_response_days": 2, "sla_resolution_days": 20, "keywords": []string{"lembur paksa", " "},
		"notice_id": "Lembur wajib dengan persetujuan pekerja.", "sectors": []string{"garment"},
	}, bearer(admin)...)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %v", resp.StatusCode, body)
	}
	newID := body["id"].(string)
	if kw := body["keywords"].([]any); len(kw) != 1 {
		t.Errorf("blank keyword kept: %v", kw)
	}
	// The worker's form shows it at once, with its notice.
	_, form := e.page(spnHost, "/cases/new", worker)
	mustContain(t, form, "Lembur dipaksa", "Lembur wajib dengan persetujuan pekerja.")
	// Nested: listed right after its parent, one level down.
	_, list := e.getJSON(spnHost, adminCats, admin)
	slugs := adminSlugs(t, list)
	for i, s := range slugs {
		if s == "jam_kerja" && (i+1 >= len(slugs) || slugs[i+1] != "lembur_paksa") {
			t.Errorf("child not after parent: %v", slugs)
		}
	}

	// Rename in both languages; the classifier input changes with it.
	pf, err := app.NewServer(context.Background(), e.cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), e.db.App)
	if err != nil {
		t.Fatal(err)
	}
	filed := e.file(spnHost, worker, map[string]any{"type": "complaint", "description": "Kami dipaksa lembur setiap malam tanpa bayaran.",
		"category_id": newID, "workplace_id": e.workplaceID("spn", "pt-maju-jaya-garmen")})
	caseID := uuid.MustParse(filed["id"].(string))
	before, err := pf.Cases.ClassificationInput(context.Background(), e.tenantID("spn"), caseID)
	if err != nil {
		t.Fatal(err)
	}
	resp, body = e.sendJSON("PATCH", spnHost, adminCats+"/"+newID, admin, map[string]any{
		"name_id": "Lembur tanpa persetujuan", "name_en": "Overtime without consent", "examples": []string{"Disuruh lembur sampai jam 11 malam"}})
	if resp.StatusCode != http.StatusOK || body["name_en"] != "Overtime without consent" || body["slug"] != "lembur_paksa" {
		t.Fatalf("rename: %d %v", resp.StatusCode, body)
	}
	after, err := pf.Cases.ClassificationInput(context.Background(), e.tenantID("spn"), caseID)
	if err != nil {
		t.Fatal(err)
	}
	if before.ModelKey == after.ModelKey {
		t.Error("classifier cache key unchanged after a category edit: the model would not retrain")
	}
	found := false
	for _, c := range after.Categories {
		if c.Slug == "lembur_paksa" && c.NameID == "Lembur tanpa persetujuan" && len(c.Examples) == 1 {
			found = true
		}
	}
	if !found {
		t.Error("classifier input does not carry the renamed category and its example")
	}
	_, form = e.page(spnHost, "/cases/new?lang=en", worker)
	mustContain(t, form, "Overtime without consent")

	// Reorder: k3 first, then upah.
	k3, upah := e.categoryID("spn", "k3"), e.categoryID("spn", "upah")
	resp, body = e.postJSON(spnHost, adminCats+"/reorder", map[string]any{"ids": []string{k3, upah}}, bearer(admin)...)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("reorder: %d %v", resp.StatusCode, body)
	}
	_, list = e.getJSON(spnHost, adminCats, admin)
	if s := adminSlugs(t, list); len(s) < 2 || s[0] != "k3" || s[1] != "upah" {
		t.Errorf("order after reorder: %v", s)
	}
	_, form = e.page(spnHost, "/cases/new", worker)
	if i, j := strings.Index(form, `value="`+k3+`"`), strings.Index(form, `value="`+upah+`"`); i < 0 || j < 0 || i > j {
		t.Errorf("filing form order: k3 at %d, upah at %d", i, j)
	}

	// Hide and show.
	if resp, body := e.postJSON(spnHost, adminCats+"/"+newID+"/hide", nil, bearer(admin)...); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("hide: %d %v", resp.StatusCode, body)
	}
	_, form = e.page(spnHost, "/cases/new", worker)
	if strings.Contains(form, "Lembur tanpa persetujuan") {
		t.Error("hidden category still on the filing form")
	}
	if resp, _ := e.postJSON(spnHost, adminCats+"/"+newID+"/show", nil, bearer(admin)...); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("show: %d", resp.StatusCode)
	}
	_, form = e.page(spnHost, "/cases/new", worker)
	mustContain(t, form, "Lembur tanpa persetujuan")

	// The list and the category say how many cases use it (counted by
	// the cases service, which owns the case tables).
	_, list = e.getJSON(spnHost, adminCats, admin)
	for _, c := range list["categories"].([]any) {
		if m := c.(map[string]any); m["id"] == newID && m["cases"] != float64(1) {
			t.Errorf("listed case count of the new category: %v", m["cases"])
		}
	}
	if _, one := e.getJSON(spnHost, adminCats+"/"+newID, admin); one["cases"] != float64(1) {
		t.Errorf("case count of the new category: %v", one["cases"])
	}

	// A category in use cannot be deleted.
	resp, body = e.sendJSON("DELETE", spnHost, adminCats+"/"+newID, admin, nil)
	if resp.StatusCode != http.StatusConflict || fieldErrors(body)["category"] == nil {
		t.Errorf("delete in use: %d %v", resp.StatusCode, body)
	}

	// Merge into jam_kerja: the case moves, its timeline says so, the chain
	// holds, and the merged category is hidden for good.
	jam := e.categoryID("spn", "jam_kerja")
	resp, body = e.postJSON(spnHost, adminCats+"/"+newID+"/merge", map[string]any{"into": jam}, bearer(admin)...)
	if resp.StatusCode != http.StatusOK || body["moved_cases"] != float64(1) {
		t.Fatalf("merge: %d %v", resp.StatusCode, body)
	}
	if n := e.countRows("spn", "SELECT count(*) FROM cases WHERE id = ? AND category_id = ?", caseID, jam); n != 1 {
		t.Error("case did not move to the merge target")
	}
	if n := e.countRows("spn", "SELECT count(*) FROM case_events WHERE case_id = ? AND kind = ?", caseID, cases.EventCategoryMerged); n != 1 {
		t.Errorf("merge events on the case: %d", n)
	}
	if _, err := pf.Cases.VerifyTimeline(context.Background(), e.tenantID("spn"), caseID); err != nil {
		t.Errorf("timeline after merge: %v", err)
	}
	if n := e.countRows("spn", "SELECT count(*) FROM categories WHERE id = ? AND NOT active AND merged_into = ?", newID, jam); n != 1 {
		t.Error("merged category not hidden with merged_into")
	}
	if resp, _ := e.postJSON(spnHost, adminCats+"/"+newID+"/show", nil, bearer(admin)...); resp.StatusCode != http.StatusConflict {
		t.Errorf("showing a merged category: %d", resp.StatusCode)
	}

	// An unused category can be deleted.
	_, body = e.postJSON(spnHost, adminCats, map[string]any{"slug": "coba", "name_id": "Coba", "name_en": "Try"}, bearer(admin)...)
	if resp, _ := e.sendJSON("DELETE", spnHost, adminCats+"/"+fmt.Sprint(body["id"]), admin, nil); resp.StatusCode != http.StatusNoContent {
		t.Errorf("delete unused: %d", resp.StatusCode)
	}

	// Every change is in the admin log.
	for kind, want := range map[string]int{"category.created": 2, "category.updated": 1, "category.reordered": 1,
		"category.hidden": 1, "category.shown": 1, "category.merged": 1, "category.deleted": 1} {
		if n := e.countRows("spn", "SELECT count(*) FROM admin_events WHERE kind = ?", kind); n != want {
			t.Errorf("admin events %s: %d, want %d", kind, n, want)
		}
	}
	// The log is append-only for the app role.
	if _, err := e.db.App.ExecContext(context.Background(), "DELETE FROM admin_events"); err == nil {
		t.Error("app role may delete admin events")
	}
}

// TestAdminCategoriesBadInput: refusals carry the standard error shape,
// nothing is stored, and only federation admins may change categories.
func TestAdminCategoriesBadInput(t *testing.T) {
	e := newCaseEnv(t)
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	branch := e.login(spnHost, map[string]string{"email": "branch@spn.example", "password": demoPW})
	officer := e.login(spnHost, map[string]string{"email": "officer@spn.example", "password": demoPW})
	worker := e.login(spnHost, map[string]string{"phone": "081200000001", "password": demoPW})
	count := func() int { return e.countRows("spn", "SELECT count(*) FROM categories") }
	n0 := count()
	upah := e.categoryID("spn", "upah")
	var workerID string
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT id::text FROM users WHERE kind = 'worker' LIMIT 1").Scan(&workerID)
	})
	good := func(extra map[string]any) map[string]any {
		m := map[string]any{"slug": "baru", "name_id": "Baru", "name_en": "New"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	for _, c := range []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"bad slug", good(map[string]any{"slug": "Bad Slug!"}), 422, "slug"},
		{"taken slug", good(map[string]any{"slug": "upah"}), 409, "slug"},
		{"no name", good(map[string]any{"name_id": "  "}), 422, "name_id"},
		{"sla zero", good(map[string]any{"sla_first_response_days": 0}), 422, "sla_first_response_days"},
		{"sla order", good(map[string]any{"sla_first_response_days": 10, "sla_resolution_days": 5}), 422, "sla_resolution_days"},
		{"unknown sector", good(map[string]any{"sectors": []string{"mining"}}), 422, "sectors"},
		{"unknown parent", good(map[string]any{"parent_id": uuid.NewString()}), 422, "parent_id"},
		{"bad parent", good(map[string]any{"parent_id": "x"}), 422, "parent_id"},
		{"worker as handler", good(map[string]any{"restricted": true, "handlers": []string{workerID}}), 422, "handlers"},
		{"long name", good(map[string]any{"name_en": strings.Repeat("x", 101)}), 422, "name_en"},
		{"wrong type", `{"slug": 5}`, 422, "slug"},
		{"malformed", `{"slug":`, 400, ""},
	} {
		resp, body := e.sendJSON("POST", spnHost, adminCats, admin, c.body)
		if resp.StatusCode != c.status || errorCode(body) == "" {
			t.Errorf("%s: %d %v, want %d", c.name, resp.StatusCode, body, c.status)
		}
		if c.field != "" && fieldErrors(body)[c.field] == nil {
			t.Errorf("%s: no error on %s: %v", c.name, c.field, body)
		}
	}
	if resp, _ := e.send("POST", spnHost, adminCats, "text/plain", strings.NewReader("x"), bearer(admin)...); resp.StatusCode != 415 {
		t.Errorf("text body: %d", resp.StatusCode)
	}
	// A cycle: upah under its own child.
	_, child := e.postJSON(spnHost, adminCats, good(map[string]any{"slug": "anak", "parent_id": upah}), bearer(admin)...)
	resp, body := e.sendJSON("PATCH", spnHost, adminCats+"/"+upah, admin, map[string]any{"parent_id": child["id"]})
	if resp.StatusCode != 422 || fieldErrors(body)["parent_id"] == nil {
		t.Errorf("cycle: %d %v", resp.StatusCode, body)
	}
	if resp, body := e.sendJSON("PATCH", spnHost, adminCats+"/"+upah, admin, map[string]any{"slug": "gaji"}); resp.StatusCode != 422 {
		t.Errorf("slug change: %d %v", resp.StatusCode, body)
	}
	if resp, body := e.postJSON(spnHost, adminCats+"/"+upah+"/merge", map[string]any{"into": upah}, bearer(admin)...); resp.StatusCode != 422 {
		t.Errorf("merge into itself: %d %v", resp.StatusCode, body)
	}
	if resp, body := e.postJSON(spnHost, adminCats+"/reorder", map[string]any{"ids": []string{upah, upah}}, bearer(admin)...); resp.StatusCode != 422 {
		t.Errorf("reorder with a repeat: %d %v", resp.StatusCode, body)
	}
	if got := count(); got != n0+1 {
		t.Errorf("categories stored: %d, want %d (only the child)", got, n0+1)
	}

	// Who may: nobody but the federation admin.
	for name, tok := range map[string]string{"signed out": "", "worker": worker, "officer": officer, "branch admin": branch} {
		want := 403
		if tok == "" {
			want = 401
		}
		if resp, _ := e.postJSON(spnHost, adminCats, good(map[string]any{"slug": "dilarang"}), bearer(tok)...); resp.StatusCode != want {
			t.Errorf("%s creates: %d, want %d", name, resp.StatusCode, want)
		}
		if resp, _ := e.postJSON(spnHost, adminCats+"/"+upah+"/hide", nil, bearer(tok)...); resp.StatusCode != want {
			t.Errorf("%s hides: %d, want %d", name, resp.StatusCode, want)
		}
		if resp, _ := e.page(spnHost, "/admin/categories", tok); resp.StatusCode != want {
			t.Errorf("%s opens the page: %d, want %d", name, resp.StatusCode, want)
		}
	}
	if n := e.countRows("spn", "SELECT count(*) FROM categories WHERE slug = 'dilarang' OR NOT active"); n != 0 {
		t.Errorf("refused changes stored: %d", n)
	}
}

// TestAdminCategoriesCrossTenant: another union's admin gets 404 for every
// category route with spn's ids, and spn's categories are untouched.
func TestAdminCategoriesCrossTenant(t *testing.T) {
	e := newCaseEnv(t)
	gAdmin := e.login(otherHost, map[string]string{"email": "admin@garteks.example", "password": demoPW})
	upah, k3 := e.categoryID("spn", "upah"), e.categoryID("spn", "k3")
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"GET", adminCats + "/" + upah, nil},
		{"PATCH", adminCats + "/" + upah, map[string]any{"name_id": "x"}},
		{"DELETE", adminCats + "/" + upah, nil},
		{"POST", adminCats + "/" + upah + "/hide", nil},
		{"POST", adminCats + "/" + upah + "/show", nil},
		{"POST", adminCats + "/" + upah + "/merge", map[string]any{"into": k3}},
		{"GET", "/admin/categories/" + upah, nil},
	} {
		var resp *http.Response
		if strings.HasPrefix(c.path, "/admin") {
			resp, _ = e.page(otherHost, c.path, gAdmin)
		} else {
			resp, _ = e.sendJSON(c.method, otherHost, c.path, gAdmin, c.body)
		}
		if resp.StatusCode != 404 {
			t.Errorf("%s %s on garteks: %d, want 404", c.method, c.path, resp.StatusCode)
		}
	}
	// A garteks category merged into an spn one: the target is unknown.
	gUpah := e.categoryID("garteks", "upah")
	if resp, body := e.postJSON(otherHost, adminCats+"/"+gUpah+"/merge", map[string]any{"into": k3}, bearer(gAdmin)...); resp.StatusCode != 422 {
		t.Errorf("merge into another tenant's category: %d %v", resp.StatusCode, body)
	}
	if resp, _ := e.postJSON(otherHost, adminCats+"/reorder", map[string]any{"ids": []string{upah}}, bearer(gAdmin)...); resp.StatusCode != 422 {
		t.Errorf("reorder with another tenant's id: %d", resp.StatusCode)
	}
	if n := e.countRows("spn", "SELECT count(*) FROM categories WHERE NOT active OR name_id = 'x'"); n != 0 {
		t.Errorf("spn categories changed from garteks: %d", n)
	}
}

// TestAdminCategoryPages drives the same through the HTML forms.
func TestAdminCategoryPages(t *testing.T) {
	e := newCaseEnv(t)
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	worker := e.login(spnHost, map[string]string{"phone": "081200000001", "password": demoPW})
	resp, page := e.page(spnHost, "/admin/categories", admin)
	if resp.StatusCode != 200 {
		t.Fatalf("list page: %d", resp.StatusCode)
	}
	mustContain(t, page, `data-category="upah"`, `name="_csrf"`)

	vals := url.Values{"slug": {"pelecehan"}, "name_id": {"Pelecehan seksual"}, "name_en": {"Sexual harassment"},
		"parent_id": {e.categoryID("spn", "kekerasan")}, "sla_first_response_days": {"1"}, "sla_resolution_days": {"14"},
		"keywords": {"pelecehan, dilecehkan"}, "playbook_id": {"Dengarkan korban\nRujuk ke satgas"}, "restricted": {"true"}}
	resp, page = e.postForm(spnHost, "/admin/categories", admin, vals)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create form: %d %s", resp.StatusCode, page)
	}
	id := e.categoryID("spn", "pelecehan")
	var restricted bool
	var kw, pb []string
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT restricted, keywords, playbook_id FROM categories WHERE id = ?", id).Scan(&restricted, pgdialect.Array(&kw), pgdialect.Array(&pb))
	})
	if !restricted || len(kw) != 2 || len(pb) != 2 {
		t.Errorf("stored from the form: restricted %v keywords %v playbook %v", restricted, kw, pb)
	}
	_, form := e.page(spnHost, "/cases/new", worker)
	mustContain(t, form, "Pelecehan seksual")

	// A bad form comes back with the message, nothing stored.
	vals.Set("slug", "Bad!")
	resp, page = e.postForm(spnHost, "/admin/categories", admin, vals)
	if resp.StatusCode != 422 || !strings.Contains(page, "field-error") {
		t.Errorf("bad form: %d", resp.StatusCode)
	}
	// Edit page, rename, move up, hide.
	resp, page = e.page(spnHost, "/admin/categories/"+id, admin)
	if resp.StatusCode != 200 {
		t.Fatalf("edit page: %d", resp.StatusCode)
	}
	mustContain(t, page, "Rujuk ke satgas", `action="/admin/categories/`+id+`/merge"`)
	vals.Set("name_id", "Kekerasan dan pelecehan seksual")
	if resp, _ := e.postForm(spnHost, "/admin/categories/"+id, admin, vals); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("update form: %d", resp.StatusCode)
	}
	if resp, _ := e.postForm(spnHost, "/admin/categories/"+id+"/hide", admin, url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("hide form: %d", resp.StatusCode)
	}
	_, form = e.page(spnHost, "/cases/new", worker)
	if strings.Contains(form, "Kekerasan dan pelecehan seksual") {
		t.Error("hidden category on the filing form")
	}
	// Reorder with the arrows: upah moves below the next top-level one.
	before := e.countRows("spn", "SELECT sort_order FROM categories WHERE slug = 'upah'")
	if resp, _ := e.postForm(spnHost, "/admin/categories/"+e.categoryID("spn", "upah")+"/down", admin, url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("down: %d", resp.StatusCode)
	}
	if after := e.countRows("spn", "SELECT sort_order FROM categories WHERE slug = 'upah'"); after <= before {
		t.Errorf("upah sort order %d → %d", before, after)
	}
	// Merge through the page; an unknown action is a 404.
	if resp, _ := e.postForm(spnHost, "/admin/categories/"+id+"/merge", admin, url.Values{"into": {e.categoryID("spn", "kekerasan")}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("merge form: %d", resp.StatusCode)
	}
	if resp, _ := e.postForm(spnHost, "/admin/categories/"+id+"/explode", admin, url.Values{}); resp.StatusCode != 404 {
		t.Errorf("unknown action: %d", resp.StatusCode)
	}
	if resp, _ := e.postForm(spnHost, "/admin/categories/"+id+"/merge", admin, url.Values{"into": {"nope"}}); resp.StatusCode != 422 {
		t.Errorf("merge without a target: %d", resp.StatusCode)
	}
}

// TestCategoryChangesReachClassifier: what the classifier is given for a
// case follows category changes at once: a new category is in its input,
// a hidden one is not, showing it brings it back, and each change moves
// the model's cache key (so the built-in model retrains).
func TestCategoryChangesReachClassifier(t *testing.T) {
	e := newCaseEnv(t)
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	worker := e.login(spnHost, map[string]string{"phone": "081200000001", "password": demoPW})
	ctx := context.Background()
	caseID := uuid.MustParse(e.file(spnHost, worker, map[string]any{"type": "complaint", "workplace_id": e.workplaceID("spn", "pt-maju-jaya-garmen"),
		"description": "Kami tidak diberi air minum selama shift malam."})["id"].(string))
	input := func() (string, map[string]bool) {
		t.Helper()
		in, err := e.pf.Cases.ClassificationInput(ctx, e.tenantID("spn"), caseID)
		if err != nil {
			t.Fatal(err)
		}
		slugs := map[string]bool{}
		for _, c := range in.Categories {
			slugs[c.Slug] = true
		}
		return in.ModelKey, slugs
	}
	key0, slugs := input()
	if slugs["air_minum"] {
		t.Fatal("category present before it exists")
	}
	resp, body := e.postJSON(spnHost, adminCats, map[string]any{"slug": "air_minum", "name_id": "Air minum", "name_en": "Drinking water",
		"keywords": []string{"air minum"}, "examples": []string{"Tidak ada air minum di lantai produksi"}, "parent_id": e.categoryID("spn", "fasilitas")}, bearer(admin)...)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %v", resp.StatusCode, body)
	}
	id := body["id"].(string)
	key1, slugs := input()
	if !slugs["air_minum"] || key1 == key0 {
		t.Errorf("after create: present %v, key changed %v", slugs["air_minum"], key1 != key0)
	}
	if resp, _ := e.postJSON(spnHost, adminCats+"/"+id+"/hide", nil, bearer(admin)...); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("hide: %d", resp.StatusCode)
	}
	key2, slugs := input()
	if slugs["air_minum"] || key2 == key1 {
		t.Errorf("after hide: present %v, key changed %v", slugs["air_minum"], key2 != key1)
	}
	if resp, _ := e.postJSON(spnHost, adminCats+"/"+id+"/show", nil, bearer(admin)...); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("show: %d", resp.StatusCode)
	}
	if key3, slugs := input(); !slugs["air_minum"] || key3 == key2 {
		t.Errorf("after show: present %v, key changed %v", slugs["air_minum"], key3 != key2)
	}
}
