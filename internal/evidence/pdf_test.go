package evidence_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/suara-id/suara/internal/evidence"
	"github.com/suara-id/suara/internal/evidence/evidencetest"
)

// TestPDFRewrittenWhole: the PDF with Info, XMP, an annotation author, a
// placed camera JPEG and an exiftool incremental update comes out as one
// fresh revision holding none of it, with its page.
func TestPDFRewrittenWhole(t *testing.T) {
	in := evidencetest.PDF(t)
	if bytes.Count(in, []byte("%%EOF")) < 2 {
		t.Fatal("fixture has no incremental update")
	}
	cl := &evidence.Cleaner{Limits: evidence.DefaultLimits(), TmpDir: t.TempDir()}
	u, err := cl.Ingest(context.Background(), bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	defer u.Cleanup()
	f, _ := u.Open()
	out, _ := io.ReadAll(f)
	f.Close()
	if n := bytes.Count(out, []byte("%%EOF")); n != 1 {
		t.Errorf("%d revisions in the cleaned PDF, want 1", n)
	}
	evidencetest.CheckClean(t, "pdf", out)
	evidencetest.CheckOpens(t, "pdf", out)
}
