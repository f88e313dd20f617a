// Package evidencetest makes real evidence files for tests, each with
// identifying metadata planted in every field a phone, a camera or an office
// program fills in (author, company, GPS, device make and model, comments),
// using ffmpeg and exiftool at run time so no binaries are committed, and
// checks cleaned files with readers the cleaner does not use (exiftool,
// ffprobe, archive/zip with encoding/xml, zlib over PDF streams).
package evidencetest

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// Planted values. Markers are searched case-insensitively in every reading
// of a cleaned file.
const (
	Author  = "Siti Rahayu"
	Company = "PT Maju Jaya Garmen"
	Make    = "Samsung"
	Model   = "SM-A515F"
	Comment = "Rahasia dari lini tiga"
	// Lat and Lon are the planted GPS position (Cikarang).
	Lat, Lon = "-6.3045", "107.1702"
)

// Markers are the strings no cleaned file may hold.
var Markers = []string{Author, "Siti", "Rahayu", Company, "Maju Jaya", Make, Model, Comment, "lini tiga", "107.17", "6.3045", "107 deg 10"}

// Tool returns the path of a command-line tool, or fails the test when it
// is missing under CI=true (a tool that is absent must not turn the suite
// green), or skips it elsewhere.
func Tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed: run scripts/tools.sh (Debian packages ffmpeg, libimage-exiftool-perl)", name)
	}
	t.Skipf("%s not installed (scripts/tools.sh installs it)", name)
	return ""
}

func run(t testing.TB, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(Tool(t, name), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// exifPlant writes the planted values into file with exiftool, in every
// group it knows for the format.
func exifPlant(t testing.TB, file string, extra ...string) {
	t.Helper()
	args := []string{"-q", "-overwrite_original", "-m",
		"-Artist=" + Author, "-Author=" + Author, "-Creator=" + Author, "-XMP-dc:Creator=" + Author,
		"-Copyright=" + Company, "-XMP-dc:Rights=" + Company,
		"-Make=" + Make, "-Model=" + Model, "-Comment=" + Comment, "-UserComment=" + Comment, "-Description=" + Comment,
		"-GPSLatitude=" + Lat, "-GPSLatitudeRef=S", "-GPSLongitude=" + Lon, "-GPSLongitudeRef=E",
		"-XMP:GPSLatitude=" + Lat, "-XMP:GPSLongitude=" + Lon,
	}
	args = append(args, extra...)
	run(t, "exiftool", append(args, file)...)
}

func testImage(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 7), uint8(y * 5), 120, 255})
		}
	}
	return img
}

var (
	jpegOnce  sync.Once
	jpegBytes []byte
)

// JPEG is a photo with EXIF (GPS, make, model, artist), XMP and a comment
// (made once per test binary: exiftool is slow to start).
func JPEG(t testing.TB) []byte {
	t.Helper()
	jpegOnce.Do(func() { jpegBytes = makeJPEG(t) })
	if jpegBytes == nil {
		t.Fatal("JPEG fixture failed earlier")
	}
	return bytes.Clone(jpegBytes)
}

func makeJPEG(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(64, 48), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "IMG_20260112_083015.jpg")
	must(t, os.WriteFile(p, b.Bytes(), 0o600))
	exifPlant(t, p)
	return read(t, p)
}

// PNG carries eXIf, XMP and text chunks.
func PNG(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	must(t, png.Encode(&b, testImage(40, 30)))
	p := filepath.Join(t.TempDir(), "Screenshot_Siti.png")
	must(t, os.WriteFile(p, b.Bytes(), 0o600))
	exifPlant(t, p, "-PNG:Author="+Author, "-PNG:Comment="+Comment, "-PNG:Title="+Company)
	return read(t, p)
}

// media encodes a short clip with ffmpeg, with tags in the container.
func media(t testing.TB, name string, args ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	base := []string{"-nostdin", "-hide_banner", "-loglevel", "error", "-y"}
	tags := []string{"-metadata", "title=" + Author, "-metadata", "artist=" + Author, "-metadata", "author=" + Author,
		"-metadata", "comment=" + Comment, "-metadata", "copyright=" + Company, "-metadata", "album=" + Company,
		"-metadata", "location=" + Lat + "+" + Lon + "/", "-metadata", "make=" + Make, "-metadata", "model=" + Model}
	run(t, "ffmpeg", append(append(append(base, args...), tags...), p)...)
	return p
}

