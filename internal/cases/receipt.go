package cases

import (
	"crypto/rand"
	"math/big"
	"strings"
)

// ReceiptDigits is the length of an anonymous reporter's receipt code: 10^16
// codes, so guessing one online is hopeless under the rate limits, and the
// stored HMAC keeps offline guessing from a database dump out of reach
// without the identity keys.
const ReceiptDigits = 16

// newReceiptCode returns a uniformly random 16-digit code (leading zeros
// allowed).
func newReceiptCode() (string, error) {
	limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(ReceiptDigits), nil)
	n, err := rand.Int(rand.Reader, limit)
	if err != nil {
		return "", err
	}
	s := n.String()
	return strings.Repeat("0", ReceiptDigits-len(s)) + s, nil
}

// NormaliseReceipt strips the spaces and dashes people type or copy with a
// code and reports whether what is left is 16 digits.
func NormaliseReceipt(raw string) (string, bool) {
	var b strings.Builder
	for _, r := range raw {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '\t':
		default:
			return "", false
		}
		if b.Len() > ReceiptDigits {
			return "", false
		}
	}
	if b.Len() != ReceiptDigits {
		return "", false
	}
	return b.String(), true
}

// FormatReceipt groups a code in fours for reading aloud and writing down.
func FormatReceipt(code string) string {
	if len(code) != ReceiptDigits {
		return code
	}
	return code[0:4] + "-" + code[4:8] + "-" + code[8:12] + "-" + code[12:16]
}
