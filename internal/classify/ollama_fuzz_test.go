package classify

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzOllamaReply: whatever a model answers, parsing and validation never
// panic, and an accepted reply only ever holds the tenant's own category,
// its own tags, a known urgency and type, and a confidence in [0, 1].
func FuzzOllamaReply(f *testing.F) {
	for _, s := range []string{
		`{"category":"upah","confidence":0.9,"tags":["lembur"],"urgency":"high","type":"complaint","language":"id","steps":["a"]}`,
		`{"category":"robot","confidence":2}`,
		`{"category":"upah","confidence":-0.1,"urgency":"normal","type":"complaint"}`,
		`{"category":"upah","confidence":null}`,
		`{"category":"upah","confidence":1e309}`,
		`{"category":"k3","confidence":0.5,"tags":["lembur","lembur","x"],"urgency":"low","type":"aspiration"}`,
		`[]`, `null`, `"text"`, `{"category":`, "```json\n{}\n```",
	} {
		f.Add(s)
	}
	in := Input{
		Text: "Upah lembur tidak dibayar", Type: "", Locale: "id",
		Categories: []Category{{Slug: "upah"}, {Slug: "k3"}, {Slug: "lainnya"}},
		Tags:       []string{"lembur", "thr"},
		Playbook:   map[string][]string{"upah": {"Kumpulkan slip gaji"}},
	}
	f.Fuzz(func(t *testing.T, content string) {
		var rep ollamaReply
		if err := json.NewDecoder(strings.NewReader(content)).Decode(&rep); err != nil {
			return
		}
		res, err := validateReply(rep, in)
		if err != nil {
			return
		}
		if res.Category != "upah" && res.Category != "k3" && res.Category != "lainnya" {
			t.Fatalf("category %q accepted", res.Category)
		}
		if res.Confidence < 0 || res.Confidence > 1 {
			t.Fatalf("confidence %v accepted", res.Confidence)
		}
		if len(res.Tags) > MaxTags {
			t.Fatalf("%d tags accepted", len(res.Tags))
		}
		for _, tag := range res.Tags {
			if tag != "lembur" && tag != "thr" {
				t.Fatalf("tag %q accepted", tag)
			}
		}
		if !contains(urgencies, res.Urgency) || !contains(caseTypes, res.Type) {
			t.Fatalf("urgency %q / type %q accepted", res.Urgency, res.Type)
		}
		if len(res.Steps) == 0 || len(res.Steps) > maxSteps {
			t.Fatalf("%d steps", len(res.Steps))
		}
	})
}
