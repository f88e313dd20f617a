package evidence

import (
	"bytes"
	"context"
	"testing"
)

// FuzzDetect: detection never panics, and whatever it accepts is a row of
// the allowlist with a kind that has a limit.
func FuzzDetect(f *testing.F) {
	// Seeds beyond testdata/fuzz/FuzzDetect: the fixtures the other tests use.
	for _, s := range [][]byte{mp3Data, amrData, webmData, aacData, oggOpus(), ftypBox("isom"), ftypBox("heic"), []byte(pdfDoc)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		typ, err := Detect(data)
		if err != nil {
			if Code(err) == "" {
				t.Fatalf("uncoded refusal: %v", err)
			}
			return
		}
		if DefaultLimits().For(typ.Kind) <= 0 || typ.MIME == "" || typ.Ext == "" {
			t.Fatalf("accepted unexpected type %+v", typ)
		}
		found := false
		for _, a := range allowed {
			found = found || a.typ == typ
		}
		if !found {
			t.Fatalf("accepted %+v, not in the allowlist", typ)
		}
	})
}

// FuzzWebPScan: the hand-written RIFF walker and rewriter never panic, and
// what they write is a RIFF whose declared size matches its length and
// which carries no EXIF or XMP chunk.
func FuzzWebPScan(f *testing.F) {
	f.Add(readTestdata(f, "blue-purple-pink.lossy.webp"))
	f.Add(readTestdata(f, "gopher-doc.1bpp.lossless.webp"))
	f.Add(riff(vp8x(0x0c, 2, 2), webpChunk("EXIF", []byte("MM\x00*")), webpChunk("XMP ", []byte("x"))))
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := scanWebP(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := writeWebP(&out, bytes.NewReader(data), info); err != nil {
			return
		}
		b := out.Bytes()
		if len(b) < 12 || int(uint32(b[4])|uint32(b[5])<<8|uint32(b[6])<<16|uint32(b[7])<<24) != len(b)-8 {
			t.Fatalf("rewritten RIFF size does not match its length %d", len(b))
		}
		again, err := scanWebP(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatalf("rewritten file does not scan: %v", err)
		}
		for _, c := range again.keep {
			if c.id == "EXIF" || c.id == "XMP " {
				t.Fatalf("rewritten file keeps %q", c.id)
			}
		}
	})
}

// FuzzJPEGOrientation: the EXIF walker never panics and returns 1..8.
func FuzzJPEGOrientation(f *testing.F) {
	f.Add(withSegments([]byte{0xFF, 0xD8, 0xFF, 0xD9}, exifAPP1(6)))
	f.Add(exifAPP1(3))
	f.Fuzz(func(t *testing.T, data []byte) {
		if o := jpegOrientation(bytes.NewReader(data)); o < 1 || o > 8 {
			t.Fatalf("orientation %d", o)
		}
	})
}

// FuzzIngest: the whole pipeline never panics on arbitrary bytes and leaves
// nothing behind when it refuses. Photo limits stay small so the fuzzer
// does not spend its time decoding large images.
func FuzzIngest(f *testing.F) {
	f.Add(mp3Data)
	f.Add([]byte(pdfDoc))
	f.Add(pngBomb(3, 3))
	f.Fuzz(func(t *testing.T, data []byte) {
		tmp := t.TempDir()
		u, err := Ingest(context.Background(), bytes.NewReader(data), Limits{Photo: 64 << 10, Video: 64 << 10, Audio: 64 << 10, Document: 64 << 10}, tmp)
		if err != nil {
			assertEmptyDir(t, tmp)
			return
		}
		if err := u.Cleanup(); err != nil {
			t.Fatal(err)
		}
		assertEmptyDir(t, tmp)
	})
}
