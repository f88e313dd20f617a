package web

import (
	"io/fs"
	"path"
	"sort"
	"strings"
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"gopkg.in/yaml.v3"

	"github.com/suara-id/suara/internal/classify"
)

// Both languages carry every message: a missing key would show its id.
func TestLocalesHaveSameKeys(t *testing.T) {
	keys := map[string]map[string]bool{"id": {}, "en": {}}
	files, _ := fs.Glob(localesFS, "locales/*.yaml")
	for _, f := range files {
		parts := strings.Split(strings.TrimSuffix(path.Base(f), ".yaml"), ".")
		l := parts[len(parts)-1]
		if keys[l] == nil {
			t.Fatalf("%s: unknown language %q", f, l)
		}
		data, err := localesFS.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := yaml.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for k, v := range m {
			if v == "" {
				t.Errorf("%s: %s is empty", f, k)
			}
			keys[l][k] = true
		}
	}
	var missing []string
	for k := range keys["id"] {
		if !keys["en"][k] {
			missing = append(missing, "en:"+k)
		}
	}
	for k := range keys["en"] {
		if !keys["id"][k] {
			missing = append(missing, "id:"+k)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("missing messages: %v", missing)
	}
}

func TestPickLocale(t *testing.T) {
	cases := []struct{ q, cookie, accept, fallback, want string }{
		{"en", "id", "", "id", "en"},
		{"", "en", "", "id", "en"},
		{"", "", "en-US,en;q=0.9", "id", "en"},
		{"", "", "fr-FR", "id", "id"},
		{"xx", "", "", "en", "en"},
		{"", "", "", "", "id"},
	}
	for _, c := range cases {
		if got, _ := pickLocale(c.q, c.cookie, c.accept, c.fallback); got != c.want {
			t.Errorf("pickLocale(%+v) = %s", c, got)
		}
	}
}

// Every life-and-limb rule the classifier can report is named to the officer
// in both languages, not shown as a message id.
func TestUrgencyRulesHaveLabels(t *testing.T) {
	b, err := newBundle()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"id", "en"} {
		loc := i18n.NewLocalizer(b, lang)
		for _, name := range classify.UrgencyRuleNames() {
			id := "ai.rule." + name
			if got := translate(loc, id); got == id {
				t.Errorf("%s: no label for rule %s", lang, name)
			}
		}
	}
}
