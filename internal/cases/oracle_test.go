package cases_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/cases"
)

// TestHintsAreNoOracle (issue 18, acceptance 2, service side): duplicate
// hints never come from anonymous, confidential or non-collective cases,
// whatever the probe — one word or the case's whole text — and "add my
// voice" answers "not found" for them as for an id that does not exist.
func TestHintsAreNoOracle(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := f.service(t, keyA)
	wp := f.workplace(t, "pt-maju-jaya-garmen")
	wid := uuid.MustParse(wp)
	reporter, stranger := f.workers[0], f.workers[1]
	texts := map[string]string{
		"anonymous":    "Mandor Budiman di line jahit tujuh membentak operator shift malam dan memotong upah lembur tanpa alasan.",
		"confidential": "Supervisor Hartono di gudang bahan menahan slip gaji pekerja kontrak harian selama tiga bulan berturut.",
		"named":        "Kepala regu Santoso memaksa pekerja bagian finishing masuk kerja hari Minggu tanpa bayaran tambahan.",
		"collective":   "Kantin pabrik menyajikan makanan basi untuk pekerja shift pagi setiap hari Senin sampai Jumat.",
	}
	ids := map[string]uuid.UUID{}
	for mode, text := range texts {
		fl := cases.Filing{Type: "complaint", WorkplaceID: wp, Description: text, SafetyMode: mode}
		p := reporter
		switch mode {
		case "anonymous":
			p = nil
		case "collective":
			fl.SafetyMode, fl.Collective = "named", true
		}
		out, err := svc.File(ctx, f.t, p, fl)
		if err != nil {
			t.Fatalf("file %s: %v", mode, err)
		}
		ids[mode] = out.ID
	}
	for mode, text := range texts {
		probes := []string{strings.Fields(text)[1], text, strings.ToUpper(text)}
		for _, probe := range probes {
			hints, err := svc.DuplicateHints(ctx, f.t.ID, stranger, wid, probe)
			if err != nil {
				t.Fatal(err)
			}
			want := 0
			if mode == "collective" && len(strings.Fields(probe)) > 1 {
				want = 1
			}
			if len(hints) != want || (want == 1 && hints[0].ID != ids["collective"]) {
				t.Errorf("%s case, probe %.30q: %d hints, want %d", mode, probe, len(hints), want)
			}
		}
	}
	// One meaningful word wrapped in filler words says nothing either.
	if h, _ := svc.DuplicateHints(ctx, f.t.ID, stranger, wid, "yang dan di ke Budiman ini itu kami"); len(h) != 0 {
		t.Errorf("a one-word probe in stop words got %d hints", len(h))
	}
	for _, mode := range []string{"anonymous", "confidential", "named"} {
		if _, err := svc.Support(ctx, f.t.ID, stranger, ids[mode]); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("support on the %s case: %v, want not found", mode, err)
		}
	}
	if _, err := svc.Support(ctx, f.t.ID, stranger, uuid.New()); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("support on no case: %v", err)
	}
	if n, err := svc.Support(ctx, f.t.ID, stranger, ids["collective"]); err != nil || n != 1 {
		t.Errorf("support on the collective case: %d %v", n, err)
	}
	// Only named cases may be collective.
	for _, mode := range []string{"confidential", "anonymous"} {
		p := reporter
		if mode == "anonymous" {
			p = nil
		}
		_, err := svc.File(ctx, f.t, p, cases.Filing{Type: "complaint", Description: texts["named"], SafetyMode: mode, Collective: true})
		var ve *apperr.Validation
		if !errors.As(err, &ve) || ve.Fields["collective"] != "error.collective_named_only" {
			t.Errorf("collective %s filing: %v", mode, err)
		}
	}
}

