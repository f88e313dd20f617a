package cases

import (
	"crypto/hmac"
	"crypto/sha256"

	"github.com/google/uuid"
)

// Sealed is a secret as stored in a row's key_id, wrapped_key, nonce and
// ciphertext columns: the same envelope as a confidential identity, for
// other packages that keep secrets (chat addresses, channel credentials).
type Sealed struct {
	KeyID      string
	WrappedKey []byte
	Nonce      []byte
	Ciphertext []byte
}

// sealAAD binds a sealed value to its purpose, tenant and row.
func sealAAD(purpose string, tenantID uuid.UUID, row []byte) []byte {
	b := append([]byte("suara/"+purpose+"/v1|"), tenantID[:]...)
	return append(append(b, '|'), row...)
}

// Seal encrypts plaintext for purpose under the current identity key,
// bound to the tenant and row (a ciphertext copied elsewhere does not open).
func (kr *KeyRing) Seal(purpose string, tenantID uuid.UUID, row, plaintext []byte) (Sealed, error) {
	e, err := kr.seal(plaintext, sealAAD(purpose, tenantID, row))
	if err != nil {
		return Sealed{}, err
	}
	return Sealed(e), nil
}

// Open decrypts what Seal sealed with the same purpose, tenant and row.
func (kr *KeyRing) Open(purpose string, tenantID uuid.UUID, row []byte, s Sealed) ([]byte, error) {
	return kr.open(envelope(s), sealAAD(purpose, tenantID, row))
}

// Lookups returns a keyed hash of value for purpose under every identity
// key, the current first: a look-up matches any, a new row stores the
// first. Without the keys a dump cannot be matched against guesses.
func (kr *KeyRing) Lookups(purpose string, tenantID uuid.UUID, value string) [][]byte {
	out := make([][]byte, len(kr.keys))
	for i, k := range kr.keys {
		m := hmac.New(sha256.New, derive(k.key, "suara/"+purpose+"/lookup/v1"))
		m.Write(tenantID[:])
		m.Write([]byte(value))
		out[i] = m.Sum(nil)
	}
	return out
}
