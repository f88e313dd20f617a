package classify

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// devPath is the shared measuring file, outside the repository: the repo
// root's parent holds shared/.
func devPath(t testing.TB) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "data", "complaints-dev.jsonl")
	if _, err := os.Stat(p); err != nil {
		// a git worktree under /work/wt/<name> sits one level deeper
		p = filepath.Join("..", "..", "..", "..", "shared", "data", "complaints-dev.jsonl")
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("shared dev file missing (it is required to measure the classifier): %v", err)
	}
	return p
}

func TestEvalReport(t *testing.T) {
	f, err := os.Open(devPath(t))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := defaultModel()
	var out strings.Builder
	rep, err := Evaluate(context.Background(), b, f, DefaultCategories(), DefaultTags(), &out)
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
	if rep.N != 247 {
		t.Errorf("n = %d, want 247", rep.N)
	}
	if rep.MacroF1 < 0.80 {
		t.Errorf("macro-F1 %.3f below the 0.80 acceptance target", rep.MacroF1)
	}
	t.Logf("model size %d bytes, version %s", b.SizeBytes(), b.Version())
}
