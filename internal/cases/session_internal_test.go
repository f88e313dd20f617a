package cases

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestSessionTokenHasOneSpelling: any change to a minted token, including
// the padding bits of its last base64 character, refuses it; the token
// opens only for its own tenant and only before it expires.
func TestSessionTokenHasOneSpelling(t *testing.T) {
	kr, err := ParseKeyRing("k1:" + base64.StdEncoding.EncodeToString(make([]byte, 32)))
	if err != nil {
		t.Fatal(err)
	}
	tenantID, caseID := uuid.New(), uuid.New()
	now := time.Now()
	tok, err := kr.mintSession(tenantID, caseID, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := kr.openSession(tenantID, tok, now); !ok || got != caseID {
		t.Fatalf("own token: %v %v", got, ok)
	}
	if _, ok := kr.openSession(uuid.New(), tok, now); ok {
		t.Error("opened for another tenant")
	}
	if _, ok := kr.openSession(tenantID, tok, now.Add(2*time.Hour)); ok {
		t.Error("opened after expiry")
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	prefixLen := len(receiptSessionPrefix)
	for i := prefixLen; i < len(tok); i++ {
		for _, c := range alphabet {
			if byte(c) == tok[i] {
				continue
			}
			changed := tok[:i] + string(c) + tok[i+1:]
			if _, ok := kr.openSession(tenantID, changed, now); ok {
				t.Fatalf("changed at %d to %q: opened", i, c)
			}
		}
	}
	if _, ok := kr.openSession(tenantID, strings.TrimPrefix(tok, receiptSessionPrefix), now); ok {
		t.Error("opened without its prefix")
	}
}
