package evidence

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSafeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"bukti.jpg", "bukti.jpg"},
		{"../../etc/passwd", "passwd"},
		{`..\..\windows\system32\cmd.exe`, "cmd.exe"},
		{"/var/www/shell.php", "shell.php"},
		{"foto\x00.php.jpg", "foto.php.jpg"},
		{"slip\r\ngaji.pdf", "slip gaji.pdf"},
		{"..", "file"},
		{"../", "file"},
		{"", "file"},
		{"   ", "file"},
		{".htaccess", "htaccess"},
		{"a\u202egpj.exe", "agpj.exe"}, // right-to-left override removed
		{`x"; filename="evil.html`, "x filename=evil.html"},
		{"Surat PHK  Pak Budi.docx", "Surat PHK Pak Budi.docx"},
		{"foto\xff\xfe.jpg", "foto.jpg"},
		{"tab\there.pdf", "tab here.pdf"},
	}
	for _, tt := range tests {
		if got := SafeName(tt.in); got != tt.want {
			t.Errorf("SafeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSafeNameLength(t *testing.T) {
	long := strings.Repeat("gaji-", 100) + "é.jpg"
	got := SafeName(long)
	if len(got) > maxNameBytes || !strings.HasSuffix(got, ".jpg") || !utf8.ValidString(got) {
		t.Errorf("SafeName(long) = %q (%d bytes)", got, len(got))
	}
	multibyte := strings.Repeat("буктi", 60) + ".pdf"
	got = SafeName(multibyte)
	if len(got) > maxNameBytes || !strings.HasSuffix(got, ".pdf") || !utf8.ValidString(got) {
		t.Errorf("SafeName(multibyte) = %q (%d bytes)", got, len(got))
	}
}

func TestSafeNameWithExt(t *testing.T) {
	tests := []struct{ in, ext, want string }{
		{"bukti.php", ".jpg", "bukti.jpg"},
		{"bukti.JPEG", ".jpg", "bukti.JPEG"},
		{"bukti.jpg", ".jpg", "bukti.jpg"},
		{"rekaman", ".ogg", "rekaman.ogg"},
		{"../x.html", ".pdf", "x.pdf"},
		{"", ".pdf", "file.pdf"},
		{"notulen v2.final draft", ".docx", "notulen v2.final draft.docx"},
	}
	for _, tt := range tests {
		if got := SafeNameWithExt(tt.in, tt.ext); got != tt.want {
			t.Errorf("SafeNameWithExt(%q, %q) = %q, want %q", tt.in, tt.ext, got, tt.want)
		}
	}
}

func FuzzSafeName(f *testing.F) {
	for _, s := range []string{"../../a.jpg", "a\x00b", "\u202e", strings.Repeat("x", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := SafeName(in)
		if got == "" || len(got) > maxNameBytes || !utf8.ValidString(got) ||
			strings.ContainsAny(got, "/\\\x00\r\n\"") || strings.HasPrefix(got, ".") {
			t.Fatalf("SafeName(%q) = %q", in, got)
		}
	})
}
