package evidence

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
)

// Bounds on what cleaning an office document may decompress: one part
// read into memory to be rewritten, and all parts together. A real DOCX
// has a few megabytes of XML; a zip bomb declares gigabytes.
const (
	maxZipPart  = 32 << 20
	maxZipTotal = 256 << 20
)

// cleanDocument validates a document (see validateDocument) and writes a
// copy without identifying metadata to dst.
func cleanDocument(ctx context.Context, src string, t Type, size int64, dst string, maxDecoded int64) error {
	if err := validateDocument(src, t, size); err != nil {
		return err
	}
	if t.MIME == "application/pdf" {
		return cleanPDF(ctx, src, dst)
	}
	return cleanZipDocument(ctx, src, t, size, dst, maxDecoded)
}

// Replacement parts. The package still lists them (content types,
// relationships, ODF manifest), so they are emptied, not removed.
const (
	emptyCore = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"></cp:coreProperties>`
	emptyApp = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"></Properties>`
	emptyCustom = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"></Properties>`
	emptyPeople = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<w15:people xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml"></w15:people>`
	emptyODFMeta = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="%s"><office:meta></office:meta></office:document-meta>`
	emptyODFSettings = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<office:document-settings xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0" office:version="%s"></office:document-settings>`
)

var (
	// Attributes naming a person, in comments, tracked changes, threaded
	// comment persons, revision logs, comment authors: w:author,
	// w:initials, w15:userId, userName, ... . Values become empty.
	personAttr = regexp.MustCompile(`(\s(?:[A-Za-z0-9_.-]+:)?(?:author|initials|userId|providerId|userName))\s*=\s*(?:"[^"]*"|'[^']*')`)
	// Same, for attributes that name a person only in some parts (a table
	// has a displayName too).
	personNameAttr = regexp.MustCompile(`(\s(?:[A-Za-z0-9_.-]+:)?(?:name|displayName))\s*=\s*(?:"[^"]*"|'[^']*')`)
	// Excel's absolute path of the workbook, which holds the user's folder.
	absPathURL = regexp.MustCompile(`(<(?:[A-Za-z0-9_.-]+:)?absPath\b[^>]*\surl\s*=\s*)(?:"[^"]*"|'[^']*')`)
	odfVersion = regexp.MustCompile(`office:version\s*=\s*"([0-9.]{1,8})"`)
	// Elements whose text names a person: dc:creator and
	// cp:lastModifiedBy, ODF annotation and change authors and initials,
	// author fields, Excel's comment author list.
	personElems = func() []*regexp.Regexp {
		var rs []*regexp.Regexp
		for _, n := range []string{"creator", "lastModifiedBy", "creator-initials", "initial-creator", "author", "author-name", "author-initials"} {
			q := regexp.QuoteMeta(n)
			rs = append(rs, regexp.MustCompile(`(<(?:[A-Za-z0-9_.-]+:)?`+q+`(?:\s[^>]*)?>)[^<]*(</(?:[A-Za-z0-9_.-]+:)?`+q+`\s*>)`))
		}
		return rs
	}()
)

// scrubXML blanks the person-naming attributes and elements of one part.
func scrubXML(name string, b []byte) []byte {
	b = personAttr.ReplaceAll(b, []byte(`$1=""`))
	base := strings.ToLower(path.Base(name))
	lname := strings.ToLower(name)
	if base == "commentauthors.xml" || base == "authors.xml" || strings.Contains(lname, "persons/") {
		b = personNameAttr.ReplaceAll(b, []byte(`$1=""`))
	}
	b = absPathURL.ReplaceAll(b, []byte(`$1""`))
	for _, re := range personElems {
		b = re.ReplaceAll(b, []byte(`$1$2`))
	}
	return b
}

// partAction is what happens to one entry of an office zip.
type partAction int

const (
	partCopy    partAction = iota // copied as it is, compressed bytes and all
	partScrub                     // XML: person attributes and elements blanked
	partReplace                   // a properties part: replaced by an empty one
	partImage                     // a picture: cleaned like a photo upload
	partPrinter                   // printer settings: the device name zeroed
	partRefuse                    // cannot be cleaned: the document is refused
)

