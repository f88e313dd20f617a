package classify

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// fixed answers with a canned category per text.
type fixed map[string]string

func (f fixed) Classify(_ context.Context, in Input) (Result, error) {
	return Result{Category: f[in.Text], Tags: []string{"lembur"}, Urgency: "normal", Type: "complaint"}, nil
}

func TestEvaluateScoresAndLastLine(t *testing.T) {
	data := `{"id":"a","type":"complaint","category":"upah","urgency":"normal","tags":["lembur"],"text":"t1"}
{"id":"b","type":"aspiration","category":"upah","urgency":"high","tags":["thr"],"text":"t2"}

{"id":"c","type":"complaint","category":"phk","urgency":"normal","tags":["lembur","pesangon"],"text":"t3"}
{"id":"d","type":"complaint","category":"k3","urgency":"normal","tags":[],"text":"t4"}
`
	c := fixed{"t1": "upah", "t2": "phk", "t3": "phk", "t4": "k3"}
	var out strings.Builder
	rep, err := Evaluate(context.Background(), c, strings.NewReader(data), DefaultCategories(), DefaultTags(), &out)
	if err != nil {
		t.Fatal(err)
	}
	if rep.N != 4 || rep.Accuracy != 0.75 {
		t.Errorf("n %d accuracy %v", rep.N, rep.Accuracy)
	}
	// upah P=1 R=.5 F=.667; phk P=.5 R=1 F=.667; k3 F=1 → macro .778
	if got := rep.MacroF1; got < 0.777 || got > 0.778 {
		t.Errorf("macro-F1 = %v, want 0.778", got)
	}
	if rep.Confusion[0][3] != 1 { // upah predicted as phk
		t.Errorf("confusion upah→phk = %d", rep.Confusion[0][3])
	}
	// tags: TP 2 (t1, t3), FP 1 (t2), FN 2 (thr, pesangon) → 4/7; t4
	// carries no gold tags, so it is not scored on tags
	if math.Abs(rep.TagMicroF1-4.0/7) > 1e-9 || rep.UrgencyAccuracy != 0.75 || rep.TypeAccuracy != 0.75 {
		t.Errorf("tag %v urgency %v type %v", rep.TagMicroF1, rep.UrgencyAccuracy, rep.TypeAccuracy)
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if last := lines[len(lines)-1]; last != "macro_f1=0.778 accuracy=0.750 n=4 critical_recall=0.000 tag_micro_f1=0.571" {
		t.Errorf("last line %q", last)
	}
	// urgency: gold normal×3 (one t4 predicted normal) and high×1; all predicted normal
	var normal, high ClassScore
	for _, s := range rep.PerUrgency {
		switch s.Category {
		case "normal":
			normal = s
		case "high":
			high = s
		}
	}
	if normal.Precision != 0.75 || normal.Recall != 1 || high.Recall != 0 || high.Support != 1 {
		t.Errorf("per-urgency normal %+v high %+v", normal, high)
	}
	// per tag: lembur TP 2 FP 1 → P 2/3 R 1; thr FN 1
	tags := map[string]ClassScore{}
	for _, s := range rep.PerTag {
		tags[s.Category] = s
	}
	if l := tags["lembur"]; math.Abs(l.Precision-2.0/3) > 1e-9 || l.Recall != 1 || tags["thr"].Recall != 0 || tags["thr"].Support != 1 {
		t.Errorf("per-tag %+v", rep.PerTag)
	}
	if !strings.Contains(out.String(), "jaminan_sosial") || !strings.Contains(out.String(), "confusion") ||
		!strings.Contains(out.String(), "pesangon") || !strings.Contains(out.String(), "urgency  precision") {
		t.Errorf("report lacks per-category rows or confusion matrix:\n%s", out.String())
	}
}

func TestEvaluatePredictionsFile(t *testing.T) {
	data := `{"id":"a","type":"complaint","category":"upah","urgency":"high","tags":["thr"],"text":"t1"}
{"id":"b","type":"complaint","category":"phk","urgency":"normal","tags":["pesangon"],"text":"t2"}
`
	var pred strings.Builder
	_, err := EvaluateTo(context.Background(), fixed{"t1": "upah", "t2": "upah"}, strings.NewReader(data),
		DefaultCategories(), DefaultTags(), &strings.Builder{}, &pred)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(pred.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d prediction lines:\n%s", len(lines), pred.String())
	}
	var p predictionLine
	if err := json.Unmarshal([]byte(lines[1]), &p); err != nil {
		t.Fatal(err)
	}
	if p.ID != "b" || p.Gold.Category != "phk" || p.Predicted.Category != "upah" || p.Gold.Urgency != "normal" ||
		p.Predicted.Tags[0] != "lembur" || p.Gold.Tags[0] != "pesangon" {
		t.Errorf("prediction line %+v", p)
	}
}

func TestEvaluateRejectsUnknownCategoryWithLine(t *testing.T) {
	data := `{"id":"a","category":"upah","text":"t1"}
{"id":"b","category":"gaji","text":"t2"}
`
	_, err := Evaluate(context.Background(), fixed{}, strings.NewReader(data), DefaultCategories(), nil, &strings.Builder{})
	if err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), "gaji") {
		t.Errorf("err = %v, want unknown category on line 2", err)
	}
	_, err = Evaluate(context.Background(), fixed{}, strings.NewReader("{bad\n"), DefaultCategories(), nil, &strings.Builder{})
	if err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("err = %v, want a parse error on line 1", err)
	}
}