var (
	videoIn = []string{"-f", "lavfi", "-i", "testsrc=size=96x64:rate=10:duration=1", "-f", "lavfi", "-i", "sine=frequency=440:duration=1"}
	audioIn = []string{"-f", "lavfi", "-i", "sine=frequency=440:duration=1"}
)

// MP4 is a phone-like video: QuickTime tags for make, model, author and
// the ©xyz location, a cover picture with its own EXIF, and a timed-text
// track.
func MP4(t testing.TB) []byte {
	t.Helper()
	cover := filepath.Join(t.TempDir(), "cover.jpg")
	must(t, os.WriteFile(cover, JPEG(t), 0o600))
	p := media(t, "VID_20260112_083015.mp4", append(append([]string{}, videoIn...),
		"-i", cover, "-map", "0:v", "-map", "1:a", "-map", "2:v", "-c:v:0", "libx264", "-preset", "ultrafast", "-c:v:1", "copy",
		"-disposition:v:1", "attached_pic", "-c:a", "aac", "-shortest", "-movflags", "+use_metadata_tags")...)
	exifPlant(t, p, "-QuickTime:Make="+Make, "-QuickTime:Model="+Model, "-QuickTime:Author="+Author,
		"-QuickTime:GPSCoordinates="+Lat+", "+Lon+", 10", "-UserData:Make="+Make, "-UserData:Model="+Model)
	return read(t, p)
}

// WebM is a VP8 clip with Matroska tags.
func WebM(t testing.TB) []byte {
	t.Helper()
	return read(t, media(t, "rekaman.webm", append(append([]string{}, videoIn...),
		"-c:v", "libvpx", "-b:v", "200k", "-c:a", "libvorbis", "-shortest")...))
}

// MP3 is a voice note with ID3v2 tags and an APIC cover picture whose own
// EXIF carries GPS, make and model.
func MP3(t testing.TB) []byte {
	t.Helper()
	cover := filepath.Join(t.TempDir(), "cover.jpg")
	must(t, os.WriteFile(cover, JPEG(t), 0o600))
	return read(t, media(t, "rekaman.mp3", append(append([]string{}, audioIn...),
		"-i", cover, "-map", "0:a", "-map", "1:v", "-c:a", "libmp3lame", "-c:v", "copy", "-disposition:v", "attached_pic",
		"-id3v2_version", "3", "-write_id3v1", "1")...))
}

// M4A is an AAC voice note in MP4 with iTunes tags.
func M4A(t testing.TB) []byte {
	t.Helper()
	p := media(t, "rekaman.m4a", append(append([]string{}, audioIn...), "-c:a", "aac", "-movflags", "+use_metadata_tags")...)
	exifPlant(t, p, "-QuickTime:Author="+Author, "-QuickTime:GPSCoordinates="+Lat+", "+Lon)
	return read(t, p)
}

// OGG is an Opus voice note (WhatsApp's format) with Vorbis comments.
func OGG(t testing.TB) []byte {
	t.Helper()
	return read(t, media(t, "PTT-20260112-WA0001.ogg", append(append([]string{}, audioIn...), "-c:a", "libopus")...))
}

const jpegPart = "word/media/image1.jpeg"