func actionFor(name string) partAction {
	l := strings.ToLower(name)
	base := path.Base(l)
	switch {
	case l == "docprops/core.xml", l == "docprops/app.xml", l == "docprops/custom.xml",
		base == "people.xml", base == "meta.xml", l == "settings.xml":
		return partReplace
	case strings.Contains(l, "embeddings/"), strings.HasSuffix(l, ".bin") && !strings.Contains(l, "printersettings"):
		// Embedded workbooks, documents and OLE objects carry their own
		// properties, and binary parts cannot be read.
		return partRefuse
	case strings.Contains(l, "printersettings"):
		return partPrinter
	case strings.HasSuffix(l, ".xml"), strings.HasSuffix(l, ".rels"), strings.HasSuffix(l, ".vml"):
		return partScrub
	case strings.Contains(l, "media/"), strings.HasPrefix(l, "pictures/"), strings.Contains(l, "thumbnail"):
		return partImage
	}
	return partCopy
}

// cleanZipDocument rewrites an OOXML or ODF package entry by entry, in the
// original order (ODF needs its mimetype first and stored): properties
// parts emptied, person names blanked in every XML part, pictures cleaned
// like photo uploads, printer names zeroed, and every entry's time, extra
// fields and the archive comment dropped. Parts that cannot be cleaned
// (embedded objects, video or audio, TIFF or HEIC pictures) refuse the
// document.
func cleanZipDocument(ctx context.Context, src string, t Type, size int64, dst string, maxDecoded int64) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("open document: %w", err)
	}
	defer in.Close()
	zr, err := zip.NewReader(in, size)
	if err != nil {
		return fmt.Errorf("open document zip: %v: %w", err, ErrCorrupt)
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create clean document: %w", err)
	}
	defer out.Close()
	zw := zip.NewWriter(out)
	version := "1.2"
	var total int64
	read := func(f *zip.File) ([]byte, error) {
		if f.UncompressedSize64 > maxZipPart {
			return nil, fmt.Errorf("document part %q of %d bytes: %w", f.Name, f.UncompressedSize64, ErrCorrupt)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("document part %q: %v: %w", f.Name, err, ErrCorrupt)
		}
		defer rc.Close()
		// The declared size is the sender's word: count what comes out.
		b, err := io.ReadAll(io.LimitReader(rc, min(maxZipPart, maxZipTotal-total)+1))
		if err != nil {
			return nil, fmt.Errorf("document part %q: %v: %w", f.Name, err, ErrCorrupt)
		}
		total += int64(len(b))
		if len(b) > maxZipPart || total > maxZipTotal {
			return nil, fmt.Errorf("document decompresses past its bounds: %w", ErrCorrupt)
		}
		return b, nil
	}
	for _, f := range zr.File {
		if err := ctx.Err(); err != nil {
			return err
		}
		action := actionFor(f.Name)
		if f.FileInfo().IsDir() {
			action = partCopy
		}
		var data []byte
		switch action {
		case partRefuse:
			return fmt.Errorf("document part %q: %w", f.Name, ErrUncleanable)
		case partCopy:
			if err := copyRawEntry(zw, f); err != nil {
				return err
			}
			continue
		case partReplace:
			l := strings.ToLower(f.Name)
			switch {
			case l == "docprops/core.xml":
				data = []byte(emptyCore)
			case l == "docprops/app.xml":
				data = []byte(emptyApp)
			case l == "docprops/custom.xml":
				data = []byte(emptyCustom)
			case strings.HasSuffix(l, "people.xml"):
				data = []byte(emptyPeople)
			default: // ODF meta.xml (also in embedded objects) and settings.xml
				orig, err := read(f)
				if err != nil {
					return err
				}
				if m := odfVersion.FindSubmatch(orig); m != nil {
					version = string(m[1])
				}
				tmpl := emptyODFMeta
				if l == "settings.xml" {
					tmpl = emptyODFSettings
				}
				data = fmt.Appendf(nil, tmpl, version)
			}
		case partScrub:
			orig, err := read(f)
			if err != nil {
				return err
			}
			data = scrubXML(f.Name, orig)
			if err := wellFormed(data); err != nil {
				return fmt.Errorf("document part %q: %v: %w", f.Name, err, ErrCorrupt)
			}
		case partPrinter:
			orig, err := read(f)
			if err != nil {
				return err
			}
			// A DEVMODE begins with the device name, 32 UTF-16 characters:
			// a network printer's name can be a person's computer.
			data = append([]byte{}, orig...)
			clear(data[:min(len(data), 64)])
		case partImage:
			orig, err := read(f)
			if err != nil {
				return err
			}
			data, err = cleanEmbeddedImage(ctx, f.Name, orig, filepath.Dir(dst), maxDecoded)
			if err != nil {
				return err
			}
		}
		if err := writeEntry(zw, f, data); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("write clean document: %w", err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("close clean document: %w", err)
	}
	return nil
}