// TestRecommendationsBranchScope: "similar resolved cases" shown to a plant
// officer come only from where they may read cases; the federation admin
// sees the other province's case.
func TestRecommendationsBranchScope(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := f.service(t, keyA)
	h := f.handlers(t)
	text := "Upah lembur tidak dibayar sesuai aturan sejak tiga bulan di bagian produksi."
	banten, err := svc.File(ctx, f.t, f.workers[1], cases.Filing{Type: "complaint", Description: text,
		WorkplaceID: f.workplace(t, "pt-kharisma-sepatu-nusantara")})
	if err != nil {
		t.Fatal(err)
	}
	f.setStatus(t, banten.ID, cases.StatusResolved)
	local := f.fileAt(t, svc, f.workers[0])
	f.setStatus(t, local.ID, cases.StatusResolved)
	// An anonymous resolved case at the same plant is offered, but without
	// its title or resolution: a reporter's own words may name them.
	anon, err := svc.File(ctx, f.t, nil, cases.Filing{Type: "complaint", Title: "Lembur Bu Sari di line 4",
		Description: "Upah lembur tidak dibayar sesuai aturan sejak tiga bulan, kata Bu Sari di line 4.",
		WorkplaceID: f.workplace(t, "pt-maju-jaya-garmen")})
	if err != nil {
		t.Fatal(err)
	}
	f.setStatus(t, anon.ID, cases.StatusResolved)
	open := f.fileAt(t, svc, f.workers[0])

	similar := func(p string) map[uuid.UUID]bool {
		t.Helper()
		who := f.officer
		if p == "fed" {
			who = h.fed
		}
		rec, err := svc.Recommendations(ctx, f.t.ID, who, open.ID, "id")
		if err != nil {
			t.Fatalf("recommendations for %s: %v", p, err)
		}
		out := map[uuid.UUID]bool{}
		for _, s := range rec.Similar {
			out[s.ID] = true
		}
		return out
	}
	rec, err := svc.Recommendations(ctx, f.t.ID, f.officer, open.ID, "id")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range rec.Similar {
		if s.ID == anon.ID && (!s.Masked || s.Title != "" || s.Resolution != "") {
			t.Errorf("anonymous similar case shown with its words: %+v", s)
		}
		if s.ID == local.ID && (s.Masked || s.Title == "") {
			t.Errorf("named similar case masked: %+v", s)
		}
	}
	if got := similar("officer"); got[banten.ID] || !got[local.ID] || !got[anon.ID] {
		t.Errorf("plant officer's similar cases: %v; want the local case only (banten %s)", got, banten.ID)
	}
	if got := similar("fed"); !got[banten.ID] || !got[local.ID] {
		t.Errorf("federation admin's similar cases: %v; want both", got)
	}
}

// TestAnonymousFilingTime: an anonymous case keeps only the hour it was
// filed, to the case row and its first event (the SLA clocks count working
// days from it, at most an hour early, never late).
func TestAnonymousFilingTime(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := f.service(t, keyA)
	exact := time.Date(2026, 11, 17, 9, 47, 13, 123456000, time.UTC) // a Tuesday
	svc.Now = func() time.Time { return exact }
	anon, err := svc.File(ctx, f.t, nil, cases.Filing{Type: "complaint", Description: "Pintu darurat dikunci saat jam kerja."})
	if err != nil {
		t.Fatal(err)
	}
	named := f.fileAt(t, svc, f.workers[0])
	var anonAt, namedAt, eventAt time.Time
	f.caseRow(t, anon.ID, "created_at", &anonAt)
	f.caseRow(t, named.ID, "created_at", &namedAt)
	if err := dbTenant(f, func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT created_at FROM case_events WHERE case_id = ? AND seq = 1", anon.ID).Scan(&eventAt)
	}); err != nil {
		t.Fatal(err)
	}
	hour := exact.Truncate(time.Hour)
	if !anonAt.Equal(hour) || !eventAt.Equal(hour) {
		t.Errorf("anonymous filing stored at %v / event %v, want the hour %v", anonAt, eventAt, hour)
	}
	if !namedAt.Equal(exact) {
		t.Errorf("named filing stored at %v, want %v", namedAt, exact)
	}
	if got := cases.AnonymousFiledAt(exact); !got.Equal(hour) || got.After(exact) {
		t.Errorf("AnonymousFiledAt = %v", got)
	}
}

