package classify

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
)

// TestBaseExamplesWellFormed checks the embedded training set: labels from
// the taxonomy, tags from the vocabulary, and enough texts per category.
func TestBaseExamplesWellFormed(t *testing.T) {
	exs := BaseExamples()
	cats := map[string]int{}
	for _, c := range DefaultCategories() {
		cats[c.Slug] = 0
	}
	tags := setOf(DefaultTags()...)
	nOwn := len(ownExamples())
	for i, e := range exs {
		if _, ok := cats[e.Category]; !ok {
			t.Errorf("example %d: unknown category %q", i+1, e.Category)
		}
		cats[e.Category]++
		if !contains(urgencies, e.Urgency) || !contains(caseTypes, e.Type) {
			t.Errorf("example %d: urgency %q type %q", i+1, e.Urgency, e.Type)
		}
		// own texts carry one to three tags; the blind annotators' none
		if own := i < nOwn; own && (len(e.Tags) == 0 || len(e.Tags) > 3) || !own && len(e.Tags) > 0 {
			t.Errorf("example %d: %d tags", i+1, len(e.Tags))
		}
		for _, tg := range e.Tags {
			if !tags[tg] {
				t.Errorf("example %d: tag %q not in vocabulary", i+1, tg)
			}
		}
		if !contains([]string{"garment", "footwear", "palm_oil"}, e.Sector) {
			t.Errorf("example %d: sector %q", i+1, e.Sector)
		}
	}
	for c, n := range cats {
		if n < 40 {
			t.Errorf("category %s has %d examples, want at least 40", c, n)
		}
	}
}

// shingles returns the set of word 5-shingles of normalised text.
func shingles(text string) map[string]bool {
	toks := normalizeText(text)
	out := map[string]bool{}
	if len(toks) < 5 {
		out[strings.Join(toks, " ")] = true
		return out
	}
	for i := 0; i+5 <= len(toks); i++ {
		out[strings.Join(toks[i:i+5], " ")] = true
	}
	return out
}

func jaccard(a, b map[string]bool) float64 {
	inter := 0
	for s := range a {
		if b[s] {
			inter++
		}
	}
	union := len(a) + len(b) - inter
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}

// TestBaseDoesNotLeakDevTexts keeps the measuring file honest: no training
// text may equal, contain, be contained in, or nearly copy a dev text. A
// missing dev file fails the test rather than skipping it.
func TestBaseDoesNotLeakDevTexts(t *testing.T) {
	f, err := os.Open(devPath(t))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var dev []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		var row struct{ Text string }
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			t.Fatal(err)
		}
		dev = append(dev, row.Text)
	}
	if len(dev) < 200 {
		t.Fatalf("dev file has %d texts; expected the full measuring file", len(dev))
	}
	devNorm := make([]string, len(dev))
	devSh := make([]map[string]bool, len(dev))
	for i, d := range dev {
		devNorm[i] = strings.Join(normalizeText(d), " ")
		devSh[i] = shingles(d)
	}
	worst := 0.0
	for i, e := range BaseExamples() {
		n := strings.Join(normalizeText(e.Text), " ")
		sh := shingles(e.Text)
		for j := range dev {
			if n == devNorm[j] || strings.Contains(n, devNorm[j]) || strings.Contains(devNorm[j], n) {
				t.Errorf("base example %d equals or contains dev text %d", i+1, j+1)
			}
			jac := jaccard(sh, devSh[j])
			worst = max(worst, jac)
			if jac > 0.5 {
				t.Errorf("base example %d is near-identical to dev text %d (jaccard %.2f)", i+1, j+1, jac)
			}
		}
	}
	t.Logf("highest 5-shingle jaccard between base and dev: %.3f", worst)
}

