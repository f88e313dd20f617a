package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

const exportCSV = "/api/v1/admin/exports/cases"

// readCSV fetches the case export as tok and returns its status and records.
func (e *env) exportCSV(host, path, tok string) (int, [][]string) {
	e.t.Helper()
	resp, text := e.get(host, path, bearer(tok)...)
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		e.t.Fatalf("export content type %q", ct)
	}
	recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		e.t.Fatalf("export is not CSV: %v\n%s", err, text)
	}
	return resp.StatusCode, recs
}

// column returns the values of column name in recs (header first).
func column(t *testing.T, recs [][]string, name string) []string {
	t.Helper()
	i := slices.Index(recs[0], name)
	if i < 0 {
		return nil
	}
	var out []string
	for _, r := range recs[1:] {
		out = append(out, r[i])
	}
	return out
}

// TestExportCasesCSV: columns by role, the admin's sub-tree only, no
// confidential or anonymous identity, restricted categories only for those
// who may see them, other tenants never, and each export audited.
func TestExportCasesCSV(t *testing.T) {
	e := newCaseEnv(t)
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	branch := e.login(spnHost, map[string]string{"email": "branch@spn.example", "password": demoPW})
	officer := e.login(spnHost, map[string]string{"email": "officer@spn.example", "password": demoPW})
	worker := e.login(spnHost, map[string]string{"phone": "081200000003", "password": demoPW})
	gartAdmin := e.login(otherHost, map[string]string{"email": "admin@garteks.example", "password": demoPW})
	const reporterName = "Dewi Lestari"
	wp := e.workplaceID("spn", "pt-maju-jaya-garmen")

	named := e.file(spnHost, worker, map[string]any{"type": "complaint", "workplace_id": wp,
		"description": "=HYPERLINK(\"http://x\") Upah lembur tidak dibayar sejak Maret."})["reference"].(string)
	conf := e.file(spnHost, worker, map[string]any{"type": "complaint", "workplace_id": wp, "safety_mode": "confidential",
		"description": "Mandor mengancam pekerja yang ikut serikat."})["reference"].(string)
	kekerasan := e.categoryID("spn", "kekerasan")
	if resp, body := e.sendJSON("PATCH", spnHost, adminCats+"/"+kekerasan, admin, map[string]any{"restricted": true}); resp.StatusCode != 200 {
		t.Fatalf("restrict: %d %v", resp.StatusCode, body)
	}
	hidden := e.file(spnHost, worker, map[string]any{"type": "complaint", "workplace_id": wp, "category_id": kekerasan,
		"description": "Supervisor memegang saya di gudang."})["reference"].(string)

	// Federation admin: the whole tenant, with title and named reporters.
	st, recs := e.exportCSV(spnHost, exportCSV, admin)
	if st != 200 {
		t.Fatalf("admin export: %d", st)
	}
	refs := column(t, recs, "reference")
	for _, r := range []string{named, conf, hidden} {
		if !slices.Contains(refs, r) {
			t.Errorf("admin export misses %s", r)
		}
	}
	names := column(t, recs, "reporter_name")
	if names == nil || !slices.Contains(recs[0], "title") {
		t.Fatalf("federation columns missing: %v", recs[0])
	}
	modes := column(t, recs, "safety_mode")
	for i, n := range names {
		if modes[i] != "named" && n != "" {
			t.Errorf("a %s case exported its reporter %q", modes[i], n)
		}
	}
	if i := slices.Index(refs, named); names[i] != reporterName {
		t.Errorf("named case reporter %q", names[i])
	}
	if i := slices.Index(refs, conf); names[i] != "" {
		t.Errorf("confidential reporter exported: %q", names[i])
	}
	if i := slices.Index(refs, named); !strings.HasPrefix(column(t, recs, "title")[i], "'=") {
		t.Errorf("formula not defused: %q", column(t, recs, "title")[i])
	}
	for _, r := range recs[1:] {
		if strings.HasPrefix(r[0], "GARTEKS") || !strings.HasPrefix(r[0], "SPN-") {
			t.Errorf("another tenant's case in SPN's export: %v", r[0])
		}
	}

	// Branch admin: their sub-tree, no reporter column, no restricted case.
	st, recs = e.exportCSV(spnHost, exportCSV, branch)
	if st != 200 {
		t.Fatalf("branch export: %d", st)
	}
	if slices.Contains(recs[0], "reporter_name") || slices.Contains(recs[0], "title") {
		t.Errorf("branch admin columns: %v", recs[0])
	}
	refs = column(t, recs, "reference")
	if !slices.Contains(refs, named) || !slices.Contains(refs, conf) {
		t.Errorf("branch export misses its cases: %v", refs)
	}
	if slices.Contains(refs, hidden) {
		t.Errorf("branch admin exported a restricted case they are not named for")
	}
	for _, b := range column(t, recs, "branch") {
		if b != "spn/jabar" && !strings.HasPrefix(b, "spn/jabar/") {
			t.Errorf("branch admin exported a case of %s", b)
		}
	}
	if _, text := e.get(spnHost, exportCSV, bearer(branch)...); strings.Contains(text, reporterName) {
		t.Errorf("branch export names a reporter")
	}

	// Narrowing to a branch; a foreign or malformed branch id.
	var jabar, gartRoot string
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT id::text FROM branches WHERE path = 'spn/jabar'").Scan(&jabar)
	})
	e.inTenant("garteks", func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT id::text FROM branches WHERE path = 'garteks'").Scan(&gartRoot)
	})
	if st, recs := e.exportCSV(spnHost, exportCSV+"?branch_id="+jabar, admin); st != 200 || !slices.Contains(column(t, recs, "reference"), named) {
		t.Errorf("narrowed export: %d", st)
	}
	for _, q := range []string{gartRoot, "nope", uuid.NewString()} {
		if st, _ := e.exportCSV(spnHost, exportCSV+"?branch_id="+url.QueryEscape(q), admin); st != 422 {
			t.Errorf("branch_id %q: %d, want 422", q, st)
		}
	}

	// Who may not export: officers, workers, nobody, another tenant's admin.
	for name, tok := range map[string]string{"officer": officer, "worker": worker} {
		if st, _ := e.exportCSV(spnHost, exportCSV, tok); st != 403 {
			t.Errorf("%s export: %d, want 403", name, st)
		}
	}
	if st, _ := e.exportCSV(spnHost, exportCSV, ""); st != 401 {
		t.Errorf("signed-out export: %d", st)
	}
	if st, _ := e.exportCSV(spnHost, exportCSV, gartAdmin); st < 400 {
		t.Errorf("garteks admin on spn host: %d", st)
	}
	st, recs = e.exportCSV(otherHost, exportCSV, gartAdmin)
	if st != 200 {
		t.Fatalf("garteks export: %d", st)
	}
	for _, r := range column(t, recs, "reference") {
		if r == named || r == conf || r == hidden || strings.HasPrefix(r, "SPN-") {
			t.Errorf("SPN's case %s in Garteks's export", r)
		}
	}

	// The page route (session cookie) answers the same CSV.
	resp, text := e.page(spnHost, "/admin/exports/cases", admin)
	if resp.StatusCode != 200 || !strings.Contains(text, named) {
		t.Errorf("page export: %d", resp.StatusCode)
	}

	// Every export is an admin audit event.
	if n := e.countRows("spn", "SELECT count(*) FROM admin_events WHERE kind = 'export.cases'"); n != 5 {
		t.Errorf("%d export events in SPN, want 5 (admin, branch, narrowed, page)", n)
	}
	var subj string
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT subject FROM admin_events WHERE kind = 'export.cases' AND payload->>'tenant_wide' = 'false'").Scan(&subj)
	})
	if subj != "spn" {
		t.Errorf("branch export subject %q", subj)
	}
}

