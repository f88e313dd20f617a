package jobs_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/tenant"
)

// staff creates a federation admin of t and returns them as a caller.
func (f *fixture) staff(t *tenant.Tenant, email string) *auth.Principal {
	f.t.Helper()
	u, _, err := f.accounts.CreateAccount(context.Background(), t, auth.NewAccount{Name: "Admin", Email: email,
		Password: "suara-demo", SkipStrengthCheck: true, Role: "federation_admin"})
	if err != nil {
		f.t.Fatal(err)
	}
	return &auth.Principal{UserID: u.ID, TenantID: t.ID, Kind: "staff"}
}

// suggestedTags waits for the case's suggestion and returns its tags.
func (f *fixture) suggestedTags(caseID uuid.UUID) []string {
	f.t.Helper()
	f.waitSuggestion(caseID, 2*time.Minute)
	var tags []string
	if err := f.db.Super.QueryRowContext(context.Background(),
		"SELECT tags FROM case_suggestions WHERE case_id = ? ORDER BY created_at DESC LIMIT 1", caseID).Scan(pgdialect.Array(&tags)); err != nil {
		f.t.Fatal(err)
	}
	return tags
}

// activeTags are t's active tags, read under its RLS scope.
func (f *fixture) activeTags(t *tenant.Tenant) []string {
	f.t.Helper()
	var out []string
	err := db.InTenantTx(context.Background(), f.db.App, t.ID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out, err = tenant.ActiveTagSlugs(ctx, tx)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

// A union's suggestions carry only its own active tags: a tag spn adds is
// suggested for spn and never for garteks, which lacks it; every suggested
// tag is an active tag of the case's union; once spn retires the tag it is
// suggested no more.
func TestSuggestionsCarryTheUnionsActiveTags(t *testing.T) {
	f := newFixture(t, "", 0, 2)
	ctx := context.Background()
	spn, garteks := f.resolver.BySlug("spn"), f.resolver.BySlug("garteks")
	admins := tenant.NewAdmin(f.db.App, f.authz)
	admin := f.staff(spn, "admin@spn.example")
	if _, err := admins.AddTag(ctx, spn, admin, tenant.TagInput{Slug: "galon_kosong", NameID: "Galon kosong", NameEN: "Empty water dispenser"}); err != nil {
		t.Fatal(err)
	}
	const text = "Galon kosong di lantai produksi sejak pagi, kami tidak bisa minum selama shift."
	subset := func(union *tenant.Tenant, tags []string) {
		t.Helper()
		active := f.activeTags(union)
		for _, tg := range tags {
			if !slices.Contains(active, tg) {
				t.Errorf("%s suggested %q, not one of its active tags", union.Slug, tg)
			}
		}
	}
	got := f.suggestedTags(f.file("spn", text))
	subset(spn, got)
	if !slices.Contains(got, "galon_kosong") {
		t.Errorf("spn's own tag not suggested: %v", got)
	}
	got = f.suggestedTags(f.file("garteks", text))
	subset(garteks, got)
	if slices.Contains(got, "galon_kosong") {
		t.Errorf("garteks got spn's tag: %v", got)
	}

	if err := admins.RetireTag(ctx, spn, admin, "galon_kosong"); err != nil {
		t.Fatal(err)
	}
	got = f.suggestedTags(f.file("spn", text+" Tolong."))
	subset(spn, got)
	if slices.Contains(got, "galon_kosong") {
		t.Errorf("retired tag still suggested: %v", got)
	}
	// Another union's admin neither retires nor sees it: garteks has no
	// such tag (404), whatever spn holds.
	gAdmin := f.staff(garteks, "admin@garteks.example")
	if err := admins.RetireTag(ctx, garteks, gAdmin, "lembur"); err != nil {
		t.Fatalf("garteks retires its own tag: %v", err)
	}
	if err := admins.RetireTag(ctx, garteks, gAdmin, "lembur"); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("retire twice: %v", err)
	}
	if !slices.Contains(f.activeTags(spn), "lembur") {
		t.Error("garteks's retirement reached spn")
	}
	if err := admins.RetireTag(ctx, spn, gAdmin, "lembur"); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("garteks admin retiring spn's tag: %v, want forbidden", err)
	}
}