// DOCX is a Word document with core, app and custom properties, people,
// comments and tracked changes by the author, an embedded photo with EXIF,
// printer settings, and Excel-style absolute path.
func DOCX(t testing.TB) []byte {
	t.Helper()
	return zipOf(t, officeParts(t, "word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:commentRangeStart w:id="0"/><w:r><w:t>Upah lembur bulan Januari tidak dibayar.</w:t></w:r><w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r></w:p><w:p><w:ins w:id="1" w:author="`+Author+`" w:date="2026-01-12T08:30:00Z"><w:r><w:t>Tambahan.</w:t></w:r></w:ins><w:del w:id="2" w:author="`+Author+`" w:date="2026-01-12T08:31:00Z"><w:r><w:delText>Hapus.</w:delText></w:r></w:del></w:p></w:body></w:document>`,
		"word/comments.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:comments xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:comment w:id="0" w:author="`+Author+`" w:date="2026-01-12T08:30:00Z" w:initials="SR"><w:p><w:r><w:t>Cek slip gaji.</w:t></w:r></w:p></w:comment></w:comments>`,
		"word/people.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w15:people xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml"><w15:person w15:author="`+Author+`"><w15:presenceInfo w15:providerId="AD" w15:userId="S::siti.rahayu@majujaya.co.id::1"/></w15:person></w15:people>`,
		jpegPart, string(JPEG(t)),
	)...)
}

// XLSX is a workbook with comment authors, a threaded-comment person and
// the absolute path Excel records.
func XLSX(t testing.TB) []byte {
	t.Helper()
	return zipOf(t, officeParts(t, "xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:x15ac="http://schemas.microsoft.com/office/spreadsheetml/2010/11/ac"><fileSharing userName="`+Author+`"/><x15ac:absPath url="C:\Users\Siti Rahayu\Documents\"/><sheets><sheet name="Lembur" sheetId="1"/></sheets></workbook>`,
		"xl/comments1.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><authors><author>`+Author+`</author></authors><commentList><comment ref="A1" authorId="0"><text><t>Jam lembur</t></text></comment></commentList></comments>`,
		"xl/persons/person.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<personList xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments"><person displayName="`+Author+`" id="{1}" userId="siti.rahayu@majujaya.co.id" providerId="AD"/></personList>`,
	)...)
}

func officeParts(t testing.TB, parts ...string) []string {
	return append([]string{
		"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="jpeg" ContentType="image/jpeg"/></Types>`,
		"docProps/core.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>Slip ` + Author + `</dc:title><dc:creator>` + Author + `</dc:creator><cp:lastModifiedBy>` + Author + `</cp:lastModifiedBy><cp:keywords>` + Company + `</cp:keywords><dc:description>` + Comment + `</dc:description><dcterms:created xsi:type="dcterms:W3CDTF">2026-01-12T08:30:00Z</dcterms:created></cp:coreProperties>`,
		"docProps/app.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>Microsoft Office Word</Application><Company>` + Company + `</Company><Manager>` + Author + `</Manager></Properties>`,
		"docProps/custom.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Device"><vt:lpwstr>` + Make + " " + Model + `</vt:lpwstr></property></Properties>`,
	}, parts...)
}

// ODT is an OpenDocument text with meta.xml (initial creator, creator,
// user fields), settings naming the printer, and an annotation by the
// author.
func ODT(t testing.TB) []byte {
	t.Helper()
	return zipOf(t,
		"mimetype", "application/vnd.oasis.opendocument.text",
		"META-INF/manifest.xml", `<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="settings.xml" manifest:media-type="text/xml"/></manifest:manifest>`,
		"content.xml", `<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.3"><office:body><office:text><text:p>Upah lembur tidak dibayar.<office:annotation><dc:creator>`+Author+`</dc:creator><meta:creator-initials>SR</meta:creator-initials><dc:date>2026-01-12T08:30:00</dc:date><text:p>Cek slip.</text:p></office:annotation></text:p><text:p><text:author-name>`+Author+`</text:author-name></text:p></office:text></office:body></office:document-content>`,
		"meta.xml", `<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3"><office:meta><meta:initial-creator>`+Author+`</meta:initial-creator><dc:creator>`+Author+`</dc:creator><meta:user-defined meta:name="Company">`+Company+`</meta:user-defined><meta:user-defined meta:name="Device">`+Make+" "+Model+`</meta:user-defined><dc:description>`+Comment+`</dc:description></office:meta></office:document-meta>`,
		"settings.xml", `<?xml version="1.0" encoding="UTF-8"?>
<office:document-settings xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0" office:version="1.3"><config:config-item-set config:name="ooo:configuration-settings"><config:config-item config:name="PrinterName" config:type="string">HP di laptop Siti Rahayu</config:config-item></config:config-item-set></office:document-settings>`,
	)
}

// PDF is a one-page PDF whose Info dictionary and XMP name the author,
// company and device, with a markup annotation by the author; exiftool
// then adds GPS and more in an incremental update (the old objects stay
// in the file, as they do in real edited PDFs).
func PDF(t testing.TB) []byte {
	t.Helper()
	xmp := `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/"><dc:creator><rdf:Seq><rdf:li>` + Author + `</rdf:li></rdf:Seq></dc:creator><pdf:Producer>` + Make + " " + Model + `</pdf:Producer></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`
	content := "BT /F1 18 Tf 40 100 Td (Slip gaji Januari) Tj ET q 64 0 0 48 200 20 cm /Im1 Do Q"
	photo := JPEG(t) // a phone photo placed as it is: DCTDecode keeps its EXIF
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R /Metadata 6 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> /XObject << /Im1 10 0 R >> >> /Annots [8 0 R] >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		fmt.Sprintf("<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n%s\nendstream", len(xmp), xmp),
		"<< /Title (Slip " + Author + ") /Author (" + Author + ") /Creator (" + Company + ") /Producer (" + Make + " " + Model + ") /Subject (" + Comment + ") /Keywords (" + Company + ") /CreationDate (D:20260112083015+07'00') >>",
		"<< /Type /Annot /Subtype /Text /Rect [10 10 30 30] /T (" + Author + ") /Contents (Cek ini) /Popup 9 0 R >>",
		"<< /Type /Annot /Subtype /Popup /Rect [30 30 100 100] /Parent 8 0 R /T (" + Author + ") >>",
		fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width 64 /Height 48 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n%s\nendstream", len(photo), photo),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info 7 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	p := filepath.Join(t.TempDir(), "CV Siti Rahayu.pdf")
	must(t, os.WriteFile(p, b.Bytes(), 0o600))
	exifPlant(t, p, "-PDF:Author="+Author, "-XMP-pdf:Keywords="+Company)
	return read(t, p)
}

func zipOf(t testing.TB, files ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	zw.SetComment("dibuat oleh " + Author)
	for i := 0; i+1 < len(files); i += 2 {
		method := zip.Deflate
		if files[i] == "mimetype" {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: files[i], Method: method, Comment: Author})
		must(t, err)
		_, err = w.Write([]byte(files[i+1]))
		must(t, err)
	}
	must(t, zw.Close())
	return b.Bytes()
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func read(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	must(t, err)
	return b
}

// Exif returns exiftool's reading of data (every tag, every group,
// embedded documents too) as "Group:Tag" → value.
func Exif(t testing.TB, data []byte) map[string]any {
	t.Helper()
	return ExifMany(t, data)[0]
}

// ExifMany is Exif for several files in one exiftool run (it is slow to
// start).
func ExifMany(t testing.TB, datas ...[]byte) []map[string]any {
	t.Helper()
	dir := t.TempDir()
	args := []string{"-j", "-a", "-G1", "-ee", "-m"}
	for i, d := range datas {
		p := filepath.Join(dir, fmt.Sprintf("check-%03d", i))
		must(t, os.WriteFile(p, d, 0o600))
		args = append(args, p)
	}
	out := run(t, "exiftool", args...)
	var rows []map[string]any
	if err := json.Unmarshal(out, &rows); err != nil || len(rows) != len(datas) {
		t.Fatalf("exiftool output: %v: %s", err, out)
	}
	// exiftool answers in the order given; the names say so too.
	for i, r := range rows {
		if !strings.HasSuffix(fmt.Sprint(r["SourceFile"]), fmt.Sprintf("check-%03d", i)) {
			t.Fatalf("exiftool answered out of order: %v", r["SourceFile"])
		}
	}
	return rows
}

// forbiddenTag matches tag names that must not appear in a cleaned file.
var forbiddenTag = regexp.MustCompile(`(?i):(GPS[A-Za-z]*|Make|Model|Author|Artist|Creator|LastModifiedBy|Company|Manager|Copyright|UserComment|Comment|Location.*|Title|Subject|Keywords|Description|CameraModelName|DeviceModel|Encoder|CreatorTool|Producer|Rights)$`)

// Producer values the cleaning tools write themselves.
var allowedValue = regexp.MustCompile(`^(pdfcpu.*|Lavf.*|)$`)

// CheckClean fails the test when data, read by exiftool, as raw bytes, and
// through its containers (zip entries, PDF streams), holds any marker or
// any identifying tag.
func CheckClean(t testing.TB, what string, data []byte) {
	t.Helper()
	for _, f := range Findings(t, data) {
		t.Errorf("%s: %s", what, f)
	}
}

// Findings lists every identifying tag or marker found in data (empty for
// a clean file; a fixture must have many).
func Findings(t testing.TB, data []byte) []string {
	t.Helper()
	return FindingsIn(t, Exif(t, data), data)
}

// FindingsIn is Findings with exiftool's reading of data already made
// (see ExifMany).
func FindingsIn(t testing.TB, exif map[string]any, data []byte) []string {
	t.Helper()
	var found []string
	for k, v := range exif {
		s := fmt.Sprint(v)
		if strings.HasPrefix(k, "System:") || strings.HasPrefix(k, "ExifTool:") || k == "SourceFile" {
			continue
		}
		if forbiddenTag.MatchString(k) && !allowedValue.MatchString(s) {
			found = append(found, fmt.Sprintf("exiftool finds %s = %q", k, s))
		}
		for _, m := range Markers {
			if strings.Contains(strings.ToLower(s), strings.ToLower(m)) {
				found = append(found, fmt.Sprintf("exiftool finds %q in %s = %q", m, k, s))
			}
		}
	}
	for name, text := range Readings(t, data) {
		for _, m := range Markers {
			if bytes.Contains(bytes.ToLower(text), bytes.ToLower([]byte(m))) {
				found = append(found, fmt.Sprintf("%q found in %s", m, name))
			}
		}
	}
	return found
}

// Readings are data as raw bytes plus, for zips, every entry inflated and
// the comments, and for PDFs every stream inflated.
func Readings(t testing.TB, data []byte) map[string][]byte {
	out := map[string][]byte{"raw bytes": data}
	if zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data))); err == nil {
		out["zip comment"] = []byte(zr.Comment)
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatalf("zip entry %s: %v", f.Name, err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatalf("zip entry %s: %v", f.Name, err)
			}
			out["zip entry "+f.Name] = append(b, f.Comment...)
			if len(f.Extra) > 0 {
				out["zip extra "+f.Name] = append(f.Extra, "extra fields kept"...)
			}
		}
	}
	if bytes.HasPrefix(data, []byte("%PDF")) {
		streams := regexp.MustCompile(`(?s)stream\r?\n(.*?)endstream`).FindAllSubmatch(data, -1)
		for i, m := range streams {
			if zr, err := zlib.NewReader(bytes.NewReader(m[1])); err == nil {
				b, _ := io.ReadAll(io.LimitReader(zr, 16<<20))
				out[fmt.Sprintf("pdf stream %d", i)] = b
			}
		}
	}
	return out
}

