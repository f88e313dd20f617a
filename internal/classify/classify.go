// Package classify owns case classification: the Classifier interface, the
// built-in model, the Ollama client and evaluation.
//
// Classification is advisory: callers store a Result as a suggestion that an
// officer accepts or corrects, so every implementation must answer with a
// category from the tenant's active list rather than fail.
package classify

import (
	"context"
	"time"
)

// Category is one entry of a tenant's taxonomy as the classifier sees it.
type Category struct {
	Slug          string
	NameID        string
	NameEN        string
	DescriptionID string
	DescriptionEN string
	Examples      []string
	Keywords      []string
}

// Example is a labelled training text.
type Example struct {
	Text     string   `json:"text"`
	Sector   string   `json:"sector,omitempty"`
	Type     string   `json:"type,omitempty"`
	Category string   `json:"category"`
	Urgency  string   `json:"urgency,omitempty"`
	Tags     []string `json:"tags,omitempty"`
}

// Input is one case to classify together with the tenant context it is
// classified against.
type Input struct {
	Text   string
	Sector string
	// Type is complaint, aspiration or information; "" when unknown.
	Type string
	// Locale is "id" or "en": the language of the recommended steps.
	Locale string
	// Categories are the tenant's active categories; the output category
	// is always one of these slugs.
	Categories []Category
	// Tags is the tenant's tag vocabulary; output tags come from it.
	Tags []string
	// Playbook maps a category slug to playbook steps in Locale.
	Playbook map[string][]string
}

// Result is a classification suggestion.
type Result struct {
	Category   string
	Confidence float64
	Tags       []string // at most MaxTags
	Urgency    string   // critical, high, normal or low
	// UrgencyRules names the life-and-limb rules that set a floor under
	// Urgency (empty when none matched): the "why" officers see.
	UrgencyRules []string
	// CategoryTerms are the words of the text that weighed most for
	// Category (built-in model only): the other half of the "why".
	CategoryTerms []string
	Type          string
	Language      string // "id", "en" or "jv", best effort
	Steps         []string
	Model         string
	Version       string
	Latency       time.Duration
	// FallbackReason is set when Ollama failed and the built-in answered.
	FallbackReason string
}

// Classifier suggests a category, tags, urgency, type and next steps for a case.
type Classifier interface {
	Classify(ctx context.Context, in Input) (Result, error)
}

// MaxTags bounds the tags of a Result.
const MaxTags = 5

// Urgency levels, most urgent first.
var urgencies = []string{"critical", "high", "normal", "low"}

// Intake types.
var caseTypes = []string{"complaint", "aspiration", "information"}

// Urgencies returns the urgency levels, most urgent first.
func Urgencies() []string { return append([]string(nil), urgencies...) }

// Types returns the intake types.
func Types() []string { return append([]string(nil), caseTypes...) }

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
