package classify

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// ClassScore is the precision, recall and F1 of one category.
type ClassScore struct {
	Category  string
	Precision float64
	Recall    float64
	F1        float64
	Support   int // gold texts of the category
}

// Report is the outcome of Evaluate.
type Report struct {
	N        int
	Accuracy float64
	// MacroF1 averages F1 over the categories that occur in the gold labels
	// or the predictions.
	MacroF1     float64
	PerCategory []ClassScore
	// Confusion[i][j] counts texts of gold Labels[i] predicted as Labels[j].
	Labels          []string
	Confusion       [][]int
	TagMicroF1      float64
	UrgencyAccuracy float64 // over texts with a gold urgency
	TypeAccuracy    float64 // over texts with a gold type
	Fallbacks       int     // results with a FallbackReason
	// PerUrgency and PerTag score each urgency level and each tag that
	// occurs in the gold labels or the predictions.
	PerUrgency []ClassScore
	PerTag     []ClassScore
	// CriticalRecall and CriticalPrecision score the "critical" level.
	CriticalRecall    float64
	CriticalPrecision float64
	Elapsed           time.Duration
	TextsPerSecond    float64
}

// evalRow is one line of the labelled JSONL format (shared/data).
type evalRow struct {
	ID string `json:"id"`
	Example
}

// Evaluate classifies every labelled text of r against cats and tags and
// writes a human-readable report to w whose last line is
// "macro_f1=0.000 accuracy=0.000 n=0". The input type is withheld from the
// classifier so that type accuracy measures prediction.
func Evaluate(ctx context.Context, c Classifier, r io.Reader, cats []Category, tags []string, w io.Writer) (Report, error) {
	return EvaluateTo(ctx, c, r, cats, tags, w, nil)
}

// predictionLine is one line of the --predictions file.
type predictionLine struct {
	ID         string    `json:"id"`
	Gold       evalLabel `json:"gold"`
	Predicted  evalLabel `json:"predicted"`
	Confidence float64   `json:"confidence"`
	Rules      []string  `json:"urgency_rules,omitempty"`
}

type evalLabel struct {
	Category string   `json:"category"`
	Urgency  string   `json:"urgency"`
	Type     string   `json:"type"`
	Tags     []string `json:"tags"`
}

// counts accumulates true positives, false positives and false negatives
// per label.
type counts map[string]*[3]int

func (c counts) add(label string, k int) {
	if c[label] == nil {
		c[label] = &[3]int{}
	}
	c[label][k]++
}

func (c counts) scores(order []string) []ClassScore {
	var out []ClassScore
	seen := map[string]bool{}
	emit := func(l string) {
		n := c[l]
		if seen[l] || n == nil {
			return
		}
		seen[l] = true
		s := ClassScore{Category: l, Support: n[0] + n[2], Precision: ratio(n[0], n[0]+n[1]), Recall: ratio(n[0], n[0]+n[2])}
		if s.Precision+s.Recall > 0 {
			s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
		}
		out = append(out, s)
	}
	for _, l := range order {
		emit(l)
	}
	rest := make([]string, 0, len(c))
	for l := range c {
		rest = append(rest, l)
	}
	sort.Strings(rest)
	for _, l := range rest {
		emit(l)
	}
	return out
}

