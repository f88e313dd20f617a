package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/analytics"
)

const platformHost = "localhost"

// rollup brings the facts up to date at once (the periodic job runs it a
// few seconds behind the clock; tests do not wait).
func (e *env) rollup() {
	e.t.Helper()
	if _, err := analytics.New(e.db.App, analytics.Options{K: e.cfg.Analytics.K}).Rollup(context.Background()); err != nil {
		e.t.Fatalf("rollup: %v", err)
	}
}

// Acceptance 1: no reply under /api/v1/platform and no console page carries
// any string from a case's text. A unique marker is planted in every text a
// worker or officer writes (name, typed workplace, title, description,
// messages both ways), the case is moved onto the typed workplace, the union
// opts in to sharing companies, and every reply is searched.
func TestPlatformNeverReturnsCaseText(t *testing.T) {
	e := newCaseEnv(t)
	marker := "PLANTED" + strings.ReplaceAll(uuid.NewString(), "-", "")
	if _, err := e.db.App.ExecContext(context.Background(),
		`UPDATE tenants SET settings = settings || '{"analytics_share_company": true}' WHERE slug = 'spn'`); err != nil {
		t.Fatal(err)
	}
	reg := e.registerWorker(e.gateway("spn"), spnHost, map[string]any{"name": "Nama " + marker, "phone": "081299990001",
		"password": "kata-sandi-panjang-" + marker[:8], "gender": "female", "sector": "garment", "workplace_name": "PT " + marker})
	worker := reg["token"].(string)
	officer := e.login(spnHost, map[string]string{"email": "officer@spn.example", "password": demoPW})
	wp := e.workplaceID("spn", "pt-maju-jaya-garmen")
	var ids []string
	for i, mode := range []string{"named", "named", "named", "named", "named", "confidential", "anonymous"} {
		out := e.file(spnHost, worker, map[string]any{"type": "complaint", "safety_mode": mode, "workplace_id": wp,
			"title": fmt.Sprintf("Judul %s %d", marker, i), "description": "Upah dipotong tanpa penjelasan " + marker})
		ids = append(ids, out["id"].(string))
	}
	for _, id := range ids[:5] {
		e.postJSON(spnHost, "/api/v1/cases/"+id+"/messages", map[string]any{"body": "Pesan pelapor " + marker}, bearer(worker)...)
		e.postJSON(spnHost, "/api/v1/cases/"+id+"/messages", map[string]any{"body": "Balasan petugas " + marker}, bearer(officer)...)
	}
	// One case on the workplace the worker typed (free text, unverified).
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE cases SET workplace_id = (SELECT id FROM workplaces WHERE unverified LIMIT 1), updated_at = now()
			WHERE id = ?`, ids[0])
		return err
	})
	e.rollup()

	ilo := e.login(platformHost, map[string]string{"email": "ilo@platform.example", "password": demoPW})
	var replies []string
	rowsSeen := 0
	check := func(path string, csv bool) {
		t.Helper()
		headers := bearer(ilo)
		if csv {
			headers = append(headers, "Accept", "text/csv")
		}
		resp, text := e.get(platformHost, path, headers...)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, text)
		}
		replies = append(replies, path+"\n"+text)
	}
	var mainMeasures []string
	for _, m := range analytics.Measures {
		if !slices.Contains(analytics.ILOMeasures, m) {
			mainMeasures = append(mainMeasures, m)
		}
	}
	all := strings.Join(mainMeasures, ",")
	iloAll := "count,share,retaliation_reports," + strings.Join(analytics.ILOMeasures, ",")
	for _, d := range analytics.Dimensions {
		measures := all
		if (analytics.Query{By: []string{d}}).ILO() {
			measures = iloAll
		}
		for _, csv := range []bool{false, true} {
			check("/api/v1/platform/aggregates?by="+d+"&measures="+measures+"&from=2024-01&to=2030-12", csv)
		}
		if d == "category" || d == "sector" || d == "gender" {
			check("/api/v1/platform/aggregates?by="+d+"&measures="+iloAll+"&from=2024-01&to=2030-12", false)
		}
		_, text := e.get(platformHost, "/api/v1/platform/aggregates?by="+d+"&from=2024-01&to=2030-12", bearer(ilo)...)
		var v struct{ Rows []map[string]any }
		_ = json.Unmarshal([]byte(text), &v)
		rowsSeen += len(v.Rows)
	}
	check("/api/v1/platform/aggregates?by=tenant,company,gender&measures="+all+"&from=2024-01&to=2030-12", false)
	check("/api/v1/platform/overview", false)
	// The monthly report of the planted cases' month: generated on demand
	// in the console, then read through the API and as documents.
	month := analytics.MonthOf(time.Now().In(jakartaTZ(t))).String()
	if resp, text := e.postForm(platformHost, "/console/reports", ilo, url.Values{"month": {month}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("generate report: %d %.300s", resp.StatusCode, text)
	}
	check("/api/v1/platform/reports", false)
	check("/api/v1/platform/reports/"+month, false)
	if _, text := e.get(platformHost, "/api/v1/platform/reports/"+month, bearer(ilo)...); !strings.Contains(text, `"SPN"`) {
		t.Errorf("the report does not count the planted cases: %.300s", text)
	}
	if rowsSeen == 0 {
		t.Fatal("the aggregates returned no rows: the search proves nothing")
	}
	// Console pages, as a signed-in analyst.
	for _, path := range []string{"/console", "/console/explore", "/console/trend", "/console/trend?series=category&measure=count&from=2024-01&to=2030-12",
		"/console/reports", "/console/reports/" + month + "?lang=en", "/console/reports/" + month + "?lang=id&download=1",
		"/console/explore?by=tenant&by=company&measures=count&measures=share&from=2024-01&to=2030-12",
		"/console/explore.csv?by=company,province,sector&from=2024-01&to=2030-12"} {
		resp, text := e.page(platformHost, path, ilo)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("page %s: %d", path, resp.StatusCode)
		}
		replies = append(replies, path+"\n"+text)
	}
	for _, r := range replies {
		if strings.Contains(r, marker[7:]) {
			t.Errorf("case text leaked through the platform:\n%.300s", r)
		}
		for _, id := range ids {
			if strings.Contains(r, id) {
				t.Errorf("a case id leaked through the platform: %.200s", r)
			}
		}
	}
	// The planted cases are there, counted: 7 cases for SPN, shown as SPN.
	_, text := e.get(platformHost, "/api/v1/platform/aggregates?by=tenant&from=2024-01&to=2030-12", bearer(ilo)...)
	if !strings.Contains(text, `"tenant":"SPN"`) {
		t.Errorf("SPN missing from %s", text)
	}
}

func TestPlatformAggregatesShapeAndSuppression(t *testing.T) {
	e := newCaseEnv(t)
	worker := e.login(spnHost, map[string]string{"phone": "081200000001", "password": demoPW})
	wp := e.workplaceID("spn", "pt-maju-jaya-garmen")
	for i := 0; i < 4; i++ {
		e.file(spnHost, worker, map[string]any{"type": "aspiration", "workplace_id": wp, "description": "Usul jadwal kerja bergilir yang adil."})
	}
	e.rollup()
	ilo := e.login(platformHost, map[string]string{"email": "ilo@platform.example", "password": demoPW})
	resp, v := e.getJSON(platformHost, "/api/v1/platform/aggregates?by=tenant,type&measures=count,share,median_resolution_days&from=2024-01&to=2030-12", ilo)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("aggregates: %d %v", resp.StatusCode, v)
	}
	if v["k"] != float64(5) || fmt.Sprint(v["by"]) != "[tenant type]" {
		t.Errorf("reply header %v", v)
	}
	rows, _ := v["rows"].([]any)
	for _, r := range rows {
		row := r.(map[string]any)
		if _, ok := row["suppressed"]; ok {
			t.Errorf("a row still says whether it is suppressed: withheld rows are left out: %v", row)
		}
		// Every published count is a multiple of k, never under it: the
		// total minus the others is then no count of a withheld cell.
		if n, ok := row["count"].(float64); !ok || n < 5 || int(n)%5 != 0 {
			t.Errorf("published count %v: want a multiple of k=5", row["count"])
		}
	}
	if len(rows) == 0 {
		t.Fatalf("no rows: the check proves nothing")
	}
	// CSV: same table, no suppressed column.
	resp, text := e.get(platformHost, "/api/v1/platform/aggregates?by=tenant,type&measures=count&from=2024-01&to=2030-12", append(bearer(ilo), "Accept", "text/csv")...)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !strings.HasPrefix(text, "tenant,type,count\n") || strings.Count(text, "\n") != len(rows)+1 {
		t.Errorf("csv body (want %d rows):\n%s", len(rows), text)
	}
	// A platform admin reads analytics too.
	root := e.login(platformHost, map[string]string{"email": "root@platform.example", "password": demoPW})
	if resp, _ := e.getJSON(platformHost, "/api/v1/platform/overview", root); resp.StatusCode != http.StatusOK {
		t.Errorf("platform admin overview: %d", resp.StatusCode)
	}
	// An unknown tenant or value is an empty table, not an error.
	if resp, v := e.getJSON(platformHost, "/api/v1/platform/aggregates?by=category&tenant=Nobody", ilo); resp.StatusCode != 200 || len(v["rows"].([]any)) != 0 {
		t.Errorf("filter on unknown tenant: %d %v", resp.StatusCode, v)
	}
}

func TestPlatformAggregatesBadInput(t *testing.T) {
	e := newCaseEnv(t)
	ilo := e.login(platformHost, map[string]string{"email": "ilo@platform.example", "password": demoPW})
	for query, field := range map[string]string{
		"by=title":                            "by",
		"by=day":                              "by",
		"by=tenant,sector,category,type":      "by",
		"measures=description":                "measures",
		"from=2026-13":                        "from",
		"to=2026-01-15":                       "to",
		"from=2026-05&to=2026-01":             "from",
		"from=2001-01&to=2026-01":             "to",
		"sector=" + url.QueryEscape("a\x01b"): "sector",
	} {
		resp, body := e.getJSON(platformHost, "/api/v1/platform/aggregates?"+query, ilo)
		if resp.StatusCode != http.StatusUnprocessableEntity || errorCode(body) != "invalid" || fieldErrors(body)[field] == nil {
			t.Errorf("%s: %d %v", query, resp.StatusCode, body)
		}
	}
	// The console answers a bad query with the form and its errors.
	if resp, text := e.page(platformHost, "/console/explore?by=title", ilo); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text, "<form") {
		t.Errorf("console bad query: %d", resp.StatusCode)
	}
}

// Acceptance 2: a tenant user cannot reach the platform console or API, and
// an analyst cannot reach any tenant page or API.
func TestPlatformAndTenantsAreApart(t *testing.T) {
	e := newCaseEnv(t)
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	worker := e.login(spnHost, map[string]string{"phone": "081200000001", "password": demoPW})
	ilo := e.login(platformHost, map[string]string{"email": "ilo@platform.example", "password": demoPW})
	platformPaths := []string{"/api/v1/platform/aggregates?by=tenant", "/api/v1/platform/overview", "/api/v1/platform/reports",
		"/api/v1/platform/reports/2026-10"}
	for _, tok := range []string{admin, worker} {
		for _, p := range platformPaths {
			// On the platform host a tenant token means nothing...
			if resp, _ := e.get(platformHost, p, bearer(tok)...); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("tenant token on platform %s: %d", p, resp.StatusCode)
			}
			// ...and on a tenant host the platform does not exist.
			if resp, _ := e.get(spnHost, p, bearer(tok)...); resp.StatusCode != http.StatusNotFound {
				t.Errorf("platform API on tenant host %s: %d", p, resp.StatusCode)
			}
		}
		for _, p := range []string{"/console", "/console/explore", "/console/trend", "/console/explore.csv", "/console/reports", "/console/reports/2026-10"} {
			if resp, _ := e.page(spnHost, p, tok); resp.StatusCode != http.StatusNotFound {
				t.Errorf("console on tenant host %s: %d", p, resp.StatusCode)
			}
			if resp, _ := e.page(platformHost, p, tok); resp.StatusCode != http.StatusSeeOther {
				t.Errorf("tenant session on console %s: %d", p, resp.StatusCode)
			}
		}
		// Nor can a tenant session generate a report, on either host.
		for _, host := range []string{spnHost, platformHost} {
			if resp, _ := e.postForm(host, "/console/reports", tok, url.Values{"month": {"2026-10"}}); resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusSeeOther {
				t.Errorf("tenant session generating a report on %s: %d", host, resp.StatusCode)
			}
		}
	}
	var reports int
	if err := e.db.Super.QueryRowContext(context.Background(), "SELECT count(*) FROM analytics_reports").Scan(&reports); err != nil || reports != 0 {
		t.Errorf("tenant sessions left %d reports (%v)", reports, err)
	}
	// Signed out: 401 on the API, the login page for the console.
	if resp, _ := e.get(platformHost, "/api/v1/platform/aggregates"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous API: %d", resp.StatusCode)
	}
	if resp, _ := e.page(platformHost, "/console", ""); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Errorf("anonymous console: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// The analyst on tenant hosts: no API, no staff pages, no cases.
	for _, host := range []string{spnHost, otherHost} {
		for _, p := range []string{"/api/v1/me", "/api/v1/cases", "/api/v1/staff"} {
			if resp, _ := e.get(host, p, bearer(ilo)...); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("analyst token on %s%s: %d", host, p, resp.StatusCode)
			}
		}
		resp, text := e.page(host, "/staff", ilo)
		if resp.StatusCode == http.StatusOK && strings.Contains(text, "ILO Analyst") {
			t.Errorf("analyst session reached %s/staff", host)
		}
	}
	// The analyst on the platform reaches the console.
	if resp, _ := e.page(platformHost, "/console", ilo); resp.StatusCode != http.StatusOK {
		t.Errorf("analyst console: %d", resp.StatusCode)
	}
}

func jakartaTZ(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// The monthly report: generated on demand (and by the job, the same
// code), listed, readable in both languages as a printable document,
// downloadable, and every small cell withheld as in the explorer.
func TestMonthlyReport(t *testing.T) {
	e := newCaseEnv(t)
	worker := e.login(spnHost, map[string]string{"phone": "081200000001", "password": demoPW})
	wp := e.workplaceID("spn", "pt-maju-jaya-garmen")
	for i := 0; i < 6; i++ {
		e.file(spnHost, worker, map[string]any{"type": "complaint", "workplace_id": wp, "description": "Upah lembur tidak dibayar penuh bulan ini."})
	}
	e.file(spnHost, worker, map[string]any{"type": "aspiration", "workplace_id": wp, "description": "Usul jadwal kerja bergilir yang adil."})
	e.rollup()
	ilo := e.login(platformHost, map[string]string{"email": "ilo@platform.example", "password": demoPW})
	month := analytics.MonthOf(time.Now().In(jakartaTZ(t))).String()

	// A month not begun, or not a month: refused with the form again.
	for _, bad := range []string{"2999-01", "garbage", ""} {
		resp, text := e.postForm(platformHost, "/console/reports", ilo, url.Values{"month": {bad}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text, `name="month"`) {
			t.Errorf("month %q: %d", bad, resp.StatusCode)
		}
	}
	if resp, _ := e.page(platformHost, "/console/reports/"+month, ilo); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a report never generated: %d, want 404", resp.StatusCode)
	}
	resp, _ := e.postForm(platformHost, "/console/reports", ilo, url.Values{"month": {month}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/reports/"+month {
		t.Fatalf("generate: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, list := e.page(platformHost, "/console/reports", ilo)
	if !strings.Contains(list, "/console/reports/"+month+"?lang=en") || !strings.Contains(list, "/console/reports/"+month+"?lang=id") {
		t.Errorf("the console does not list the report in both languages:\n%.2000s", list)
	}
	for lang, words := range map[string][]string{
		"en": {"Cross-union monthly report", "By union", "withheld", `lang="en"`},
		"id": {"Laporan bulanan lintas serikat", "Per serikat", "disembunyikan", `lang="id"`},
	} {
		resp, doc := e.page(platformHost, "/console/reports/"+month+"?lang="+lang, ilo)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s document: %d", lang, resp.StatusCode)
		}
		for _, w := range words {
			if !strings.Contains(doc, w) {
				t.Errorf("%s document lacks %q", lang, w)
			}
		}
		if !strings.HasPrefix(doc, "<!doctype html>") || !strings.Contains(doc, `href="/static/report.css"`) {
			t.Errorf("%s document is not a standalone printable page", lang)
		}
		resp, _ = e.page(platformHost, "/console/reports/"+month+"?lang="+lang+"&download=1", ilo)
		if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, month+"-"+lang+".html") {
			t.Errorf("%s download: Content-Disposition %q", lang, cd)
		}
	}
	// The numbers: SPN's garment month holds 6 complaints and 1 aspiration
	// (plus the demo's cases); through the API every row under k is null.
	_, v := e.getJSON(platformHost, "/api/v1/platform/reports/"+month, ilo)
	k := int(v["k"].(float64))
	sectors, _ := v["sectors"].([]any)
	if len(sectors) == 0 {
		t.Fatalf("no sector in %v", v)
	}
	small, shown := 0, 0
	for _, sec := range sectors {
		for _, name := range []string{"summary", "trend", "unions", "categories"} {
			rows := sec.(map[string]any)[name].(map[string]any)["rows"].([]any)
			for _, r := range rows {
				row := r.(map[string]any)
				if _, ok := row["suppressed"]; ok {
					t.Errorf("%s: a row says whether it is suppressed: withheld rows are left out: %v", name, row)
				}
				if c, ok := row["count"].(float64); ok {
					shown++
					if int(c) < k || int(c)%k != 0 {
						t.Errorf("%s: a count of %v published with k = %d (want a multiple of k)", name, c, k)
					}
				}
				if name == "categories" && row["count"] == nil {
					small++
				}
			}
		}
	}
	if shown == 0 || small != 0 {
		t.Errorf("shown %d cells, %d category rows without a count: want some, and none", shown, small)
	}
	// The listing through the API.
	_, l := e.getJSON(platformHost, "/api/v1/platform/reports", ilo)
	if reps, _ := l["reports"].([]any); len(reps) != 1 || reps[0].(map[string]any)["month"] != month {
		t.Errorf("reports listed: %v", l)
	}
}

// The report routes on the platform host (the hostile suite attacks every
// route on a tenant host, where these answer 404): hostile months are not
// found or refused, never a 500, and nothing is stored.
func TestPlatformReportsHostile(t *testing.T) {
	e := newCaseEnv(t)
	ilo := e.login(platformHost, map[string]string{"email": "ilo@platform.example", "password": demoPW})
	for _, m := range append([]string{"2026-13", "2026-1", "0000-01", "2026-10-01", "999999-01"}, hostileParams...) {
		if len(m) > 1000 {
			continue // over the server's header buffer: refused before routing
		}
		for _, path := range []string{"/api/v1/platform/reports/" + m, "/console/reports/" + m} {
			resp, text := e.get(platformHost, path, append(bearer(ilo), "Cookie", "suara_session="+ilo)...)
			if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusBadRequest {
				t.Errorf("GET %s: %d", path, resp.StatusCode)
			}
			if strings.HasPrefix(path, "/api/") && resp.StatusCode < 500 && !strings.Contains(text, `"error"`) {
				t.Errorf("GET %s: no error shape: %.200s", path, text)
			}
		}
	}
	for _, s := range append([]string{"2026-13", "1999-12-01"}, hostileStrings...) {
		resp, _ := e.postForm(platformHost, "/console/reports", ilo, url.Values{"month": {s}})
		if resp.StatusCode != http.StatusUnprocessableEntity && resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("POST month %.40q: %d", s, resp.StatusCode)
		}
	}
	// Without the CSRF token the form is refused before it runs.
	resp, _ := e.send(http.MethodPost, platformHost, "/console/reports", "application/x-www-form-urlencoded",
		strings.NewReader("month=2026-10"), "Cookie", "suara_session="+ilo)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("CSRF-less post: %d, want 403", resp.StatusCode)
	}
	var n int
	if err := e.db.Super.QueryRowContext(context.Background(), "SELECT count(*) FROM analytics_reports").Scan(&n); err != nil || n != 0 {
		t.Errorf("refused requests stored %d reports (%v)", n, err)
	}
}