// cleanHeader is an entry's header with nothing but its name and method:
// no time (the DOS epoch), no extra fields (NTFS and Unix times, owners),
// no comment.
func cleanHeader(f *zip.File) *zip.FileHeader {
	// Modified would add an extended-timestamp extra field; the bare DOS
	// date keeps the header to its name and method.
	//lint:ignore SA1019 the deprecated field is the one that writes no extra field
	return &zip.FileHeader{Name: f.Name, Method: f.Method, ModifiedDate: 0x21}
}

// copyRawEntry copies an entry's compressed bytes under a clean header.
func copyRawEntry(zw *zip.Writer, f *zip.File) error {
	h := cleanHeader(f)
	h.CRC32, h.CompressedSize64, h.UncompressedSize64 = f.CRC32, f.CompressedSize64, f.UncompressedSize64
	if f.Method != zip.Store && f.Method != zip.Deflate {
		return fmt.Errorf("document part %q compressed with method %d: %w", f.Name, f.Method, ErrCorrupt)
	}
	rr, err := f.OpenRaw()
	if err != nil {
		return fmt.Errorf("document part %q: %v: %w", f.Name, err, ErrCorrupt)
	}
	w, err := zw.CreateRaw(h)
	if err != nil {
		return fmt.Errorf("write document part: %w", err)
	}
	if _, err := io.Copy(w, rr); err != nil {
		return fmt.Errorf("document part %q: %v: %w", f.Name, err, ErrCorrupt)
	}
	return nil
}

// writeEntry writes new content for an entry: stored entries stay stored
// (ODF's mimetype must be), everything else is deflated.
func writeEntry(zw *zip.Writer, f *zip.File, data []byte) error {
	h := cleanHeader(f)
	if f.Method == zip.Store {
		h.CRC32 = crc32.ChecksumIEEE(data)
		h.CompressedSize64, h.UncompressedSize64 = uint64(len(data)), uint64(len(data))
		w, err := zw.CreateRaw(h)
		if err != nil {
			return fmt.Errorf("write document part: %w", err)
		}
		_, err = w.Write(data)
		return err
	}
	h.Method = zip.Deflate
	w, err := zw.CreateHeader(h)
	if err != nil {
		return fmt.Errorf("write document part: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("write document part: %w", err)
	}
	return nil
}

// wellFormed reports whether b parses as XML (no entity expansion, no
// external fetches: encoding/xml does neither).
func wellFormed(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	for {
		_, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// Picture types inside documents that hold no metadata block worth the
// name (or none a reader shows): copied as they are.
var plainPictures = map[string]bool{
	"image/gif": true, "image/bmp": true, "image/svg+xml": true, "image/emf": true, "image/wmf": true,
	"image/x-emf": true, "image/x-wmf": true, "application/x-emf": true, "application/x-msmetafile": true,
}

// cleanEmbeddedImage cleans a picture inside a document as a photo upload
// would be: JPEG, PNG and WebP lose their EXIF, XMP and text; vector and
// GIF pictures pass; anything else (TIFF, HEIC, video in a slide) refuses
// the document.
func cleanEmbeddedImage(ctx context.Context, name string, data []byte, dir string, maxDecoded int64) ([]byte, error) {
	t, err := Detect(data)
	if err == nil && t.Kind == KindPhoto {
		src := filepath.Join(dir, "part.in")
		dst := filepath.Join(dir, "part.out")
		defer os.Remove(src)
		defer os.Remove(dst)
		if err := os.WriteFile(src, data, 0o600); err != nil {
			return nil, fmt.Errorf("write document picture: %w", err)
		}
		if _, _, err := sanitisePhoto(ctx, src, t, dst, maxDecoded); err != nil {
			return nil, fmt.Errorf("document picture %q: %w", name, err)
		}
		out, err := os.ReadFile(dst)
		if err != nil {
			return nil, fmt.Errorf("read document picture: %w", err)
		}
		return out, nil
	}
	var na *ErrTypeNotAllowed
	if err != nil && !errors.As(err, &na) && !errors.Is(err, ErrEmpty) {
		return nil, err
	}
	detected := ""
	if na != nil {
		detected = na.Detected
	}
	if len(data) == 0 || plainPictures[detected] || strings.HasPrefix(detected, "text/") ||
		strings.HasSuffix(strings.ToLower(name), ".emf") || strings.HasSuffix(strings.ToLower(name), ".wmf") {
		return data, nil
	}
	return nil, fmt.Errorf("document picture %q of type %s: %w", name, detected, ErrUncleanable)
}
