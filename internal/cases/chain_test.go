package cases

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
)

var (
	chainTenant = uuid.MustParse("7b0c2f4e-2d1a-4c59-9a53-2f6f3f0f1a01")
	chainCase   = uuid.MustParse("c4a1e9b2-5f3d-4e8a-b1c7-0d2e6f9a8b02")
)

// chainTestBuild writes n events the way the store will: each hashed over the
// previous event's hash.
func chainTestBuild(t *testing.T, n int) []ChainedEventWithHash {
	t.Helper()
	base := time.Date(2026, 6, 8, 2, 0, 0, 123456789, time.UTC)
	var out []ChainedEventWithHash
	var prev []byte
	for i := range n {
		payload, err := CanonicalJSON(map[string]any{"step": i, "note": fmt.Sprintf("langkah %d", i)})
		if err != nil {
			t.Fatal(err)
		}
		e := ChainedEvent{
			TenantID: chainTenant, CaseID: chainCase, Seq: int64(i + 1),
			Kind: "status_changed", ActorID: "officer-1", Visibility: "reporter",
			CreatedAt: base.Add(time.Duration(i) * time.Hour), Payload: payload,
		}
		h := EventHash(prev, e)
		out = append(out, ChainedEventWithHash{ChainedEvent: e, PrevHash: prev, Hash: h})
		prev = h
	}
	return out
}

func TestVerifyIntactChain(t *testing.T) {
	for _, n := range []int{0, 1, 6} {
		if at, err := VerifyChain(chainTestBuild(t, n)); at != -1 || err != nil {
			t.Errorf("intact chain of %d: broken at %d, %v", n, at, err)
		}
	}
}

func TestVerifyDetectsTampering(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func([]ChainedEventWithHash) []ChainedEventWithHash
		want   int
	}{
		{"payload changed", func(c []ChainedEventWithHash) []ChainedEventWithHash {
			c[3].Payload = []byte(`{"note":"langkah 3","step":99}`)
			return c
		}, 3},
		{"visibility flipped to internal", func(c []ChainedEventWithHash) []ChainedEventWithHash {
			c[2].Visibility = "internal"
			return c
		}, 2},
		{"time moved by a second", func(c []ChainedEventWithHash) []ChainedEventWithHash {
			c[4].CreatedAt = c[4].CreatedAt.Add(time.Second)
			return c
		}, 4},
		{"payload and hash both rewritten", func(c []ChainedEventWithHash) []ChainedEventWithHash {
			c[1].Payload = []byte(`{}`)
			c[1].Hash = EventHash(c[1].PrevHash, c[1].ChainedEvent)
			return c // the next event's link gives it away
		}, 2},
		{"event removed", func(c []ChainedEventWithHash) []ChainedEventWithHash {
			return append(c[:2:2], c[3:]...)
		}, 2},
		{"first event removed", func(c []ChainedEventWithHash) []ChainedEventWithHash {
			return c[1:]
		}, 0},
		{"two events swapped", func(c []ChainedEventWithHash) []ChainedEventWithHash {
			c[3], c[4] = c[4], c[3]
			return c
		}, 3},
		{"swapped and renumbered", func(c []ChainedEventWithHash) []ChainedEventWithHash {
			c[3], c[4] = c[4], c[3]
			c[3].Seq, c[4].Seq = 4, 5
			return c
		}, 3},
		{"event from another case spliced in", func(c []ChainedEventWithHash) []ChainedEventWithHash {
			c[5].CaseID = uuid.MustParse("00000000-0000-4000-8000-000000000005")
			return c
		}, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := VerifyChain(tc.tamper(chainTestBuild(t, 6)))
			if got != tc.want || !errors.Is(err, ErrChainBroken) {
				t.Fatalf("broken at %d (%v), want %d", got, err, tc.want)
			}
		})
	}
}

