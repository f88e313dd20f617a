package cases

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// KeyRing holds the master keys for reporter secrets, from
// security.identity_keys ("id:base64key,id2:key2"). The first key encrypts
// and keys new hashes; every key decrypts and matches, so rotating is adding
// a new first key and keeping the old ones until nothing needs them.
type KeyRing struct {
	keys []masterKey
}

type masterKey struct {
	id  string
	key []byte // 32 bytes, AES-256
	// receipt and lookup are HMAC keys derived from key, one per purpose,
	// so a receipt hash can never be confused with a reporter lookup.
	receipt, lookup, supporter []byte
	// session seals receipt session tokens (session.go).
	session []byte
}

// ParseKeyRing reads "id:base64key" pairs separated by commas. Keys must be
// 32 bytes (AES-256) and ids unique.
func ParseKeyRing(spec string) (*KeyRing, error) {
	kr := &KeyRing{}
	seen := map[string]bool{}
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		id, b64, ok := strings.Cut(part, ":")
		if !ok || id == "" {
			return nil, errors.New("identity keys: want id:base64key pairs")
		}
		if seen[id] {
			return nil, fmt.Errorf("identity keys: id %q given twice", id)
		}
		key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
		if err != nil {
			return nil, fmt.Errorf("identity key %q: %w", id, err)
		}
		if len(key) != 32 {
			return nil, fmt.Errorf("identity key %q: %d bytes, want 32 (AES-256)", id, len(key))
		}
		seen[id] = true
		kr.keys = append(kr.keys, masterKey{
			id: id, key: key,
			receipt:   derive(key, "suara/receipt/v1"),
			lookup:    derive(key, "suara/reporter-lookup/v1"),
			supporter: derive(key, "suara/supporter/v1"),
			session:   derive(key, "suara/receipt-session/v1"),
		})
	}
	if len(kr.keys) == 0 {
		return nil, errors.New("identity keys: none given")
	}
	return kr, nil
}

func derive(key []byte, purpose string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

func mac(key []byte, tenantID uuid.UUID, value []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(tenantID[:])
	m.Write(value)
	return m.Sum(nil)
}

// receiptHashes returns the code's hash under every key, the current first:
// a look-up matches any of them, a new case stores the first.
func (kr *KeyRing) receiptHashes(tenantID uuid.UUID, code string) [][]byte {
	out := make([][]byte, len(kr.keys))
	for i, k := range kr.keys {
		out[i] = mac(k.receipt, tenantID, []byte(code))
	}
	return out
}

// reporterLookups returns the confidential reporter's lookup under every key.
func (kr *KeyRing) reporterLookups(tenantID, userID uuid.UUID) [][]byte {
	out := make([][]byte, len(kr.keys))
	for i, k := range kr.keys {
		out[i] = mac(k.lookup, tenantID, userID[:])
	}
	return out
}

// supporterKey names one supporter of a case without storing who: a user id
// or a receipt hash, keyed with the current key.
func (kr *KeyRing) supporterKey(tenantID uuid.UUID, who []byte) []byte {
	return mac(kr.keys[0].supporter, tenantID, who)
}

// envelope is an encrypted secret as stored in case_identities.
type envelope struct {
	KeyID      string
	WrappedKey []byte // nonce || AES-GCM(master, data key)
	Nonce      []byte
	Ciphertext []byte
}

// seal encrypts plaintext under a fresh random data key, and wraps that key
// with the first master key. aad binds the ciphertext to its row (tenant and
// case), so a ciphertext copied onto another case does not decrypt.
func (kr *KeyRing) seal(plaintext, aad []byte) (envelope, error) {
	mk := kr.keys[0]
	dataKey := make([]byte, 32)
	if _, err := rand.Read(dataKey); err != nil {
		return envelope{}, fmt.Errorf("data key: %w", err)
	}
	nonce, ct, err := gcmSeal(dataKey, plaintext, aad)
	if err != nil {
		return envelope{}, err
	}
	wn, wk, err := gcmSeal(mk.key, dataKey, append([]byte("suara/data-key/v1|"), aad...))
	if err != nil {
		return envelope{}, err
	}
	return envelope{KeyID: mk.id, WrappedKey: append(wn, wk...), Nonce: nonce, Ciphertext: ct}, nil
}

// open decrypts an envelope with the master key it names.
func (kr *KeyRing) open(e envelope, aad []byte) ([]byte, error) {
	var mk *masterKey
	for i := range kr.keys {
		if kr.keys[i].id == e.KeyID {
			mk = &kr.keys[i]
		}
	}
	if mk == nil {
		return nil, fmt.Errorf("identity key %q is not in the key ring", e.KeyID)
	}
	if len(e.WrappedKey) < 12 {
		return nil, errors.New("wrapped key too short")
	}
	dataKey, err := gcmOpen(mk.key, e.WrappedKey[:12], e.WrappedKey[12:], append([]byte("suara/data-key/v1|"), aad...))
	if err != nil {
		return nil, fmt.Errorf("unwrap data key: %w", err)
	}
	pt, err := gcmOpen(dataKey, e.Nonce, e.Ciphertext, aad)
	if err != nil {
		return nil, fmt.Errorf("decrypt identity: %w", err)
	}
	return pt, nil
}

func gcmSeal(key, plaintext, aad []byte) (nonce, ct []byte, err error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, nil, fmt.Errorf("aes: %w", err)
	}
	g, err := cipher.NewGCM(block)
	if err != nil {
		return nil, nil, fmt.Errorf("gcm: %w", err)
	}
	nonce = make([]byte, g.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, nil, fmt.Errorf("nonce: %w", err)
	}
	return nonce, g.Seal(nil, nonce, plaintext, aad), nil
}

func gcmOpen(key, nonce, ct, aad []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("aes: %w", err)
	}
	g, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("gcm: %w", err)
	}
	if len(nonce) != g.NonceSize() {
		return nil, errors.New("bad nonce size")
	}
	return g.Open(nil, nonce, ct, aad)
}