// TestUrgencyLabelsAreTheAnnotatorsMedian: an own text's high, normal or
// low is the median of three annotations (ours and two blind ones,
// testdata/urgency-annotations.jsonl; docs/classifier-measurements.md,
// steps 84 and 86); critical stays with our label and the rules.
func TestUrgencyLabelsAreTheAnnotatorsMedian(t *testing.T) {
	ordered := []string{"low", "normal", "high", "critical"}
	rank := map[string]int{}
	for i, u := range ordered {
		rank[u] = i
	}
	f, err := os.Open("testdata/urgency-annotations.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	files := map[string][]byte{"data/base.jsonl": baseJSONL, "data/round2.jsonl": round2JSONL, "data/round3.jsonl": round3JSONL}
	labels := map[string][]string{}
	for name, b := range files {
		for _, line := range strings.Split(string(b), "\n") {
			var e Example
			if strings.TrimSpace(line) != "" {
				if err := json.Unmarshal([]byte(line), &e); err != nil {
					t.Fatal(err)
				}
			}
			labels[name] = append(labels[name], e.Urgency)
		}
	}
	// Critical by a rule added after the annotations (step 85).
	raised := map[string]bool{"data/base.jsonl:399": true}
	// High by the round-12 policy (step 113): sexual harassment short of
	// assault and forced-labour indicators short of being locked in or held.
	lowered := map[string]bool{
		"data/base.jsonl:328": true, "data/base.jsonl:332": true, "data/base.jsonl:337": true, "data/base.jsonl:341": true, "data/base.jsonl:347": true,
		"data/base.jsonl:354": true, "data/base.jsonl:363": true, "data/base.jsonl:366": true, "data/base.jsonl:412": true, "data/base.jsonl:421": true,
		"data/base.jsonl:422": true, "data/base.jsonl:428": true, "data/base.jsonl:432": true,
		"data/round2.jsonl:35": true, "data/round2.jsonl:36": true, "data/round2.jsonl:38": true, "data/round2.jsonl:39": true, "data/round2.jsonl:40": true,
		"data/round2.jsonl:42": true, "data/round2.jsonl:50": true, "data/round2.jsonl:51": true, "data/round2.jsonl:84": true, "data/round2.jsonl:246": true,
		"data/round3.jsonl:76": true, "data/round3.jsonl:93": true,
	}
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		var a struct {
			File                     string
			Line                     int
			Original, Blind1, Blind2 string
		}
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatal(err)
		}
		n++
		got := labels[a.File][a.Line-1]
		r := []int{rank[a.Original], rank[a.Blind1], rank[a.Blind2]}
		sort.Ints(r)
		want := ordered[r[1]]
		key := fmt.Sprintf("%s:%d", a.File, a.Line)
		switch {
		case lowered[key]:
			want = "high"
		case a.Original == "critical" || raised[key]:
			want = "critical"
		case want == "critical":
			want = a.Original
		}
		if got != want {
			t.Errorf("%s line %d: %s, want %s (annotations %s/%s/%s)", a.File, a.Line, got, want, a.Original, a.Blind1, a.Blind2)
		}
	}
	if n != len(ownExamples()) {
		t.Errorf("%d annotations for %d texts", n, len(ownExamples()))
	}
}

// TestBlindLabelsMeetTheRules: a blind annotator's text keeps the
// annotator's urgency unless a life-and-limb rule sets a higher floor,
// which then wins, as in the own texts (data.go). A rule changed later
// shows here as the texts whose label must follow it.
func TestBlindLabelsMeetTheRules(t *testing.T) {
	for i, line := range strings.Split(strings.TrimSpace(string(blindJSONL)), "\n") {
		var e struct {
			Text, Urgency string
			Author        string `json:"author_urgency"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("data/blind.jsonl line %d: %v", i+1, err)
		}
		want := e.Author
		if floor, _ := UrgencyFloor(e.Text); floor != "" && urgencyRank(floor) < urgencyRank(want) {
			want = floor
		}
		if e.Urgency != want {
			t.Errorf("data/blind.jsonl line %d: urgency %s, want %s (annotator %s)", i+1, e.Urgency, want, e.Author)
		}
	}
}