// EvaluateTo is Evaluate that also writes one JSON line per text (id, gold
// and predicted labels, confidence, matched urgency rules) to pred when pred
// is not nil, for error analysis.
func EvaluateTo(ctx context.Context, c Classifier, r io.Reader, cats []Category, tags []string, w, pred io.Writer) (Report, error) {
	var rep Report
	idx := make(map[string]int, len(cats))
	for _, cat := range cats {
		if _, dup := idx[cat.Slug]; !dup {
			idx[cat.Slug] = len(rep.Labels)
			rep.Labels = append(rep.Labels, cat.Slug)
		}
	}
	if len(rep.Labels) == 0 {
		return rep, ErrNoCategories
	}
	k := len(rep.Labels)
	rep.Confusion = make([][]int, k)
	for i := range rep.Confusion {
		rep.Confusion[i] = make([]int, k)
	}

	var rows []evalRow
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for line := 1; sc.Scan(); line++ {
		t := strings.TrimSpace(sc.Text())
		if t == "" {
			continue
		}
		var row evalRow
		if err := json.Unmarshal([]byte(t), &row); err != nil {
			return rep, fmt.Errorf("eval line %d: %w", line, err)
		}
		if _, ok := idx[row.Category]; !ok {
			return rep, fmt.Errorf("eval line %d: unknown category %q", line, row.Category)
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		return rep, fmt.Errorf("eval read: %w", err)
	}

	var tagTP, tagFP, tagFN, urgOK, urgN, typOK, typN int
	urgC, tagC := counts{}, counts{}
	var enc *json.Encoder
	if pred != nil {
		enc = json.NewEncoder(pred)
		enc.SetEscapeHTML(false)
	}
	start := time.Now()
	for _, row := range rows {
		res, err := c.Classify(ctx, Input{Text: row.Text, Sector: row.Sector, Locale: "id", Categories: cats, Tags: tags})
		if err != nil {
			return rep, fmt.Errorf("eval %s: %w", row.ID, err)
		}
		p, ok := idx[res.Category]
		if !ok {
			return rep, fmt.Errorf("eval %s: classifier answered unknown category %q", row.ID, res.Category)
		}
		rep.Confusion[idx[row.Category]][p]++
		gold := map[string]bool{}
		for _, t := range row.Tags {
			gold[t] = true
		}
		// A text without gold tags is not scored on tags: the blind
		// annotators' texts and the urgency probe sets carry none, and every
		// case gets at least one tag.
		scoreTags := res.Tags
		if len(row.Tags) == 0 {
			scoreTags = nil
		}
		for _, t := range scoreTags {
			if gold[t] {
				tagTP++
				tagC.add(t, 0)
				delete(gold, t)
			} else {
				tagFP++
				tagC.add(t, 1)
			}
		}
		tagFN += len(gold)
		for t := range gold {
			tagC.add(t, 2)
		}
		if row.Urgency != "" {
			urgN++
			if res.Urgency == row.Urgency {
				urgOK++
				urgC.add(row.Urgency, 0)
			} else {
				urgC.add(res.Urgency, 1)
				urgC.add(row.Urgency, 2)
			}
		}
		if enc != nil {
			line := predictionLine{ID: row.ID, Confidence: res.Confidence, Rules: res.UrgencyRules,
				Gold:      evalLabel{Category: row.Category, Urgency: row.Urgency, Type: row.Type, Tags: nonNil(row.Tags)},
				Predicted: evalLabel{Category: res.Category, Urgency: res.Urgency, Type: res.Type, Tags: nonNil(res.Tags)}}
			if err := enc.Encode(line); err != nil {
				return rep, fmt.Errorf("eval write predictions: %w", err)
			}
		}
		if row.Type != "" {
			typN++
			if res.Type == row.Type {
				typOK++
			}
		}
		if res.FallbackReason != "" {
			rep.Fallbacks++
		}
	}
	rep.Elapsed = time.Since(start)
	rep.N = len(rows)
	if rep.Elapsed > 0 {
		rep.TextsPerSecond = float64(rep.N) / rep.Elapsed.Seconds()
	}

	var correct, used int
	var f1sum float64
	for i, label := range rep.Labels {
		var tp, gold, pred int
		tp = rep.Confusion[i][i]
		for j := 0; j < k; j++ {
			gold += rep.Confusion[i][j]
			pred += rep.Confusion[j][i]
		}
		correct += tp
		s := ClassScore{Category: label, Support: gold, Precision: ratio(tp, pred), Recall: ratio(tp, gold)}
		if s.Precision+s.Recall > 0 {
			s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
		}
		if gold > 0 || pred > 0 {
			used++
			f1sum += s.F1
		}
		rep.PerCategory = append(rep.PerCategory, s)
	}
	rep.Accuracy = ratio(correct, rep.N)
	if used > 0 {
		rep.MacroF1 = f1sum / float64(used)
	}
	if p, r := ratio(tagTP, tagTP+tagFP), ratio(tagTP, tagTP+tagFN); p+r > 0 {
		rep.TagMicroF1 = 2 * p * r / (p + r)
	}
	rep.UrgencyAccuracy = ratio(urgOK, urgN)
	rep.PerUrgency = urgC.scores(urgencies)
	rep.PerTag = tagC.scores(nil)
	for _, s := range rep.PerUrgency {
		if s.Category == "critical" {
			rep.CriticalRecall, rep.CriticalPrecision = s.Recall, s.Precision
		}
	}
	rep.TypeAccuracy = ratio(typOK, typN)

	if err := writeReport(w, &rep); err != nil {
		return rep, fmt.Errorf("eval write report: %w", err)
	}
	return rep, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func writeReport(w io.Writer, rep *Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "category\tprecision\trecall\tf1\tsupport\t")
	for _, s := range rep.PerCategory {
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\t%d\t\n", s.Category, s.Precision, s.Recall, s.F1, s.Support)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "confusion (rows gold, columns predicted):")
	tw = tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "\t")
	for i := range rep.Labels {
		fmt.Fprintf(tw, "%d\t", i+1)
	}
	fmt.Fprintln(tw)
	for i, label := range rep.Labels {
		fmt.Fprintf(tw, "%d %s\t", i+1, label)
		for _, n := range rep.Confusion[i] {
			fmt.Fprintf(tw, "%d\t", n)
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	for _, sec := range []struct {
		head   string
		scores []ClassScore
	}{{"urgency", rep.PerUrgency}, {"tag", rep.PerTag}} {
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "%s\tprecision\trecall\tf1\tsupport\t\n", sec.head)
		for _, s := range sec.scores {
			fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\t%d\t\n", s.Category, s.Precision, s.Recall, s.F1, s.Support)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "critical_precision=%.3f critical_recall=%.3f\n", rep.CriticalPrecision, rep.CriticalRecall)
	fmt.Fprintf(w, "tag_micro_f1=%.3f urgency_accuracy=%.3f type_accuracy=%.3f fallbacks=%d\n",
		rep.TagMicroF1, rep.UrgencyAccuracy, rep.TypeAccuracy, rep.Fallbacks)
	fmt.Fprintf(w, "elapsed=%s throughput=%.1f texts/s\n", rep.Elapsed.Round(time.Millisecond), rep.TextsPerSecond)
	_, err := fmt.Fprintf(w, "macro_f1=%.3f accuracy=%.3f n=%d critical_recall=%.3f tag_micro_f1=%.3f\n",
		rep.MacroF1, rep.Accuracy, rep.N, rep.CriticalRecall, rep.TagMicroF1)
	return err
}

// foldClassifier answers each text with the model that did not see it.
type foldClassifier struct {
	models []*Builtin
	fold   map[string]int
}

func (f foldClassifier) Classify(ctx context.Context, in Input) (Result, error) {
	return f.models[f.fold[in.Text]].Classify(ctx, in)
}

// CrossValidate scores the built-in classifier by k-fold cross-validation
// over the project's own examples: each text is classified by a model
// trained on the other folds. It is the development signal for changing the
// training data, features and rules without fitting the measuring file.
func CrossValidate(ctx context.Context, exs []Example, cats []Category, tags []string, k int, w, pred io.Writer) (Report, error) {
	if k < 2 {
		k = 5
	}
	fc := foldClassifier{fold: map[string]int{}}
	var data strings.Builder
	enc := json.NewEncoder(&data)
	for i, e := range exs {
		if _, dup := fc.fold[e.Text]; dup {
			continue
		}
		fc.fold[e.Text] = i % k
		if err := enc.Encode(evalRow{ID: fmt.Sprintf("base-%04d", i+1), Example: e}); err != nil {
			return Report{}, fmt.Errorf("cross-validate: %w", err)
		}
	}
	for f := 0; f < k; f++ {
		var train []Example
		for _, e := range exs {
			if fc.fold[e.Text] != f {
				train = append(train, e)
			}
		}
		fc.models = append(fc.models, Train(train, cats, nil))
	}
	return EvaluateTo(ctx, fc, strings.NewReader(data.String()), cats, tags, w, pred)
}
