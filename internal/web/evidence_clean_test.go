package web_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/evidence/evidencetest"
)

// TestAnonymousEvidenceCleaned is issue 18's acceptance 1: an anonymous
// reporter uploads, through the API, a real file of every kind with
// identifying metadata planted in every field and a file name that names
// them; exiftool, ffprobe and plain unzip/inflate then find none of it in
// the stored bytes, the downloaded bytes or the case JSON, and the file
// still opens.
func TestAnonymousEvidenceCleaned(t *testing.T) {
	evidencetest.Tool(t, "exiftool")
	evidencetest.Tool(t, "ffprobe")
	e := newCaseEnv(t)
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	newCase := func() (id, code string) {
		out := e.file(spnHost, "", map[string]any{"type": "complaint", "safety_mode": "anonymous",
			"description": "Lembur tidak dibayar, bukti terlampir dari ponsel saya."})
		return out["id"].(string), fmt.Sprint(out["receipt_code"])
	}
	kinds := []struct {
		name, file, ctype, ext string
		make                   func(testing.TB) []byte
		streams                []string
	}{
		{"jpeg", "IMG_20260112_083015 Siti Rahayu.jpg", "image/jpeg", ".jpg", evidencetest.JPEG, nil},
		{"png", "Screenshot Siti Rahayu.png", "image/png", ".png", evidencetest.PNG, nil},
		{"mp4", "VID_20260112 Siti Rahayu.mp4", "video/mp4", ".mp4", evidencetest.MP4, []string{"video", "audio"}},
		{"webm", "rekaman Siti Rahayu.webm", "video/webm", ".webm", evidencetest.WebM, []string{"video", "audio"}},
		{"mp3", "suara Siti Rahayu.mp3", "audio/mpeg", ".mp3", evidencetest.MP3, []string{"audio"}},
		{"m4a", "suara Siti Rahayu.m4a", "audio/mp4", ".m4a", evidencetest.M4A, []string{"audio"}},
		{"ogg", "PTT Siti Rahayu.ogg", "audio/ogg", ".ogg", evidencetest.OGG, []string{"audio"}},
		{"docx", "CV Siti Rahayu.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", evidencetest.DOCX, nil},
		{"xlsx", "Lembur Siti Rahayu.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", evidencetest.XLSX, nil},
		{"odt", "Surat Siti Rahayu.odt", "application/vnd.oasis.opendocument.text", ".odt", evidencetest.ODT, nil},
		{"pdf", "CV Siti Rahayu.pdf", "application/pdf", ".pdf", evidencetest.PDF, nil},
	}
	var id, code, rtok string
	var ins, outs [][]byte
	for i, k := range kinds {
		if i%6 == 0 { // a case holds at most 10 files
			id, code = newCase()
			// One receipt session per case: the per-address receipt
			// throttle counts every request, as a reporter's phone would.
			rtok = e.receiptSession(spnHost, code)
		}
		in := k.make(t)
		resp, body := e.upload(spnHost, "/api/v1/receipt/evidence", rtok, k.file, k.ctype, in)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("%s upload: %d %v", k.name, resp.StatusCode, body)
		}
		want := fmt.Sprintf("bukti-%d%s", i%6+1, k.ext)
		if body["name"] != want {
			t.Errorf("%s: name %v, want %s", k.name, body["name"], want)
		}
		fileID := body["id"].(string)
		// The stored bytes, read from the evidence folder.
		var key string
		e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
			return tx.QueryRowContext(ctx, "SELECT storage_key FROM evidence_files WHERE id = ?", fileID).Scan(&key)
		})
		stored, err := os.ReadFile(filepath.Join(e.cfg.Paths.Data, "evidence", filepath.FromSlash(key)))
		if err != nil {
			t.Fatal(err)
		}
		// The bytes the reporter downloads are the same.
		resp, down := e.get(spnHost, "/api/v1/receipt/evidence/"+fileID, bearer(rtok)...)
		if resp.StatusCode != 200 || down != string(stored) {
			t.Fatalf("%s download: %d, %d bytes, stored %d", k.name, resp.StatusCode, len(down), len(stored))
		}
		if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, want) || strings.Contains(cd, "Siti") {
			t.Errorf("%s: Content-Disposition %q", k.name, cd)
		}
		ins, outs = append(ins, in), append(outs, stored)
	}
	// One exiftool run reads every fixture and every stored file.
	exif := evidencetest.ExifMany(t, append(append([][]byte{}, ins...), outs...)...)
	for i, k := range kinds {
		if n := len(evidencetest.FindingsIn(t, exif[i], ins[i])); n < 3 {
			t.Errorf("%s: fixture shows %d findings: the check could not fail", k.name, n)
		}
		got := exif[len(ins)+i]
		for _, f := range evidencetest.FindingsIn(t, got, outs[i]) {
			t.Errorf("%s stored: %s", k.name, f)
		}
		evidencetest.CheckOpensIn(t, got, k.name, outs[i], k.streams...)
	}
	// The case JSON, as the reporter and as staff see it, and the rows.
	for _, view := range []struct{ path, tok string }{{"/api/v1/receipt", rtok}, {"/api/v1/cases/" + id, admin}} {
		resp, text := e.get(spnHost, view.path, bearer(view.tok)...)
		if resp.StatusCode != 200 || !strings.Contains(text, "bukti-1") {
			t.Fatalf("%s: %d %s", view.path, resp.StatusCode, text)
		}
		for _, m := range append(evidencetest.Markers, "original_sha256", "original_size", "IMG_", "CV ") {
			if strings.Contains(strings.ToLower(text), strings.ToLower(m)) {
				t.Errorf("%s shows %q", view.path, m)
			}
		}
	}
	for _, m := range []string{"Siti", "Rahayu", "IMG_2026"} {
		if n := e.countRows("spn", `SELECT (SELECT count(*) FROM evidence_files f WHERE f::text LIKE '%' || ? || '%')
			+ (SELECT count(*) FROM case_events v WHERE v.payload LIKE '%' || ? || '%')`, m, m); n != 0 {
			t.Errorf("%q stored in %d evidence rows or events", m, n)
		}
	}
}
