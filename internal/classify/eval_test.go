package classify

import (
	"context"
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
	// tags: TP 2 (t1, t3), FP 2 (t2, t4), FN 2 (thr, pesangon) → 0.5
	if rep.TagMicroF1 != 0.5 || rep.UrgencyAccuracy != 0.75 || rep.TypeAccuracy != 0.75 {
		t.Errorf("tag %v urgency %v type %v", rep.TagMicroF1, rep.UrgencyAccuracy, rep.TypeAccuracy)
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if last := lines[len(lines)-1]; last != "macro_f1=0.778 accuracy=0.750 n=4" {
		t.Errorf("last line %q", last)
	}
	if !strings.Contains(out.String(), "jaminan_sosial") || !strings.Contains(out.String(), "confusion") {
		t.Errorf("report lacks per-category rows or confusion matrix:\n%s", out.String())
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