// TestCasePacket: the redacted packet withholds the reporter unless a
// named reporter agreed; confidential reporters cannot agree; only
// federation admins export; other tenants never; each export is on the
// case's timeline and the chain still verifies.
func TestCasePacket(t *testing.T) {
	e := newCaseEnv(t)
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	branch := e.login(spnHost, map[string]string{"email": "branch@spn.example", "password": demoPW})
	officer := e.login(spnHost, map[string]string{"email": "officer@spn.example", "password": demoPW})
	worker := e.login(spnHost, map[string]string{"phone": "081200000003", "password": demoPW})
	other := e.login(spnHost, map[string]string{"phone": "081200000002", "password": demoPW})
	gartAdmin := e.login(otherHost, map[string]string{"email": "admin@garteks.example", "password": demoPW})
	const reporterName = "Dewi Lestari"
	wp := e.workplaceID("spn", "pt-maju-jaya-garmen")
	named := e.file(spnHost, worker, map[string]any{"type": "complaint", "workplace_id": wp,
		"description": "Upah lembur tidak dibayar sejak Maret."})["id"].(string)
	conf := e.file(spnHost, worker, map[string]any{"type": "complaint", "workplace_id": wp, "safety_mode": "confidential",
		"description": "Mandor mengancam pekerja yang ikut serikat."})["id"].(string)
	if resp, _ := e.sendJSON("POST", spnHost, "/api/v1/cases/"+named+"/messages", worker, map[string]any{"body": "Saya Dewi, bisa dihubungi sore."}); resp.StatusCode >= 300 {
		t.Fatalf("message: %d", resp.StatusCode)
	}

	packet := func(id, tok string) (int, string) {
		resp, text := e.get(spnHost, "/api/v1/cases/"+id+"/packet", bearer(tok)...)
		return resp.StatusCode, text
	}
	st, text := packet(named, admin)
	if st != 200 {
		t.Fatalf("packet: %d %s", st, text)
	}
	if strings.Contains(text, reporterName) || strings.Contains(text, "bisa dihubungi") {
		t.Errorf("packet names the reporter before consent")
	}
	mustContain(t, text, "Upah lembur tidak dibayar", "Dirahasiakan untuk melindungi pelapor")

	// The reporter agrees (API), then the name appears; withdrawing hides it again.
	consent := func(id, tok string, share any) int {
		resp, _ := e.sendJSON("PUT", spnHost, "/api/v1/cases/"+id+"/share-consent", tok, map[string]any{"share_identity": share})
		return resp.StatusCode
	}
	if st := consent(named, worker, true); st != 200 {
		t.Fatalf("consent: %d", st)
	}
	if _, text = packet(named, admin); !strings.Contains(text, reporterName) {
		t.Errorf("packet omits the reporter after consent")
	}
	if strings.Contains(text, "bisa dihubungi") {
		t.Errorf("packet carries the reporter's messages")
	}
	if st := consent(named, worker, false); st != 200 {
		t.Fatalf("withdraw: %d", st)
	}
	if _, text = packet(named, admin); strings.Contains(text, reporterName) {
		t.Errorf("packet names the reporter after withdrawal")
	}
	// The page form records the same answer.
	resp, _ := e.postForm(spnHost, "/cases/"+named+"/share-consent", worker, url.Values{"share_identity": {"yes"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("consent form: %d", resp.StatusCode)
	}
	if _, text = packet(named, admin); !strings.Contains(text, reporterName) {
		t.Errorf("consent form not recorded")
	}

	// Confidential: no consent possible, never named.
	if st := consent(conf, worker, true); st != 409 {
		t.Errorf("confidential consent: %d, want 409", st)
	}
	if st, text := packet(conf, admin); st != 200 || strings.Contains(text, reporterName) {
		t.Errorf("confidential packet: %d, names reporter %v", st, strings.Contains(text, reporterName))
	}
	// Bad input and wrong people.
	for _, c := range []struct {
		name  string
		tok   string
		share any
		want  int
	}{{"missing", worker, nil, 422}, {"not a bool", worker, "yes", 422}, {"another worker", other, true, 404},
		{"officer", officer, true, 404}, {"signed out", "", true, 401}} {
		if st := consent(named, c.tok, c.share); st != c.want {
			t.Errorf("consent %s: %d, want %d", c.name, st, c.want)
		}
	}
	for name, c := range map[string]struct {
		tok  string
		want int
	}{"officer": {officer, 403}, "branch admin": {branch, 403}, "reporter": {worker, 403}, "signed out": {"", 401}} {
		if st, _ := packet(named, c.tok); st != c.want {
			t.Errorf("packet as %s: %d, want %d", name, st, c.want)
		}
	}
	// Cross-tenant: Garteks's admin, on either host, never gets SPN's case.
	if st, _ := packet(named, gartAdmin); st < 400 {
		t.Errorf("garteks admin on spn host: %d", st)
	}
	if resp, _ := e.get(otherHost, "/api/v1/cases/"+named+"/packet", bearer(gartAdmin)...); resp.StatusCode != 404 {
		t.Errorf("garteks admin, garteks host: %d, want 404", resp.StatusCode)
	}
	if resp, _ := e.sendJSON("PUT", otherHost, "/api/v1/cases/"+named+"/share-consent", gartAdmin, map[string]any{"share_identity": true}); resp.StatusCode != 404 {
		t.Errorf("garteks consent on spn case: %d, want 404", resp.StatusCode)
	}
	// Printable page for the admin's browser.
	if resp, text := e.page(spnHost, "/cases/"+named+"/packet", admin); resp.StatusCode != 200 || !strings.Contains(text, reporterName) {
		t.Errorf("packet page: %d", resp.StatusCode)
	}

	// Each packet is on the timeline; the chain verifies.
	if n := e.countRows("spn", "SELECT count(*) FROM case_events WHERE case_id = ? AND kind = 'packet_exported'", named); n != 5 {
		t.Errorf("%d packet events, want 5 (four API, one page)", n)
	}
	if n, err := e.pf.Cases.VerifyTimeline(context.Background(), e.tenantID("spn"), uuid.MustParse(named)); err != nil || n == 0 {
		t.Errorf("chain after exports: %d %v", n, err)
	}
}

// exerciseExports is the contract walk's share of the exports (see
// exerciseMore): successes and refusals of every export route.
func exerciseExports(r *recorder, a apiActors, must statusCheck) {
	x := r.call("GET", "/admin/exports/cases", a.admin, "", nil)
	must("export cases", x.status, 200)
	x = r.call("GET", "/admin/exports/cases?branch_id="+a.ids["spn/jabar"], a.branch, "", nil)
	must("export branch cases", x.status, 200)
	st, _ := r.json("GET", "/admin/exports/cases?branch_id=x", a.admin, nil)
	must("export bad branch", st, 422)
	st, _ = r.json("GET", "/admin/exports/cases", a.officer, nil)
	must("export as officer", st, 403)
	st, _ = r.json("GET", "/admin/exports/cases", "", nil)
	must("export signed out", st, 401)

	st, c := r.json("POST", "/cases", a.worker, map[string]any{"type": "complaint", "workplace_id": a.wp,
		"description": "Upah lembur tidak dibayar sejak bulan lalu."})
	must("file for a packet", st, 201)
	id := fmt.Sprint(c["id"])
	st, _ = r.json("PUT", "/cases/"+id+"/share-consent", a.worker, map[string]any{"share_identity": true})
	must("share consent", st, 200)
	st, _ = r.json("PUT", "/cases/"+id+"/share-consent", a.worker, map[string]any{})
	must("share consent missing", st, 422)
	x = r.call("PUT", "/cases/"+id+"/share-consent", a.worker, "text/plain", []byte("yes"))
	must("share consent not JSON", x.status, 415)
	st, _ = r.json("PUT", "/cases/"+id+"/share-consent", a.other, map[string]any{"share_identity": true})
	must("share consent of someone else's case", st, 404)
	st, _ = r.json("PUT", "/cases/"+id+"/share-consent", "", map[string]any{"share_identity": true})
	must("share consent signed out", st, 401)
	x = r.call("GET", "/cases/"+id+"/packet", a.admin, "", nil)
	must("packet", x.status, 200)
	st, _ = r.json("GET", "/cases/"+id+"/packet", a.officer, nil)
	must("packet as officer", st, 403)
	st, _ = r.json("GET", "/cases/"+uuid.NewString()+"/packet", a.admin, nil)
	must("packet of no case", st, 404)
	st, _ = r.json("GET", "/cases/"+id+"/packet", "", nil)
	must("packet signed out", st, 401)

	st, _ = r.json("POST", "/admin/sectors", a.admin, map[string]any{"sector": "palm_oil"})
	must("apply sector", st, 200)
	st, _ = r.json("POST", "/admin/sectors", a.admin, map[string]any{"sector": "mining"})
	must("apply unknown sector", st, 422)
	st, _ = r.json("POST", "/admin/sectors", a.officer, map[string]any{"sector": "palm_oil"})
	must("apply sector as officer", st, 403)
	x = r.call("POST", "/admin/sectors", a.admin, "text/plain", []byte("palm_oil"))
	must("apply sector not JSON", x.status, 415)
}