func TestEventHashStableAcrossDatabaseRoundTrip(t *testing.T) {
	e := chainTestBuild(t, 1)[0].ChainedEvent
	// PostgreSQL keeps microseconds and hands times back in the session zone.
	stored := e
	stored.CreatedAt = e.CreatedAt.Truncate(time.Microsecond).In(time.FixedZone("WIB", 7*3600))
	if !bytes.Equal(EventHash(nil, e), EventHash(nil, stored)) {
		t.Fatal("hash changed after a microsecond, zone-shifting round trip")
	}
}

func TestEventHashFieldsAreUnambiguous(t *testing.T) {
	a := chainTestBuild(t, 1)[0].ChainedEvent
	b := a
	// Moving a byte across a field boundary must change the hash.
	a.Kind, a.ActorID = "note", "xofficer"
	b.Kind, b.ActorID = "notex", "officer"
	if bytes.Equal(EventHash(nil, a), EventHash(nil, b)) {
		t.Fatal("field boundary shift gives the same hash")
	}
	// Every field takes part.
	for name, change := range map[string]func(*ChainedEvent){
		"tenant":     func(e *ChainedEvent) { e.TenantID[15] ^= 1 },
		"case":       func(e *ChainedEvent) { e.CaseID[0] ^= 1 },
		"seq":        func(e *ChainedEvent) { e.Seq++ },
		"kind":       func(e *ChainedEvent) { e.Kind += "!" },
		"actor":      func(e *ChainedEvent) { e.ActorID = "" },
		"visibility": func(e *ChainedEvent) { e.Visibility = "internal" },
		"created_at": func(e *ChainedEvent) { e.CreatedAt = e.CreatedAt.Add(time.Microsecond) },
		"payload":    func(e *ChainedEvent) { e.Payload = append([]byte(nil), " "...) },
	} {
		c := a
		change(&c)
		if bytes.Equal(EventHash(nil, a), EventHash(nil, c)) {
			t.Errorf("changing %s leaves the hash unchanged", name)
		}
	}
	// The previous hash is part of the input.
	if bytes.Equal(EventHash(nil, a), EventHash([]byte{0}, a)) {
		t.Fatal("prev hash not hashed")
	}
}

func TestEventHashPinned(t *testing.T) {
	// Pinning one hash makes an accidental change of the encoding fail here
	// rather than break every stored chain in production. The value was
	// computed independently of this package (Python hashlib over the
	// documented encoding: 8-byte big-endian length + bytes per field).
	e := ChainedEvent{
		TenantID: chainTenant, CaseID: chainCase, Seq: 1, Kind: "filed", ActorID: "",
		Visibility: "reporter", CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC),
		Payload: []byte(`{"type":"complaint"}`),
	}
	const want = "4d8078d2fb7eabcfdb58abe76bb491187ade164a6dc8d530ae1a3deee6639cf9"
	got := hex.EncodeToString(EventHash(nil, e))
	if got != want {
		t.Fatalf("EventHash = %s, want %s", got, want)
	}
}

func TestCanonicalJSON(t *testing.T) {
	type payload struct {
		Zeta  string `json:"zeta"`
		Alpha int64  `json:"alpha"`
	}
	fromStruct, err := CanonicalJSON(payload{Zeta: "<b>gaji & lembur</b>", Alpha: 12345678901234567})
	if err != nil {
		t.Fatal(err)
	}
	fromMap, err := CanonicalJSON(map[string]any{"zeta": "<b>gaji & lembur</b>", "alpha": int64(12345678901234567)})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"alpha":12345678901234567,"zeta":"<b>gaji & lembur</b>"}`
	if string(fromStruct) != want || string(fromMap) != want {
		t.Fatalf("struct %s, map %s, want %s", fromStruct, fromMap, want)
	}
	again, err := CanonicalJSON(chainTestRaw(fromStruct))
	if err != nil || !bytes.Equal(again, fromStruct) {
		t.Fatalf("re-encoding changed the bytes: %s, %v", again, err)
	}
	if _, err := CanonicalJSON(func() {}); err == nil {
		t.Fatal("a function encoded as JSON")
	}
}

// chainTestRaw lets a test feed already-encoded bytes back in.
type chainTestRaw []byte

func (r chainTestRaw) MarshalJSON() ([]byte, error) { return r, nil }