// Officers' corrections choose only the union's active tags (422 on tags
// otherwise), and a tag the union added is learnt from them: after a few
// corrections the union's model suggests it for a text that does not name
// it. Retiring it stops the suggestions and refuses it in corrections,
// while the corrected cases and confirmed labels keep it.
func TestCorrectionsTeachTheUnionsOwnTags(t *testing.T) {
	f := newFixture(t, "", 0, 2)
	ctx := context.Background()
	spn, garteks := f.resolver.BySlug("spn"), f.resolver.BySlug("garteks")
	admins := tenant.NewAdmin(f.db.App, f.authz)
	admin, gAdmin := f.staff(spn, "admin@spn.example"), f.staff(garteks, "admin@garteks.example")
	if _, err := admins.AddTag(ctx, spn, admin, tenant.TagInput{Slug: "simpanan_koperasi", NameID: "Simpanan koperasi", NameEN: "Cooperative savings"}); err != nil {
		t.Fatal(err)
	}
	const text = "Uang tabungan kami di koperasi karyawan tidak bisa dicairkan sudah setahun, pengurusnya selalu menghindar."
	if got := f.suggestedTags(f.file("spn", text)); slices.Contains(got, "simpanan_koperasi") {
		t.Fatalf("suggested before any correction: %v", got)
	}
	refused := func(what string, err error) {
		t.Helper()
		var v *apperr.Validation
		if !errors.As(err, &v) || v.Fields["tags"] != "error.tag_unknown" {
			t.Errorf("%s: %v, want 422 on tags", what, err)
		}
	}
	var corrected []uuid.UUID
	for i := range 4 {
		id := f.file("spn", text+" "+string(rune('a'+i)))
		f.waitSuggestion(id, 2*time.Minute)
		if i == 0 {
			_, err := f.cases.DecideSuggestion(ctx, spn.ID, admin, id, cases.Decision{Tags: []string{"simpanan_koperasi", "tidak_ada"}, Urgency: "normal"})
			refused("unknown tag", err)
		}
		if _, err := f.cases.DecideSuggestion(ctx, spn.ID, admin, id, cases.Decision{Tags: []string{"simpanan_koperasi"}, Urgency: "normal"}); err != nil {
			t.Fatalf("correct: %v", err)
		}
		corrected = append(corrected, id)
	}
	if got := f.suggestedTags(f.file("spn", text+" Mohon dibantu.")); !slices.Contains(got, "simpanan_koperasi") {
		t.Errorf("spn's tag not learnt from corrections: %v", got)
	}
	// garteks lacks the tag: its officers cannot choose it.
	gCase := f.file("garteks", text)
	f.waitSuggestion(gCase, 2*time.Minute)
	_, err := f.cases.DecideSuggestion(ctx, garteks.ID, gAdmin, gCase, cases.Decision{Tags: []string{"simpanan_koperasi"}, Urgency: "normal"})
	refused("another union's tag", err)

	if err := admins.RetireTag(ctx, spn, admin, "simpanan_koperasi"); err != nil {
		t.Fatal(err)
	}
	if got := f.suggestedTags(f.file("spn", text+" Mohon segera.")); slices.Contains(got, "simpanan_koperasi") {
		t.Errorf("retired tag still suggested: %v", got)
	}
	last := f.file("spn", text+" Terima kasih.")
	f.waitSuggestion(last, 2*time.Minute)
	_, err = f.cases.DecideSuggestion(ctx, spn.ID, admin, last, cases.Decision{Tags: []string{"simpanan_koperasi"}, Urgency: "normal"})
	refused("retired tag", err)
	var kept, labels int
	if err := f.db.Super.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM cases WHERE id IN (?) AND 'simpanan_koperasi' = ANY (tags)),
		(SELECT count(*) FROM classifier_labels WHERE 'simpanan_koperasi' = ANY (tags))`, bun.List(corrected)).Scan(&kept, &labels); err != nil {
		t.Fatal(err)
	}
	if kept != len(corrected) || labels != len(corrected) {
		t.Errorf("after retiring: %d cases and %d labels keep the tag, want %d", kept, labels, len(corrected))
	}
}
