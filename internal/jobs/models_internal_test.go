package jobs

import (
	"testing"

	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/tenant"
)

// A model no union uses any more is released; one still used is kept.
func TestModelsReleaseUnusedModels(t *testing.T) {
	m := NewModels()
	cats := []tenant.Category{{Slug: "upah", NameID: "Upah", Keywords: []string{"gaji"}}, {Slug: "k3", NameID: "K3", Keywords: []string{"apd"}}}
	label := cases.Label{Text: "gaji dipotong tanpa slip", Category: "upah", Urgency: "normal", Type: "complaint", Tags: []string{"pemotongan_upah"}}
	a, b := uuid.New(), uuid.New()
	m.For(&cases.ClassificationInput{TenantID: a, Categories: cats, ModelKey: "a1"})
	m.For(&cases.ClassificationInput{TenantID: b, Categories: cats, ModelKey: "b1"})
	if len(m.trained) != 1 {
		t.Fatalf("%d models for two unions with equal inputs, want 1", len(m.trained))
	}
	m.For(&cases.ClassificationInput{TenantID: a, Categories: cats, Labels: []cases.Label{label}, ModelKey: "a2"})
	if len(m.trained) != 2 {
		t.Fatalf("%d models after a's label, want 2 (b still uses the first)", len(m.trained))
	}
	m.For(&cases.ClassificationInput{TenantID: b, Categories: cats, Labels: []cases.Label{label, label}, ModelKey: "b2"})
	if len(m.trained) != 2 {
		t.Errorf("%d models after b moved on, want 2: the first, now unused, was kept", len(m.trained))
	}
	for d, sm := range m.trained {
		if sm.users != 1 {
			t.Errorf("model %s…: %d users, want 1", d[:8], sm.users)
		}
	}
}
