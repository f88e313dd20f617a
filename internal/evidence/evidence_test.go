package evidence

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/jpeg"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/webp"
)

const tenant = "0b9f6c1e-8a7d-4e3f-9c2b-1a2b3c4d5e6f"

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// assertEmptyDir fails when dir holds anything: refusals must leave no
// temp file, and no half-written object in the store.
func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	var left []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			left = append(left, p)
		}
		return nil
	})
	if len(left) > 0 {
		t.Errorf("files left behind: %v", left)
	}
}

// ingestStore runs the full flow and returns what was stored and its bytes.
func ingestStore(t *testing.T, data []byte, limits Limits) (Stored, []byte, error) {
	t.Helper()
	tmp := t.TempDir()
	st := LocalStore{Root: t.TempDir()}
	ctx := context.Background()
	u, err := Ingest(ctx, bytes.NewReader(data), limits, tmp)
	if err != nil {
		assertEmptyDir(t, tmp)
		return Stored{}, nil, err
	}
	s, err := u.Store(ctx, st, tenant)
	if err != nil {
		t.Fatalf("store: %v", err)
	}
	if err := u.Cleanup(); err != nil {
		t.Fatal(err)
	}
	assertEmptyDir(t, tmp)
	rc, err := st.Open(ctx, s.Key)
	if err != nil {
		t.Fatalf("open stored: %v", err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return s, got, nil
}

func TestIngestAccepts(t *testing.T) {
	jpg := jpegOf(t, halves(64, 32))
	tests := []struct {
		name string
		data []byte
		kind Kind
		mime string
		ext  string
	}{
		{"jpeg", jpg, KindPhoto, "image/jpeg", ".jpg"},
		{"png", pngOf(t, halves(16, 8)), KindPhoto, "image/png", ".png"},
		{"webp lossy", readTestdata(t, "blue-purple-pink.lossy.webp"), KindPhoto, "image/webp", ".webp"},
		{"webp lossless", readTestdata(t, "gopher-doc.1bpp.lossless.webp"), KindPhoto, "image/webp", ".webp"},
		{"pdf", []byte(pdfDoc), KindDocument, "application/pdf", ".pdf"},
		{"docx", docx(t), KindDocument, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"},
		{"xlsx", xlsx(t), KindDocument, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"},
		{"odt", odt(t), KindDocument, "application/vnd.oasis.opendocument.text", ".odt"},
		{"pptx", zipOf(t, "[Content_Types].xml", contentTypes, "ppt/presentation.xml", `<p:presentation xmlns:p="p"/>`),
			KindDocument, "application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"},
		{"ods", zipOf(t, "mimetype", "application/vnd.oasis.opendocument.spreadsheet", "content.xml", `<office:document-content/>`),
			KindDocument, "application/vnd.oasis.opendocument.spreadsheet", ".ods"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, stored, err := ingestStore(t, tt.data, DefaultLimits())
			if err != nil {
				t.Fatalf("refused: %v (code %q)", err, Code(err))
			}
			if s.Kind != tt.kind || s.MIME != tt.mime || s.Ext != tt.ext {
				t.Errorf("got %s %s %s, want %s %s %s", s.Kind, s.MIME, s.Ext, tt.kind, tt.mime, tt.ext)
			}
			if s.StoredSHA256 != sum(stored) || s.Size != int64(len(stored)) {
				t.Errorf("stored hash/size not of the stored bytes")
			}
			if want, _ := Key(tenant, sum(stored)); s.Key != want {
				t.Errorf("key %q, want content address %q", s.Key, want)
			}
		})
	}
}

func TestIngestRefuses(t *testing.T) {
	jpg := jpegOf(t, halves(64, 32))
	small := Limits{Photo: 1000, Video: 1000, Audio: 1000, Document: 1000}
	tests := []struct {
		name   string
		data   []byte
		limits Limits
		code   string
	}{
		{"empty", nil, DefaultLimits(), "evidence.empty"},
		{"php named photo.jpg", []byte("<?php system($_GET['c']); ?>"), DefaultLimits(), "evidence.type_not_allowed"},
		{"php with leading html", []byte("<html><body><?php echo 1; ?></body></html>"), DefaultLimits(), "evidence.type_not_allowed"},
		{"html", []byte("<!DOCTYPE html><script>alert(1)</script>"), DefaultLimits(), "evidence.type_not_allowed"},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), DefaultLimits(), "evidence.type_not_allowed"},
		{"plain text", []byte("just some words"), DefaultLimits(), "evidence.type_not_allowed"},
		{"plain zip", zipOf(t, "a.txt", "hello", "b/c.txt", "world"), DefaultLimits(), "evidence.type_not_allowed"},
		{"elf binary", append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 64)...), DefaultLimits(), "evidence.type_not_allowed"},
		{"heic", ftypBox("heic"), DefaultLimits(), "evidence.heic_not_supported"},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), DefaultLimits(), "evidence.type_not_allowed"},
		{"docx with macros", docx(t, "word/vbaProject.bin", "Attribute VB_Name"), DefaultLimits(), "evidence.type_not_allowed"},
		{"docx with an embedded workbook", docx(t, "word/embeddings/Microsoft_Excel_Worksheet.xlsx", "PK"), DefaultLimits(), "evidence.uncleanable"},
		{"docx with a TIFF picture", docx(t, "word/media/image1.tiff", "II*\x00\x08\x00\x00\x00"), DefaultLimits(), "evidence.uncleanable"},
		{"pdf with an attached file", []byte(strings.Replace(pdfDoc, "/Pages 2 0 R>>", "/Pages 2 0 R/Names<</EmbeddedFiles<</Names[(a.txt) 3 0 R]>>>>>>", 1)), DefaultLimits(), "evidence.uncleanable"},
		{"docx without document part", zipOf(t, "[Content_Types].xml", contentTypes, "word/styles.xml", "<styles/>"), DefaultLimits(), "evidence.corrupt"},
		{"truncated docx", docx(t)[:len(docx(t))-30], DefaultLimits(), "evidence.corrupt"},
		{"truncated pdf", []byte(pdfDoc[:40]), DefaultLimits(), "evidence.corrupt"},
		{"truncated jpeg", jpg[:len(jpg)/2], DefaultLimits(), "evidence.corrupt"},
		{"jpeg header only", jpg[:20], DefaultLimits(), "evidence.corrupt"},
		{"jpeg magic then php", []byte("\xFF\xD8\xFF\xE0<?php system($_GET['c']); ?>"), DefaultLimits(), "evidence.corrupt"},
		{"truncated png", pngOf(t, halves(16, 8))[:60], DefaultLimits(), "evidence.corrupt"},
		{"png bomb 20000x20000", pngBomb(20000, 20000), DefaultLimits(), "evidence.image_too_large"},
		{"png bomb 11000x11000 (121 MP)", pngBomb(11000, 11000), DefaultLimits(), "evidence.image_too_large"},
		{"png bomb 13000x1", pngBomb(13000, 1), DefaultLimits(), "evidence.image_too_large"},
		{"video turned off", ftypBox("isom"), Limits{Photo: 1 << 20}, "evidence.type_not_allowed"},
		{"docx one byte over", docx(t), Limits{Document: int64(len(docx(t))) - 1}, "evidence.too_large"},
		{"pdf over small limit", []byte(pdfDoc + strings.Repeat(" ", 1000)), small, "evidence.too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ingestStore(t, tt.data, tt.limits)
			if err == nil {
				t.Fatal("accepted")
			}
			if got := Code(err); got != tt.code {
				t.Fatalf("code %q, want %q (err: %v)", got, tt.code, err)
			}
		})
	}
}

