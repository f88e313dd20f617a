package auth

import "strings"

// NormalisePhone turns an Indonesian mobile number as people type it
// (0812-3456-7890, +62 812 3456 7890, 62812…, 812…) into +62… form; ok is
// false for anything that is not a plausible Indonesian mobile number.
func NormalisePhone(raw string) (string, bool) {
	if len(raw) > 32 {
		return "", false
	}
	var b strings.Builder
	for i, r := range raw {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return "", false
		}
	}
	d := b.String()
	switch {
	case strings.HasPrefix(d, "62"):
		d = d[2:]
	case strings.HasPrefix(d, "0"):
		d = d[1:]
	case strings.HasPrefix(raw, "+"):
		return "", false // another country
	}
	// Mobile numbers: 8 then 8 to 12 more digits (08xx-xxxx-xxxx).
	if len(d) < 9 || len(d) > 12 || d[0] != '8' {
		return "", false
	}
	return "+62" + d, true
}
