package jobs_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/jobs"
	"github.com/suara-id/suara/internal/tenant"
)

// Unions with the same training inputs share one model; a union's confirmed
// labels make a model of its own, which no other union is given.
func TestModelsShareOnlyEqualInputs(t *testing.T) {
	m := jobs.NewModels()
	garment := []tenant.Category{
		{Slug: "upah", NameID: "Upah", NameEN: "Wages", Keywords: []string{"gaji", "upah"}},
		{Slug: "k3", NameID: "K3", NameEN: "Safety", Keywords: []string{"apd", "kecelakaan"}},
	}
	a, b := uuid.New(), uuid.New()
	in := func(tenantID uuid.UUID, key string, labels ...cases.Label) *cases.ClassificationInput {
		return &cases.ClassificationInput{TenantID: tenantID, Categories: garment, Labels: labels, ModelKey: key}
	}

	ma := m.For(in(a, "a1"))
	if mb := m.For(in(b, "b1")); mb != ma {
		t.Fatal("two unions with the same categories and no labels trained two models")
	}
	// A category saved unchanged gives a new ModelKey, not a new model.
	if again := m.For(in(a, "a2")); again != ma {
		t.Error("an unchanged category set was trained again")
	}

	// Union a confirms a label: its model is its own, b keeps the shared one.
	label := cases.Label{Text: "mandor menahan gaji kami dua bulan", Sector: "garment", Type: "complaint", Category: "upah", Urgency: "high", Tags: []string{"upah_terlambat"}}
	la := m.For(in(a, "a3", label))
	if la == ma {
		t.Fatal("a union's confirmed label did not change its model")
	}
	// b's key changes (a category saved again): its model is looked up by
	// content, and must be the label-free one, not a's.
	if mb := m.For(in(b, "b2")); mb == la || mb != ma {
		t.Error("a union was given the model trained on another union's labels")
	}
}