func TestLimitBoundary(t *testing.T) {
	data := docx(t, "word/pad.txt", strings.Repeat("\xAB padding ", 400))
	n := int64(len(data))
	for _, tt := range []struct {
		limit int64
		ok    bool
	}{{n, true}, {n - 1, false}, {n + 1, true}, {10, false}} {
		_, _, err := ingestStore(t, data, Limits{Document: tt.limit})
		if tt.ok && err != nil {
			t.Errorf("limit %d for %d bytes: refused: %v", tt.limit, n, err)
		}
		if !tt.ok {
			var tl *ErrTooLarge
			if !errors.As(err, &tl) || tl.Kind != KindDocument || tl.Limit != tt.limit {
				t.Errorf("limit %d for %d bytes: got %v, want ErrTooLarge{document, %d}", tt.limit, n, err, tt.limit)
			}
		}
	}
}

// countingReader is an endless stream that counts what was read from it.
type countingReader struct {
	head []byte
	n    int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	k := 0
	if c.n < int64(len(c.head)) {
		k = copy(p, c.head[c.n:])
	} else {
		for i := range p {
			p[i] = byte(i)
		}
		k = len(p)
	}
	c.n += int64(k)
	return k, nil
}

func TestIngestStopsReadingPastLimit(t *testing.T) {
	tmp := t.TempDir()
	r := &countingReader{head: ftypBox("isom")}
	const limit = 100_000
	_, err := Ingest(context.Background(), r, Limits{Video: limit}, tmp)
	var tl *ErrTooLarge
	if !errors.As(err, &tl) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
	if r.n > limit+1 {
		t.Errorf("read %d bytes from an endless stream with limit %d", r.n, limit)
	}
	assertEmptyDir(t, tmp)
}

