package jobs

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/classify"
	"github.com/suara-id/suara/internal/tenant"
)

// A model no union uses any more is released; one still used is kept.
func TestModelsReleaseUnusedModels(t *testing.T) {
	m := NewModels()
	// The cache's bookkeeping is under test, not training (a second each
	// under the race detector).
	m.train = func([]classify.Example, []classify.Category, []classify.Example) *classify.Builtin {
		return new(classify.Builtin)
	}
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

// One union's training never holds up another's classification, and unions
// asking for the same inputs at once share the one training.
func TestModelsServeOthersWhileTraining(t *testing.T) {
	m := NewModels()
	started, release := make(chan struct{}), make(chan struct{})
	var trainings atomic.Int32
	m.train = func(_ []classify.Example, _ []classify.Category, confirmed []classify.Example) *classify.Builtin {
		trainings.Add(1)
		if len(confirmed) > 0 {
			started <- struct{}{}
			<-release
		}
		return new(classify.Builtin)
	}
	cats := []tenant.Category{{Slug: "upah", NameID: "Upah", Keywords: []string{"gaji"}}}
	labels := []cases.Label{{Text: "gaji dipotong tanpa slip", Category: "upah", Urgency: "normal", Type: "complaint"}}
	a, b, c := uuid.New(), uuid.New(), uuid.New()
	ma := m.For(&cases.ClassificationInput{TenantID: a, Categories: cats, ModelKey: "a1"})

	trainedFor := make(chan *classify.Builtin, 2)
	go func() {
		trainedFor <- m.For(&cases.ClassificationInput{TenantID: b, Categories: cats, Labels: labels, ModelKey: "b1"})
	}()
	<-started // b's model is training
	go func() {
		trainedFor <- m.For(&cases.ClassificationInput{TenantID: c, Categories: cats, Labels: labels, ModelKey: "c1"})
	}()
	servedA := make(chan *classify.Builtin)
	go func() { servedA <- m.For(&cases.ClassificationInput{TenantID: a, Categories: cats, ModelKey: "a1"}) }()
	select {
	case got := <-servedA:
		if got != ma {
			t.Error("a's cached model changed while b trained")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a's classification waited for b's training")
	}
	close(release)
	mb, mc := <-trainedFor, <-trainedFor
	if mb != mc {
		t.Error("b and c have equal inputs but got different models")
	}
	if n := trainings.Load(); n != 2 {
		t.Errorf("%d trainings, want 2 (a's, and one for b and c)", n)
	}
}
