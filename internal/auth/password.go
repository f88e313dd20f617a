package auth

import (
	_ "embed"
	"strings"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
)

// Argon2id parameters: OWASP's recommended floor (19 MiB, 2 passes, 1 lane).
// On the 2-core servers unions can afford, this keeps one verification near
// 20 ms and 19 MiB, so the per-IP login limit bounds memory under attack;
// raising memory is the first knob when hardware allows.
var argonParams = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

//go:embed common_passwords.txt
var commonPasswordsText string

var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(commonPasswordsText, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			m[strings.ToLower(l)] = true
		}
	}
	return m
}()

// checkPassword returns a message key when pw is too weak.
func checkPassword(pw string) string {
	switch {
	case utf8.RuneCountInString(pw) < MinPasswordLength:
		return "error.password_short"
	case len(pw) > 256:
		return "error.too_long"
	case commonPasswords[strings.ToLower(pw)]:
		return "error.password_common"
	}
	return ""
}

func hashPassword(pw string) (string, error) { return argon2id.CreateHash(pw, argonParams) }

// dummyHash is compared against when an account does not exist, so that an
// unknown phone costs the same time as a wrong password.
var dummyHash = func() string {
	h, err := argon2id.CreateHash("suara-no-such-account", argonParams)
	if err != nil {
		panic(err)
	}
	return h
}()

func verifyPassword(pw, hash string) bool {
	ok, err := argon2id.ComparePasswordAndHash(pw, hash) // constant-time compare inside
	return err == nil && ok
}