func TestIngestCancelled(t *testing.T) {
	tmp := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Ingest(ctx, &countingReader{head: ftypBox("isom")}, DefaultLimits(), tmp)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	assertEmptyDir(t, tmp)
}

func TestDetectIgnoresNameAndHeader(t *testing.T) {
	// Ingest takes only a reader: there is no way to pass a name or a
	// Content-Type. This test pins that a JPEG is a photo by its bytes, and
	// the download name follows the bytes, not what the sender called it.
	jpg := jpegOf(t, halves(8, 8))
	typ, err := Detect(jpg)
	if err != nil || typ.Kind != KindPhoto || typ.MIME != "image/jpeg" {
		t.Fatalf("Detect(jpeg) = %+v, %v", typ, err)
	}
	if got := SafeNameWithExt("bukti.php", typ.Ext); got != "bukti.jpg" {
		t.Errorf("SafeNameWithExt = %q, want bukti.jpg", got)
	}
	if _, err := Detect([]byte("<?php echo 1; ?>")); Code(err) != "evidence.type_not_allowed" {
		t.Errorf("php detected as allowed: %v", err)
	}
}

// jpegSegments lists the markers before the first scan.
func jpegMarkers(t *testing.T, b []byte) []byte {
	t.Helper()
	var ms []byte
	i := 2
	for i+4 <= len(b) && b[i] == 0xFF {
		m := b[i+1]
		ms = append(ms, m)
		if m == 0xDA {
			break
		}
		i += 2 + int(b[i+2])<<8 | int(b[i+3])
	}
	return ms
}

func TestJPEGMetadataStripped(t *testing.T) {
	orig := withSegments(jpegOf(t, halves(64, 32)), exifAPP1(1), xmpAPP1(), segment(0xFE, []byte("<?php echo 1; ?>")))
	if !bytes.Contains(orig, gpsBytes()) || !bytes.Contains(orig, []byte("Exif\x00\x00")) {
		t.Fatal("fixture lacks the GPS EXIF it is meant to test")
	}
	s, stored, err := ingestStore(t, orig, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]byte{[]byte("Exif"), gpsBytes(), []byte("ns.adobe.com"), []byte("GPSLatitude"), []byte("<?php")} {
		if bytes.Contains(stored, bad) {
			t.Errorf("stored JPEG still contains %q", bad)
		}
	}
	for _, m := range jpegMarkers(t, stored) {
		if m >= 0xE0 && m <= 0xEF || m == 0xFE {
			t.Errorf("stored JPEG has APP/COM marker %#x", m)
		}
	}
	if s.StoredSHA256 == sum(orig) {
		t.Error("stored hash equals original: photo was not rewritten")
	}
	if _, err := jpeg.Decode(bytes.NewReader(stored)); err != nil {
		t.Errorf("stored JPEG does not decode: %v", err)
	}
}

