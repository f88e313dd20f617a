package cases

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// ChainedEvent is the part of a timeline event the audit chain vouches for.
// Payload must be the exact bytes stored (see CanonicalJSON): keep it in a
// bytea or text column, not jsonb, which rewrites keys, spacing and numbers.
type ChainedEvent struct {
	TenantID   uuid.UUID
	CaseID     uuid.UUID
	Seq        int64 // 1 for a case's first event, then +1 per event
	Kind       string
	ActorID    string // empty for an anonymous reporter or the system
	Visibility string // reporter-visible or internal
	CreatedAt  time.Time
	Payload    []byte
}

// ChainedEventWithHash is an event as stored: its content, the hash of the
// event before it (empty for the first) and its own hash.
type ChainedEventWithHash struct {
	ChainedEvent
	PrevHash []byte
	Hash     []byte
}

// ErrChainBroken means a case's timeline was altered after it was written.
var ErrChainBroken = errors.New("audit chain broken")

// chainDomain separates these hashes from any other SHA-256 use and names the
// encoding version, so a future encoding cannot collide with this one.
const chainDomain = "suara/case-event/v1"

// EventHash returns SHA-256 over prev and e in an unambiguous encoding: every
// variable-length field is prefixed with its length, so no two different
// events encode alike ("ab"+"c" ≠ "a"+"bc"). CreatedAt is taken in UTC,
// truncated to microseconds (what PostgreSQL keeps), so an event hashes the
// same before and after a round trip through the database.
func EventHash(prev []byte, e ChainedEvent) []byte {
	h := sha256.New()
	var n [8]byte
	field := func(b []byte) {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	field([]byte(chainDomain))
	field(prev)
	field(e.TenantID[:])
	field(e.CaseID[:])
	field(binary.BigEndian.AppendUint64(nil, uint64(e.Seq))) // own buffer: field reuses n
	field([]byte(e.Kind))
	field([]byte(e.ActorID))
	field([]byte(e.Visibility))
	field([]byte(e.CreatedAt.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)))
	field(e.Payload)
	return h.Sum(nil)
}

// VerifyChain checks a case's whole timeline, oldest first, and returns the
// index of the first event that does not hold: its stored hash does not match
// its content, its PrevHash does not match the previous event's hash (the
// first event's must be empty), its Seq does not follow the previous one, or
// it belongs to another tenant or case than the first event. An intact chain
// returns -1 and nil. The index is where tampering shows, not necessarily
// where it happened: a removed event shows at the index it left.
func VerifyChain(events []ChainedEventWithHash) (brokenAt int, err error) {
	var prev []byte
	for i, e := range events {
		broken := func(why string) (int, error) {
			return i, fmt.Errorf("%w at event %d (seq %d): %s", ErrChainBroken, i, e.Seq, why)
		}
		if i > 0 {
			first := events[0]
			if e.TenantID != first.TenantID || e.CaseID != first.CaseID {
				return broken("belongs to another case")
			}
			if e.Seq != events[i-1].Seq+1 {
				return broken(fmt.Sprintf("follows seq %d", events[i-1].Seq))
			}
		}
		if !bytes.Equal(e.PrevHash, prev) {
			return broken("previous-hash link does not match")
		}
		if !bytes.Equal(e.Hash, EventHash(e.PrevHash, e.ChainedEvent)) {
			return broken("stored hash does not match content")
		}
		prev = e.Hash
	}
	return -1, nil
}

// CanonicalJSON encodes v as the payload bytes to hash and store: compact,
// object keys sorted, HTML characters unescaped, numbers kept as written.
// Encoding the same value twice, or re-encoding the output, gives the same
// bytes.
func CanonicalJSON(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode event payload: %w", err)
	}
	// Decode into generic values so that map and struct keys both come out
	// sorted; UseNumber keeps 12345678901234567890 from turning into a float.
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return nil, fmt.Errorf("decode event payload: %w", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // "<" stays "<", as the reporter wrote it
	if err := enc.Encode(generic); err != nil {
		return nil, fmt.Errorf("encode event payload: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
