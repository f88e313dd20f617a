package evidence

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"testing"
)

// Fixtures are built in code so the tests show exactly which bytes matter
// and no large binaries are committed. The two small WebP files in testdata
// come from golang.org/x/image's test data (BSD licence): there is no pure-Go
// WebP encoder to make them here.

var (
	red  = color.RGBA{220, 20, 20, 255}
	blue = color.RGBA{20, 20, 220, 255}
)

// halves is a w×h image, left half red and right half blue, so that a
// rotation can be read back from a lossy JPEG.
func halves(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if x < w/2 {
				img.Set(x, y, red)
			} else {
				img.Set(x, y, blue)
			}
		}
	}
	return img
}

func jpegOf(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func pngOf(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withSegments inserts marker segments right after a JPEG's SOI, where
// cameras put APP1 Exif and XMP.
func withSegments(jpg []byte, segs ...[]byte) []byte {
	out := append([]byte{}, jpg[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, jpg[2:]...)
}

func segment(marker byte, payload []byte) []byte {
	s := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(s[2:], uint16(len(payload)+2))
	return append(s, payload...)
}

// gpsLatitude is the rational triple 6°12'34.56" written into the GPS IFD;
// its bytes must not survive sanitising.
var gpsLatitude = []uint32{6, 1, 12, 1, 3456, 100}

// exifAPP1 builds an APP1 "Exif" segment: big-endian TIFF, IFD0 with
// Orientation and a GPSInfo pointer, and a GPS IFD with GPSLatitudeRef "S"
// and GPSLatitude.
func exifAPP1(orientation uint16) []byte {
	be := binary.BigEndian
	tiff := []byte("MM\x00*\x00\x00\x00\x08")
	entry := func(tag, typ uint16, count, value uint32) []byte {
		e := make([]byte, 12)
		be.PutUint16(e[0:], tag)
		be.PutUint16(e[2:], typ)
		be.PutUint32(e[4:], count)
		be.PutUint32(e[8:], value)
		return e
	}
	// IFD0 at 8: 2 entries (2+24+4 = 30 bytes) → GPS IFD at 38.
	const gpsIFD = 8 + 2 + 2*12 + 4
	tiff = append(tiff, 0, 2)
	orient := entry(0x0112, 3, 1, 0)
	be.PutUint16(orient[8:], orientation) // SHORT is left-justified
	tiff = append(tiff, orient...)
	tiff = append(tiff, entry(0x8825, 4, 1, gpsIFD)...)
	tiff = append(tiff, 0, 0, 0, 0)
	// GPS IFD: 2 entries → rationals at 38+30 = 68.
	const rationals = gpsIFD + 2 + 2*12 + 4
	tiff = append(tiff, 0, 2)
	tiff = append(tiff, entry(0x0001, 2, 2, 'S'<<24)...)
	tiff = append(tiff, entry(0x0002, 5, 3, rationals)...)
	tiff = append(tiff, 0, 0, 0, 0)
	for _, v := range gpsLatitude {
		tiff = be.AppendUint32(tiff, v)
	}
	return segment(0xE1, append([]byte("Exif\x00\x00"), tiff...))
}

func gpsBytes() []byte {
	var b []byte
	for _, v := range gpsLatitude {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	return b
}

func xmpAPP1() []byte {
	return segment(0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><exif:GPSLatitude>6,12.576S</exif:GPSLatitude></x:xmpmeta>"))
}

func pngChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(append([]byte(typ), data...)))
}

// pngBomb is a valid-looking PNG whose IHDR declares w×h RGB pixels, with
// a tiny IDAT: decoding it would allocate w*h*4 bytes.
func pngBomb(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	_, _ = zw.Write(make([]byte, 64))
	_ = zw.Close()
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, pngChunk("IHDR", ihdr)...)
	out = append(out, pngChunk("IDAT", z.Bytes())...)
	return append(out, pngChunk("IEND", nil)...)
}

func zipOf(t testing.TB, files ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i := 0; i+1 < len(files); i += 2 {
		method := zip.Deflate
		if files[i] == "mimetype" {
			method = zip.Store // ODF requires it stored and first
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: files[i], Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(files[i+1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const contentTypes = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>`

func docx(t testing.TB, extra ...string) []byte {
	files := append([]string{
		"[Content_Types].xml", contentTypes,
		"word/document.xml", `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Upah tidak dibayar</w:t></w:r></w:p></w:body></w:document>`,
	}, extra...)
	return zipOf(t, files...)
}

func xlsx(t testing.TB) []byte {
	return zipOf(t, "[Content_Types].xml", contentTypes, "xl/workbook.xml", `<workbook/>`)
}

func odt(t testing.TB) []byte {
	return zipOf(t, "mimetype", "application/vnd.oasis.opendocument.text", "content.xml", `<office:document-content/>`)
}

const pdfDoc = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

func ftypBox(brand string) []byte {
	b := []byte{0, 0, 0, 0x18}
	b = append(b, "ftyp"+brand+"\x00\x00\x02\x00isomiso2"...)
	// an mdat box header so the stream looks like a real file
	return append(b, 0, 0, 0, 0x10, 'm', 'd', 'a', 't', 1, 2, 3, 4, 5, 6, 7, 8)
}

func oggOpus() []byte {
	page := []byte("OggS\x00\x02")
	page = append(page, make([]byte, 8+4+4+4)...) // granule, serial, sequence, crc
	page = append(page, 1, 19)                    // one segment of 19 bytes
	return append(page, "OpusHead\x01\x01\x38\x01\x80\xbb\x00\x00\x00\x00\x00"...)
}

var (
	mp3Data  = append([]byte("ID3\x04\x00\x00\x00\x00\x00\x00"), 0xFF, 0xFB, 0x90, 0x64, 0, 0, 0, 0)
	amrData  = []byte("#!AMR\n\x3c\x48\xf5\x1f\x96\x66\x79\xe1\xe0\x01\xe7\x8a\xf0\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")
	webmData = []byte("\x1A\x45\xDF\xA3\x9F\x42\x86\x81\x01\x42\xF7\x81\x01\x42\xF2\x81\x04\x42\xF3\x81\x08\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02")
	aacData  = []byte{0xFF, 0xF1, 0x50, 0x80, 0x02, 0x1F, 0xFC, 0x21, 0x00, 0x49, 0x90, 0x02, 0x19}
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// riff wraps WebP chunks in a RIFF container.
func riff(chunks ...[]byte) []byte {
	body := []byte("WEBP")
	for _, c := range chunks {
		body = append(body, c...)
	}
	out := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
	return append(out, body...)
}

func webpChunk(id string, data []byte) []byte {
	c := append([]byte(id), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
	c = append(c, data...)
	if len(data)%2 == 1 {
		c = append(c, 0)
	}
	return c
}

// vp8Chunk extracts the "VP8 " chunk of a simple lossy WebP.
func vp8Chunk(t testing.TB, simple []byte) (chunk []byte, w, h int) {
	t.Helper()
	if string(simple[12:16]) != "VP8 " {
		t.Fatalf("fixture is not a simple lossy WebP: %q", simple[12:16])
	}
	n := binary.LittleEndian.Uint32(simple[16:20])
	data := simple[20 : 20+n]
	w = int(binary.LittleEndian.Uint16(data[6:8]) & 0x3fff)
	h = int(binary.LittleEndian.Uint16(data[8:10]) & 0x3fff)
	return webpChunk("VP8 ", data), w, h
}

// vp8x builds a VP8X chunk with the given flags and canvas size.
func vp8x(flags byte, w, h int) []byte {
	d := make([]byte, 10)
	d[0] = flags
	put24 := func(b []byte, v int) { b[0], b[1], b[2] = byte(v), byte(v>>8), byte(v>>16) }
	put24(d[4:], w-1)
	put24(d[7:], h-1)
	return webpChunk("VP8X", d)
}

var errEOF = io.EOF

func readerOf(b []byte) io.Reader { return bytes.NewReader(b) }
