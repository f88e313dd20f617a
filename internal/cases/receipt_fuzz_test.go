package cases_test

import (
	"testing"

	"github.com/suara-id/suara/internal/cases"
)

// FuzzNormaliseReceipt: whatever a reporter types, normalising never
// panics, accepts only 16 digits, and round-trips through FormatReceipt.
func FuzzNormaliseReceipt(f *testing.F) {
	for _, s := range []string{"1234-5678-9012-3456", " 1234 5678 9012 3456 ", "1234567890123456", "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦",
		"12345678901234567", "1234.5678.9012.3456", "\x00", "", "--------", "1234\t5678\n9012 3456"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		code, ok := cases.NormaliseReceipt(raw)
		if !ok {
			if code != "" {
				t.Fatalf("refused %q but returned %q", raw, code)
			}
			return
		}
		if len(code) != cases.ReceiptDigits {
			t.Fatalf("%q normalised to %q: not %d digits", raw, code, cases.ReceiptDigits)
		}
		for _, c := range code {
			if c < '0' || c > '9' {
				t.Fatalf("%q normalised to non-digits %q", raw, code)
			}
		}
		again, ok := cases.NormaliseReceipt(cases.FormatReceipt(code))
		if !ok || again != code {
			t.Fatalf("formatted %q does not normalise back: %q %v", code, again, ok)
		}
	})
}