func TestJPEGOrientationApplied(t *testing.T) {
	// 64×32, left red, right blue. Orientation 6 means "rotate 90° CW to
	// display": the upright image is 32×64 with red on top.
	for _, tt := range []struct {
		orientation   uint16
		w, h          int
		topLeft, last image.Point // sample points expected red, blue
	}{
		{1, 64, 32, image.Pt(8, 16), image.Pt(56, 16)},
		{3, 64, 32, image.Pt(56, 16), image.Pt(8, 16)},
		{6, 32, 64, image.Pt(16, 8), image.Pt(16, 56)},
		{8, 32, 64, image.Pt(16, 56), image.Pt(16, 8)},
	} {
		orig := withSegments(jpegOf(t, halves(64, 32)), exifAPP1(tt.orientation))
		s, stored, err := ingestStore(t, orig, DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		img, err := jpeg.Decode(bytes.NewReader(stored))
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != tt.w || b.Dy() != tt.h || s.Width != tt.w || s.Height != tt.h {
			t.Errorf("orientation %d: got %v (reported %dx%d), want %dx%d", tt.orientation, b, s.Width, s.Height, tt.w, tt.h)
			continue
		}
		isRed := func(p image.Point) bool { r, _, b, _ := img.At(p.X, p.Y).RGBA(); return r > b }
		if !isRed(tt.topLeft) || isRed(tt.last) {
			t.Errorf("orientation %d: red not where expected", tt.orientation)
		}
	}
}

func TestPNGMetadataStripped(t *testing.T) {
	p := pngOf(t, halves(16, 8))
	// Insert a tEXt and an eXIf chunk after IHDR (8 signature + 25 IHDR).
	exif := exifAPP1(1)[4+6:] // the TIFF block
	withMeta := append(append(append([]byte{}, p[:33]...), pngChunk("tEXt", []byte("Comment\x00lat -6.2"))...), pngChunk("eXIf", exif)...)
	withMeta = append(withMeta, p[33:]...)
	_, stored, err := ingestStore(t, withMeta, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]byte{[]byte("tEXt"), []byte("eXIf"), gpsBytes()} {
		if bytes.Contains(stored, bad) {
			t.Errorf("stored PNG still contains %q", bad)
		}
	}
}

func TestWebPMetadataStripped(t *testing.T) {
	simple := readTestdata(t, "blue-purple-pink.lossy.webp")
	vp8, w, h := vp8Chunk(t, simple)
	const exifFlag, xmpFlag = 1 << 3, 1 << 2
	orig := riff(
		vp8x(exifFlag|xmpFlag, w, h),
		vp8,
		webpChunk("EXIF", exifAPP1(1)[4+6:]),
		webpChunk("XMP ", []byte("<x:xmpmeta>GPSLatitude</x:xmpmeta>")),
		webpChunk("JUNK", []byte("<?php echo 1; ?>")),
	)
	s, stored, err := ingestStore(t, orig, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]byte{[]byte("EXIF"), []byte("XMP "), []byte("JUNK"), gpsBytes(), []byte("<?php")} {
		if bytes.Contains(stored, bad) {
			t.Errorf("stored WebP still contains %q", bad)
		}
	}
	if string(stored[12:16]) != "VP8X" || stored[20]&(exifFlag|xmpFlag) != 0 {
		t.Errorf("VP8X metadata flags not cleared: %#x", stored[20])
	}
	img, err := webp.Decode(bytes.NewReader(stored))
	if err != nil {
		t.Fatalf("stored WebP does not decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h || s.Width != w || s.Height != h {
		t.Errorf("size %v (reported %dx%d), want %dx%d", b, s.Width, s.Height, w, h)
	}
}

func TestWebPRefusals(t *testing.T) {
	simple := readTestdata(t, "blue-purple-pink.lossy.webp")
	vp8, w, h := vp8Chunk(t, simple)
	// A frame header claiming 16000×16000 behind a small VP8X canvas.
	bigFrame := append([]byte{}, vp8...)
	bigFrame[8+6], bigFrame[8+7] = 0x80, 0x3e // 16000 & 0x3fff, little-endian
	bigFrame[8+8], bigFrame[8+9] = 0x80, 0x3e
	tests := []struct {
		name string
		data []byte
		code string
	}{
		{"truncated", simple[:len(simple)/2], "evidence.corrupt"},
		{"riff size past end", append(append([]byte{}, simple[:4]...), append([]byte{0xff, 0xff, 0xff, 0x00}, simple[8:]...)...), "evidence.corrupt"},
		{"huge canvas", riff(vp8x(0, 20000, 20000), vp8), "evidence.image_too_large"},
		{"huge frame small canvas", riff(vp8x(0, w, h), bigFrame), "evidence.image_too_large"},
		{"animated", riff(vp8x(1<<1, w, h), webpChunk("ANIM", make([]byte, 6)), webpChunk("ANMF", vp8)), "evidence.type_not_allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ingestStore(t, tt.data, DefaultLimits())
			if got := Code(err); got != tt.code {
				t.Fatalf("code %q, want %q (err: %v)", got, tt.code, err)
			}
		})
	}
}

func TestUploadCleanup(t *testing.T) {
	tmp := t.TempDir()
	u, err := Ingest(context.Background(), bytes.NewReader(docx(t)), DefaultLimits(), tmp)
	if err != nil {
		t.Fatal(err)
	}
	f, err := u.Open()
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if !bytes.HasPrefix(got, []byte("PK")) || u.Size != int64(len(got)) || u.SHA256 != sum(got) {
		t.Error("Open does not return the cleaned content")
	}
	if err := u.Cleanup(); err != nil {
		t.Fatal(err)
	}
	if err := u.Cleanup(); err != nil {
		t.Errorf("second Cleanup: %v", err)
	}
	assertEmptyDir(t, tmp)
	if _, err := u.Open(); err == nil {
		t.Error("Open after Cleanup succeeded")
	}
}

func TestErrorCodesStable(t *testing.T) {
	// The HTTP layer maps these strings to statuses and translations;
	// changing one is a breaking change.
	for err, code := range map[error]string{
		ErrEmpty:                  "evidence.empty",
		ErrImageTooLarge:          "evidence.image_too_large",
		ErrCorrupt:                "evidence.corrupt",
		ErrNotFound:               "evidence.not_found",
		ErrInvalidKey:             "evidence.invalid_key",
		&ErrTooLarge{}:            "evidence.too_large",
		&ErrTypeNotAllowed{}:      "evidence.type_not_allowed",
		errors.New("disk failed"): "",
	} {
		if got := Code(err); got != code {
			t.Errorf("Code(%v) = %q, want %q", err, got, code)
		}
	}
	wrapped := errors.Join(errors.New("ctx"), &ErrTooLarge{Kind: KindPhoto, Limit: 5})
	if Code(wrapped) != "evidence.too_large" {
		t.Error("Code does not look through wrapping")
	}
}

// TestPPTXAuthorsBlanked: slide comment authors (commentAuthors.xml) and
// the modern authors list lose their names and initials; the zip comment,
// entry comments and times go too.
func TestPPTXAuthorsBlanked(t *testing.T) {
	in := zipOf(t, "[Content_Types].xml", contentTypes,
		"ppt/presentation.xml", `<p:presentation xmlns:p="p"/>`,
		"ppt/commentAuthors.xml", `<p:cmAuthorLst xmlns:p="p"><p:cmAuthor id="0" name="Siti Rahayu" initials="SR" lastIdx="1" clrIdx="0"/></p:cmAuthorLst>`,
		"ppt/authors.xml", `<p188:authorLst xmlns:p188="q"><p188:author id="{1}" name='Siti Rahayu' initials="SR" userId="siti@x" providerId="AD"/></p188:authorLst>`,
		"docProps/app.xml", `<Properties><Company>PT Maju</Company></Properties>`)
	_, stored, err := ingestStore(t, in, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(stored), int64(len(stored)))
	if err != nil {
		t.Fatal(err)
	}
	if zr.Comment != "" {
		t.Errorf("zip comment kept: %q", zr.Comment)
	}
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		for _, bad := range []string{"Siti", "SR", "siti@x", "Maju"} {
			if bytes.Contains(b, []byte(bad)) {
				t.Errorf("%s keeps %q: %s", f.Name, bad, b)
			}
		}
		if f.Comment != "" || len(f.Extra) != 0 || f.Modified.Year() > 1980 {
			t.Errorf("%s keeps comment %q, %d extra bytes, time %v", f.Name, f.Comment, len(f.Extra), f.Modified)
		}
	}
}