// TestAnonymousCaseKeepsTheHourEverywhere: what follows an anonymous filing
// (the reporter's evidence, the classifier's suggestion, every timeline
// event, the case's updated_at) keeps the hour too, or any one of them
// would give the filing to the microsecond. Rows of one hour still list in
// the order they came. A named case keeps its exact times.
func TestAnonymousCaseKeepsTheHourEverywhere(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := f.service(t, keyA)
	exact := time.Date(2026, 11, 17, 9, 47, 13, 123456000, time.UTC)
	clock := exact
	svc.Now = func() time.Time { return clock }
	anon, err := svc.File(ctx, f.t, nil, cases.Filing{Type: "complaint", Description: "Pintu darurat dikunci saat jam kerja.",
		WorkplaceID: f.workplace(t, "pt-maju-jaya-garmen")})
	if err != nil {
		t.Fatal(err)
	}
	named, err := svc.File(ctx, f.t, f.workers[0], cases.Filing{Type: "complaint", Description: "Slip gaji salah hitung bulan ini."})
	if err != nil {
		t.Fatal(err)
	}
	tok := session(t, svc, f.t.ID, anon.ReceiptCode)
	pdf := "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
	for i, when := range []time.Duration{2 * time.Second, 3 * time.Second} {
		clock = exact.Add(when)
		if _, err := svc.AddEvidenceByReceipt(ctx, f.t.ID, tok, "bukti.pdf", "application/pdf", strings.NewReader(pdf)); err != nil {
			t.Fatalf("anonymous evidence %d: %v", i+1, err)
		}
		if _, err := svc.AddEvidence(ctx, f.t.ID, f.workers[0], named.ID, "slip.pdf", "application/pdf", strings.NewReader(pdf)); err != nil {
			t.Fatalf("named evidence %d: %v", i+1, err)
		}
	}
	clock = exact.Add(5 * time.Second)
	for _, id := range []uuid.UUID{anon.ID, named.ID} {
		for _, cat := range []string{"k3", "upah"} { // a second one, as after a transcript
			if err := svc.SaveSuggestion(ctx, f.t.ID, &cases.Suggestion{CaseID: id, Model: "builtin", CategorySlug: cat, Confidence: 0.9, Urgency: "normal", Type: "complaint"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	hour := exact.Truncate(time.Hour)
	times := func(id uuid.UUID) (out []time.Time) {
		t.Helper()
		err := dbTenant(f, func(ctx context.Context, tx bun.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT created_at FROM case_events WHERE case_id = ?
				UNION ALL SELECT updated_at FROM cases WHERE id = ?
				UNION ALL SELECT created_at FROM evidence_files WHERE case_id = ?
				UNION ALL SELECT created_at FROM case_suggestions WHERE case_id = ?`, id, id, id, id)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var at time.Time
				if err := rows.Scan(&at); err != nil {
					return err
				}
				out = append(out, at)
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	anonTimes := times(anon.ID)
	if len(anonTimes) < 8 {
		t.Fatalf("%d stored times for the anonymous case, want its events, evidence and suggestions", len(anonTimes))
	}
	for _, at := range anonTimes {
		if !at.Truncate(time.Hour).Equal(hour) || at.Sub(hour) > time.Millisecond {
			t.Errorf("anonymous case stores %v, want its hour %v (plus at most the microseconds that order its rows)", at, hour)
		}
	}
	precise := 0
	for _, at := range times(named.ID) {
		if at.Sub(at.Truncate(time.Second)) > 0 || at.Second() != 0 {
			precise++
		}
	}
	if precise == 0 {
		t.Error("the named case's times were coarsened too")
	}
	// Of one hour, the later suggestion is the one shown, and the evidence
	// lists in the order it came.
	sg, err := svc.LatestSuggestion(ctx, f.t.ID, f.officer, anon.ID)
	if err != nil || sg.CategorySlug != "upah" {
		t.Errorf("latest suggestion of the anonymous case: %+v, %v; want the second (upah)", sg, err)
	}
	v, err := svc.Get(ctx, f.t.ID, f.officer, anon.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Evidence) != 2 || v.Evidence[0].DisplayName != "bukti-1.pdf" || v.Evidence[1].DisplayName != "bukti-2.pdf" {
		t.Errorf("evidence of the anonymous case listed as %+v, want bukti-1 then bukti-2", v.Evidence)
	}
}
