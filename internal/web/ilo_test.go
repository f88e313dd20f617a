package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/suara-id/suara/internal/analytics"
	"github.com/suara-id/suara/internal/db"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// Acceptance 2 (issue 22): anonymous and confidential reporters who chose
// to give their gender count in the gender breakdown, above k, and nothing
// that could identify them is stored with it or leaves with it.
func TestSelfDeclaredGenderCountsWithoutIdentity(t *testing.T) {
	e := newCaseEnv(t)
	worker := e.login(spnHost, map[string]string{"phone": "081200000001", "password": demoPW})
	wp := e.workplaceID("spn", "pt-maju-jaya-garmen")
	var ids []string
	for i := 0; i < 4; i++ {
		out := e.file(spnHost, "", map[string]any{"type": "complaint", "workplace_id": wp, "safety_mode": "anonymous",
			"description":     fmt.Sprintf("Pelecehan oleh mandor di lini %d, berulang kali.", i),
			"reporter_gender": "female", "reporter_age_band": "18_24", "employment_status": "pkwt", "buyer_brands": []string{"H&M, Uniqlo"}},
			"X-Forwarded-For", fmt.Sprintf("10.9.0.%d", i+1))
		ids = append(ids, out["id"].(string))
	}
	for i := 0; i < 3; i++ {
		out := e.file(spnHost, worker, map[string]any{"type": "complaint", "workplace_id": wp, "safety_mode": "confidential",
			"description": fmt.Sprintf("Pelecehan di gudang, kejadian ke-%d.", i), "reporter_gender": "female"})
		ids = append(ids, out["id"].(string))
	}
	// A bad choice is refused in the reporter's language, with no case.
	for lang, want := range map[string]string{"id": "Pilihan", "en": "choice"} {
		resp, body := e.postJSON(spnHost, "/api/v1/cases", map[string]any{"type": "complaint", "description": "Deskripsi yang cukup panjang.",
			"safety_mode": "anonymous", "reporter_gender": "robot"}, "Accept-Language", lang)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(body), want) {
			t.Errorf("%s: bad gender: %d %v", lang, resp.StatusCode, body)
		}
	}
	// Stored on the case, beside no identity.
	err := db.InTenantTx(context.Background(), e.db.App, e.tenantID("spn"), func(ctx context.Context, tx bun.Tx) error {
		for _, id := range ids {
			var gender, mode string
			var user *uuid.UUID
			var brands []string
			if err := tx.QueryRowContext(ctx, "SELECT reporter_gender, safety_mode, reporter_user_id, buyer_brands FROM cases WHERE id = ?", id).
				Scan(&gender, &mode, &user, pgdialect.Array(&brands)); err != nil {
				return err
			}
			if gender != "female" || user != nil {
				t.Errorf("case %s (%s): gender %q, user %v", id, mode, gender, user)
			}
			if mode == "anonymous" && strings.Join(brands, ",") != "h-and-m,uniqlo" {
				t.Errorf("brands stored as %v, want normalised slugs", brands)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e.rollup()
	ilo := e.login(platformHost, map[string]string{"email": "ilo@platform.example", "password": demoPW})
	// The seven women count: above k (5) together.
	resp, v := e.getJSON(platformHost, "/api/v1/platform/aggregates?by=gender&tenant=SPN&from=2024-01&to=2030-12", ilo)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("aggregates: %d %v", resp.StatusCode, v)
	}
	female := 0.0
	for _, r := range v["rows"].([]any) {
		row := r.(map[string]any)
		if len(row) != 2 { // gender and count: nothing else
			t.Errorf("row carries more than its key and count: %v", row)
		}
		if row["gender"] == "female" {
			female = row["count"].(float64)
		}
	}
	if female < 5 {
		t.Errorf("self-declared women not in the gender breakdown: %v", v["rows"])
	}
	// And through the ILO cube, by employment status (the four anonymous
	// ones are under k there: left out, key and all).
	resp, v = e.getJSON(platformHost, "/api/v1/platform/aggregates?by=gender,employment_status&from=2024-01&to=2030-12", ilo)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("ilo aggregates: %d %v", resp.StatusCode, v)
	}
	for _, r := range v["rows"].([]any) {
		row := r.(map[string]any)
		if row["employment_status"] == "pkwt" && row["gender"] == "female" {
			t.Errorf("a cell of 4 published: %v", row)
		}
	}
	resp, v = e.getJSON(platformHost, "/api/v1/platform/aggregates?by=gender,age_band&measures=count&from=2024-01&to=2030-12", ilo)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("ilo aggregates: %d %v", resp.StatusCode, v)
	}
}

