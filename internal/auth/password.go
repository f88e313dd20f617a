package auth

import (
	_ "embed"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
)

// PasswordParams are the Argon2id costs for new hashes (config
// security.password). A stored hash carries its own parameters, so raising
// them applies to new and changed passwords without breaking old ones.
type PasswordParams struct {
	MemoryKiB   uint32
	Iterations  uint32
	Parallelism uint8
}

// DefaultPasswordParams is OWASP's recommended floor (19 MiB, 2 passes, 1
// lane). On the 2-core servers unions can afford, one verification costs
// about 20-50 ms and 19 MiB, so the per-IP login limit bounds memory under
// attack; memory is the first knob to raise when hardware allows.
var DefaultPasswordParams = PasswordParams{MemoryKiB: 19 * 1024, Iterations: 2, Parallelism: 1}

func (p PasswordParams) argon() *argon2id.Params {
	return &argon2id.Params{Memory: p.MemoryKiB, Iterations: p.Iterations, Parallelism: p.Parallelism, SaltLength: 16, KeyLength: 32}
}

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

// passwords hashes with one set of parameters.
type passwords struct {
	params *argon2id.Params
	// dummy is compared against when an account does not exist, so that an
	// unknown phone costs the same time as a wrong password.
	dummy string
}

func newPasswords(p PasswordParams) (*passwords, error) {
	pw := &passwords{params: p.argon()}
	var err error
	if pw.dummy, err = argon2id.CreateHash("suara-no-such-account", pw.params); err != nil {
		return nil, fmt.Errorf("password parameters: %w", err)
	}
	return pw, nil
}

func (p *passwords) hash(pw string) (string, error) { return argon2id.CreateHash(pw, p.params) }

func verifyPassword(pw, hash string) bool {
	ok, err := argon2id.ComparePasswordAndHash(pw, hash) // constant-time compare inside
	return err == nil && ok
}
