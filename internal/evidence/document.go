package evidence

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"strings"
)

// maxZipEntries bounds the central directory of an office document before
// archive/zip loads it into memory (a real DOCX has a few dozen entries; a
// crafted 20 MB zip could otherwise declare hundreds of thousands).
const maxZipEntries = 5000

// requiredPart is the entry a genuine document of each zip-based type has;
// the detector only saw the first few local headers.
var requiredPart = map[string]string{
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   "word/document.xml",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         "xl/workbook.xml",
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": "ppt/presentation.xml",
	"application/vnd.oasis.opendocument.text":                                   "content.xml",
	"application/vnd.oasis.opendocument.spreadsheet":                            "content.xml",
	"application/vnd.oasis.opendocument.presentation":                           "content.xml",
}

// validateDocument checks that a document is structurally whole and carries
// no macros. It reads the PDF tail or the zip central directory, never the
// compressed contents, so a zip bomb costs nothing here.
func validateDocument(path string, t Type, size int64) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open document: %w", err)
	}
	defer f.Close()
	if t.MIME == "application/pdf" {
		return validatePDF(f, size)
	}
	part, ok := requiredPart[t.MIME]
	if !ok {
		return nil
	}
	n, err := zipEntryCount(f, size)
	if err != nil {
		return err
	}
	if n > maxZipEntries {
		return fmt.Errorf("document has %d zip entries: %w", n, ErrCorrupt)
	}
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return fmt.Errorf("open document zip: %v: %w", err, ErrCorrupt)
	}
	found := false
	for _, e := range zr.File {
		name := strings.ToLower(e.Name)
		// VBA in OOXML, Basic or scripts in ODF: a union officer opening
		// evidence must not be running the employer's (or anyone's) code.
		if strings.HasSuffix(name, "vbaproject.bin") || strings.HasPrefix(name, "basic/") || strings.HasPrefix(name, "scripts/") {
			return &ErrTypeNotAllowed{Detected: t.MIME + "; macros"}
		}
		if e.Name == part {
			found = true
		}
	}
	if !found {
		return fmt.Errorf("document lacks %s: %w", part, ErrCorrupt)
	}
	return nil
}

// validatePDF requires the %%EOF marker within the last 1024 bytes, the
// same tolerance PDF readers apply; a cut-off upload fails here.
func validatePDF(r io.ReaderAt, size int64) error {
	n := min(size, 1024)
	tail := make([]byte, n)
	if _, err := r.ReadAt(tail, size-n); err != nil && err != io.EOF {
		return fmt.Errorf("read pdf tail: %w", err)
	}
	if !bytes.Contains(tail, []byte("%%EOF")) {
		return fmt.Errorf("pdf has no end marker: %w", ErrCorrupt)
	}
	return nil
}

// zipEntryCount reads the total entry count from the end-of-central-directory
// record (the last one in the final 64 KiB + 22 bytes).
func zipEntryCount(r io.ReaderAt, size int64) (int, error) {
	const eocdLen, maxComment = 22, 0xFFFF
	n := min(size, eocdLen+maxComment)
	tail := make([]byte, n)
	if _, err := r.ReadAt(tail, size-n); err != nil && err != io.EOF {
		return 0, fmt.Errorf("read zip tail: %w", err)
	}
	i := bytes.LastIndex(tail, []byte("PK\x05\x06"))
	if i < 0 || len(tail)-i < eocdLen {
		return 0, fmt.Errorf("zip has no end record: %w", ErrCorrupt)
	}
	return int(binary.LittleEndian.Uint16(tail[i+10 : i+12])), nil
}