// Bad filters and shapes: 422 with the message in the caller's language.
func TestAggregateBadFiltersBothLanguages(t *testing.T) {
	e := newCaseEnv(t)
	ilo := e.login(platformHost, map[string]string{"email": "ilo@platform.example", "password": demoPW})
	for _, q := range []string{
		"by=gender&from=2026-02&to=2026-06",                              // mid-quarter
		"by=employment_status,company",                                   // ILO with company
		"by=employment_status,membership,age_band",                       // three ILO dims
		"by=ladder&measures=median_resolution_days",                      // ILO and a main-cube measure
		"by=category,gender&sector=garment&province=Riau&type=complaint", // five stacked
		"by=brand&nonsense=1&measures=money_recovered_idr,gossip",        // unknown measure
	} {
		for lang, want := range map[string]string{"id": "isian", "en": "field"} {
			resp, body := e.get(platformHost, "/api/v1/platform/aggregates?"+q, append(bearer(ilo), "Accept-Language", lang)...)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(strings.ToLower(body), want) {
				t.Errorf("%s (%s): %d %s", q, lang, resp.StatusCode, body)
			}
		}
	}
}

// The outcome: staff record it at resolution; a staff member of another
// union or branch cannot; the reporter reads it in plain words.
func TestOutcomeRecordedAndShownToReporter(t *testing.T) {
	e := newCaseEnv(t)
	worker := e.login(spnHost, map[string]string{"phone": "081200000001", "password": demoPW})
	officer := e.login(spnHost, map[string]string{"email": "officer@spn.example", "password": demoPW})
	other := e.login("garteks.localhost", map[string]string{"email": "admin@garteks.example", "password": demoPW})
	wp := e.workplaceID("spn", "pt-maju-jaya-garmen")
	id := e.file(spnHost, worker, map[string]any{"type": "complaint", "workplace_id": wp, "description": "Upah lembur tidak dibayar tiga bulan."})["id"].(string)
	for _, tr := range []string{"verify", "start", "resolve"} {
		if resp, body := e.postJSON(spnHost, "/api/v1/cases/"+id+"/transitions", map[string]any{"transition": tr}, bearer(officer)...); resp.StatusCode != 200 {
			t.Fatalf("%s: %d %v", tr, resp.StatusCode, body)
		}
	}
	body := map[string]any{"ladder_stage": "mediation", "outcome_types": []string{"back_pay"}, "money_idr": "12.500.000", "money_workers": "3"}
	if resp, _ := e.postJSON("garteks.localhost", "/api/v1/cases/"+id+"/outcome", body, bearer(other)...); resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("another union's admin recording an outcome: %d", resp.StatusCode)
	}
	if resp, _ := e.postJSON(spnHost, "/api/v1/cases/"+id+"/outcome", body, bearer(other)...); resp.StatusCode < 400 {
		t.Errorf("another union's token on this union: %d", resp.StatusCode)
	}
	if resp, out := e.postJSON(spnHost, "/api/v1/cases/"+id+"/outcome", body, bearer(officer)...); resp.StatusCode != 200 || out["money_idr"] != float64(12500000) {
		t.Fatalf("outcome: %d %v", resp.StatusCode, out)
	}
	_, page := e.page(spnHost, "/cases/"+id, worker)
	for _, w := range []string{"Mediasi di Disnaker", "Upah tertunggak dibayar", "Rp 12.500.000 untuk 3 pekerja"} {
		if !strings.Contains(page, w) {
			t.Errorf("reporter's page lacks %q", w)
		}
	}
	e.rollup()
	ilo := e.login(platformHost, map[string]string{"email": "ilo@platform.example", "password": demoPW})
	resp, v := e.getJSON(platformHost, "/api/v1/platform/aggregates?by=ladder&measures=count,back_pay,money_recovered_idr&from=2024-01&to=2030-12", ilo)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("ladder: %d %v", resp.StatusCode, v)
	}
	for _, r := range v["rows"].([]any) {
		if r.(map[string]any)["ladder"] == "mediation" {
			t.Errorf("one mediation published: %v", r)
		}
	}
}

