package evidence

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"regexp"
	"sync"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

var pdfcpuOnce sync.Once

// pdfConfig is pdfcpu's configuration without its config folder (which it
// would otherwise create under the user's home, and exit the process when
// it cannot).
func pdfConfig() *model.Configuration {
	pdfcpuOnce.Do(api.DisableConfigDir)
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	return conf
}

// markupAnnots are the annotation subtypes whose /T is the author's name
// (for widgets /T is a form field's name and stays).
var markupAnnots = map[string]bool{
	"Text": true, "FreeText": true, "Line": true, "Square": true, "Circle": true, "Polygon": true,
	"PolyLine": true, "Highlight": true, "Underline": true, "Squiggly": true, "StrikeOut": true,
	"Stamp": true, "Caret": true, "Ink": true, "FileAttachment": true, "Sound": true, "Redact": true, "Popup": true,
}

// pdfDate matches the dates pdfcpu stamps into the new Info dictionary
// (the time of cleaning, which would date the upload to the second).
var pdfDate = regexp.MustCompile(`/(?:CreationDate|ModDate)\s*\(D:[0-9]{4,14}`)

// cleanPDF reads the PDF with pdfcpu and writes it anew, whole (not as an
// incremental update, which would leave the old objects in the file): the
// Info dictionary is dropped (pdfcpu writes a fresh one naming only
// itself, whose dates are then blanked), every /Metadata (XMP) and
// /PieceInfo (application private data) entry is removed from every object,
// and markup annotations lose their author (/T). Objects no longer
// referenced are not written. Encrypted PDFs and PDFs with attached files
// are refused: neither can be checked.
func cleanPDF(ctx context.Context, src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("open pdf: %w", err)
	}
	defer in.Close()
	pc, err := api.ReadContext(in, pdfConfig())
	if err != nil {
		return fmt.Errorf("read pdf: %v: %w", err, ErrCorrupt)
	}
	if pc.XRefTable.Encrypt != nil || pc.XRefTable.E != nil {
		return fmt.Errorf("pdf is encrypted: %w", ErrUncleanable)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	root, err := pc.XRefTable.Catalog()
	if err != nil {
		return fmt.Errorf("pdf catalog: %v: %w", err, ErrCorrupt)
	}
	if names, err := pc.XRefTable.DereferenceDict(root["Names"]); err == nil && names != nil {
		if _, ok := names.Find("EmbeddedFiles"); ok {
			return fmt.Errorf("pdf has attached files: %w", ErrUncleanable)
		}
	}
	pc.XRefTable.Info = nil
	for _, e := range pc.XRefTable.Table {
		if e == nil || e.Free || e.Object == nil {
			continue
		}
		var d types.Dict
		switch o := e.Object.(type) {
		case types.Dict:
			d = o
		case types.StreamDict:
			d = o.Dict
			// A photo placed in a PDF is often the camera's JPEG as it
			// was, EXIF and GPS included (DCTDecode is the JPEG itself).
			if f := o.NameEntry("Filter"); f != nil && *f == "DCTDecode" && o.Raw != nil {
				if clean, ok := stripJPEGSegments(o.Raw); ok {
					o.Raw = clean
					l := int64(len(clean))
					o.StreamLength = &l
					o.Update("Length", types.Integer(l))
					e.Object = o
				}
			}
		default:
			continue
		}
		d.Delete("Metadata")
		d.Delete("PieceInfo")
		if st := d.NameEntry("Subtype"); st != nil && markupAnnots[*st] {
			if ty := d.NameEntry("Type"); ty == nil || *ty == "Annot" {
				d.Delete("T")
			}
		}
		if ty := d.NameEntry("Type"); ty != nil && *ty == "Filespec" {
			return fmt.Errorf("pdf has attached files: %w", ErrUncleanable)
		}
	}
	var buf bytes.Buffer
	if err := api.WriteContext(pc, &buf); err != nil {
		return fmt.Errorf("write pdf: %v: %w", err, ErrCorrupt)
	}
	// Same length, so the cross-reference offsets still hold.
	out := pdfDate.ReplaceAllFunc(buf.Bytes(), func(m []byte) []byte {
		i := bytes.Index(m, []byte("(D:")) + 3
		for j := i; j < len(m); j++ {
			m[j] = "20000101000000"[(j-i)%14]
		}
		return m
	})
	if err := os.WriteFile(dst, out, 0o600); err != nil {
		return fmt.Errorf("write clean pdf: %w", err)
	}
	return nil
}

// stripJPEGSegments returns a JPEG without its metadata segments: APP1 to
// APP13 and APP15 (EXIF with GPS and camera, XMP, IPTC; an ICC profile in
// APP2 goes too, and colours fall back to the PDF's colour space) and COM. APP0 (JFIF) and APP14 (Adobe, which says how
// to read the colour channels) stay; everything from the first scan on is
// copied as it is. ok is false when b does not walk as a JPEG, and then b
// is left alone (the reader will decide if it is an image at all).
func stripJPEGSegments(b []byte) (out []byte, ok bool) {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return nil, false
	}
	out = append(make([]byte, 0, len(b)), 0xFF, 0xD8)
	i := 2
	for i+4 <= len(b) {
		if b[i] != 0xFF {
			return nil, false
		}
		m := b[i+1]
		if m == 0xFF { // fill byte
			i++
			continue
		}
		if m == 0xDA || m == 0xD9 { // start of scan, end of image: the rest as is
			return append(out, b[i:]...), true
		}
		if m == 0x01 || (m >= 0xD0 && m <= 0xD7) {
			out = append(out, b[i:i+2]...)
			i += 2
			continue
		}
		n := int(b[i+2])<<8 | int(b[i+3])
		if n < 2 || i+2+n > len(b) {
			return nil, false
		}
		drop := (m >= 0xE1 && m <= 0xED) || m == 0xEF || m == 0xFE
		if !drop {
			out = append(out, b[i:i+2+n]...)
		}
		i += 2 + n
	}
	return nil, false
}
