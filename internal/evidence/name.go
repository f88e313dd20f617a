package evidence

import (
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxNameBytes bounds a display name; long enough for real names, short
// enough for a Content-Disposition header and a table column.
const maxNameBytes = 120

// SafeName turns a client-supplied file name into one fit for display and a
// Content-Disposition header. It is never used as a path: storage keys are
// content addresses. Directory parts (either slash), NUL and other control
// or format characters, quotes and leading dots are removed; the result is
// cut to maxNameBytes on a rune boundary, keeping a short extension; an empty
// result becomes "file".
func SafeName(name string) string {
	name = strings.ToValidUTF8(name, "")
	name = strings.ReplaceAll(name, `\`, "/")
	name = path.Base("/" + name) // last element; "/" for an empty or all-slash name
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == '/' || r == '"' || r == '\'' || r == ';' || r == '<' || r == '>' || r == '`':
			// Characters that break headers or HTML attributes if a
			// template ever forgets to escape.
		case unicode.IsSpace(r):
			b.WriteByte(' ') // tabs and newlines too: no header injection
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			// NUL, other controls, and bidi overrides that make
			// "\u202egpj.exe" display as "exe.jpg".
		default:
			b.WriteRune(r)
		}
	}
	name = strings.Join(strings.Fields(b.String()), " ")
	name = strings.TrimLeft(name, ". ") // no hidden files, no ".." left
	name = strings.TrimRight(name, ". ")
	if name == "" {
		return "file"
	}
	if len(name) <= maxNameBytes {
		return name
	}
	ext := path.Ext(name)
	if len(ext) > 10 || strings.ContainsRune(ext, ' ') {
		ext = ""
	}
	base := truncateUTF8(strings.TrimSuffix(name, ext), maxNameBytes-len(ext))
	return strings.TrimRight(base, ". ") + ext
}

// truncateUTF8 cuts s to at most n bytes without splitting a rune.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// SafeNameWithExt is SafeName with the extension forced to ext, the
// canonical extension of the detected type, so that a download of a JPEG
// sent as "bukti.php" is offered as "bukti.jpg". A short alphanumeric
// extension already on the name is replaced; anything else is kept as part
// of the base name.
func SafeNameWithExt(name, ext string) string {
	name = SafeName(name)
	if ext == "" {
		return name
	}
	cur := path.Ext(name)
	if strings.EqualFold(cur, ext) || (strings.EqualFold(ext, ".jpg") && strings.EqualFold(cur, ".jpeg")) {
		return name
	}
	if cur != "" && len(cur) <= 6 && isAlnum(cur[1:]) {
		name = strings.TrimSuffix(name, cur)
	}
	name = strings.TrimRight(truncateUTF8(name, maxNameBytes-len(ext)), ". ")
	if name == "" {
		name = "file"
	}
	return name + ext
}

func isAlnum(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}