// Probe returns ffprobe's stream types ("video", "audio") of a media file.
func Probe(t testing.TB, data []byte) []string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "probe")
	must(t, os.WriteFile(p, data, 0o600))
	out := run(t, "ffprobe", "-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0", p)
	return strings.Fields(string(out))
}

// CheckOpens fails the test unless a cleaned file still opens: media has
// the wanted streams for ffprobe, a zip document unzips and every XML part
// parses, a PDF has its page for exiftool.
func CheckOpens(t testing.TB, what string, data []byte, wantStreams ...string) {
	t.Helper()
	CheckOpensIn(t, nil, what, data, wantStreams...)
}

// CheckOpensIn is CheckOpens with exiftool's reading of data already made
// (nil: read it).
func CheckOpensIn(t testing.TB, exif map[string]any, what string, data []byte, wantStreams ...string) {
	t.Helper()
	switch {
	case len(wantStreams) > 0:
		got := Probe(t, data)
		for _, w := range wantStreams {
			found := false
			for _, g := range got {
				found = found || g == w
			}
			if !found {
				t.Errorf("%s: ffprobe finds streams %v, want %s", what, got, w)
			}
		}
	case bytes.HasPrefix(data, []byte("%PDF")):
		if exif == nil {
			exif = Exif(t, data)
		}
		if n := exif["PDF:PageCount"]; fmt.Sprint(n) != "1" {
			t.Errorf("%s: exiftool reads %v pages, want 1", what, n)
		}
	case bytes.HasPrefix(data, []byte("PK")):
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatalf("%s: does not unzip: %v", what, err)
		}
		for _, f := range zr.File {
			if !strings.HasSuffix(f.Name, ".xml") && !strings.HasSuffix(f.Name, ".rels") {
				continue
			}
			rc, _ := f.Open()
			d := xml.NewDecoder(rc)
			for {
				_, err := d.Token()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Errorf("%s: %s does not parse: %v", what, f.Name, err)
					break
				}
			}
			rc.Close()
		}
	default:
		if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
			t.Errorf("%s: does not decode: %v", what, err)
		}
	}
}