// The platform admin reaches the analysts' query log from the console by
// clicking, and finds the analyst's query there; an analyst has no link
// and no access.
func TestQueryLogForThePlatformAdmin(t *testing.T) {
	e := newCaseEnv(t)
	ilo := e.login(platformHost, map[string]string{"email": "ilo@platform.example", "password": demoPW})
	root := e.login(platformHost, map[string]string{"email": "root@platform.example", "password": demoPW})
	if resp, body := e.get(platformHost, "/api/v1/platform/aggregates?by=category&measures=count&tenant=SPN", bearer(ilo)...); resp.StatusCode != 200 {
		t.Fatalf("aggregates: %d %s", resp.StatusCode, body)
	}
	_, home := e.page(platformHost, "/console", root)
	if !strings.Contains(home, `href="/console/query-log"`) {
		t.Fatal("no link to the query log on the platform admin's console")
	}
	_, page := e.page(platformHost, "/console/query-log", root)
	for _, w := range []string{"ILO Analyst", `&#34;tenant&#34;: &#34;SPN&#34;`, "api"} {
		if !strings.Contains(page, w) {
			t.Errorf("query log page lacks %q", w)
		}
	}
	_, home = e.page(platformHost, "/console", ilo)
	if strings.Contains(home, `href="/console/query-log"`) {
		t.Error("an analyst is shown the query log link")
	}
	if resp, _ := e.page(platformHost, "/console/query-log", ilo); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an analyst reads the query log: %d", resp.StatusCode)
	}
	if resp, _ := e.page(spnHost, "/console/query-log", root); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the query log on a tenant host: %d", resp.StatusCode)
	}
}

// Acceptance 4 (issue 22): the OpenAPI document and the console's glossary
// describe every dimension and measure the explorer accepts, in both
// languages, so an analyst never meets a name nothing explains.
func TestEveryDimensionAndMeasureDescribed(t *testing.T) {
	doc := apiDoc(t)
	op := doc.Paths.Find("/platform/aggregates").Get
	params := map[string]string{}
	for _, p := range op.Parameters {
		params[p.Value.Name] = p.Value.Description
	}
	word := func(text, name string) bool {
		return regexp.MustCompile(`(^|[^a-z_])` + name + `([^a-z_]|$)`).MatchString(text)
	}
	for _, d := range analytics.Dimensions {
		if !word(params["by"], d) {
			t.Errorf("OpenAPI: the aggregates 'by' parameter does not name dimension %q", d)
		}
	}
	for _, m := range analytics.Measures {
		if !word(params["measures"], m) {
			t.Errorf("OpenAPI: the aggregates 'measures' parameter does not name measure %q", m)
		}
	}

	e := newCaseEnv(t)
	ilo := e.login(platformHost, map[string]string{"email": "ilo@platform.example", "password": demoPW})
	term := regexp.MustCompile(`<dt>([^<]*) <code>([a-z_]+)</code></dt><dd>([^<]*)</dd>`)
	for _, lang := range []string{"id", "en"} {
		resp, page := e.page(platformHost, "/console/explore?lang="+lang, ilo)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("explore (%s): %d", lang, resp.StatusCode)
		}
		described := map[string]bool{}
		for _, m := range term.FindAllStringSubmatch(page, -1) {
			label, desc := strings.TrimSpace(m[1]), strings.TrimSpace(m[3])
			if label == "" || desc == "" || strings.HasPrefix(label, "console.") || strings.HasPrefix(desc, "console.") {
				t.Errorf("glossary (%s): %q is %q: %q", lang, m[2], label, desc)
				continue
			}
			described[m[2]] = true
		}
		for _, name := range append(slices.Clone(analytics.Dimensions), analytics.Measures...) {
			if !described[name] {
				t.Errorf("glossary (%s): %q is not described", lang, name)
			}
		}
	}
}
