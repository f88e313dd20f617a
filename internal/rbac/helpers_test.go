package rbac

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
)

// memSource is an in-memory MembershipSource whose contents tests change.
type memSource struct {
	mu  sync.Mutex
	ms  []Membership
	err error
}

func (s *memSource) Memberships(ctx context.Context) ([]Membership, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	return append([]Membership(nil), s.ms...), nil
}

func (s *memSource) set(ms []Membership, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ms, s.err = ms, err
}

// uid returns a deterministic, valid UUID for test user n.
func uid(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

func readConfig(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("../../config/" + name)
	if err != nil {
		t.Fatalf("read config: %v", err)
	}
	return string(b)
}

// newTestEnforcer builds an enforcer from the real config files.
func newTestEnforcer(t testing.TB, src MembershipSource) *Enforcer {
	t.Helper()
	e, err := New(readConfig(t, "rbac_model.conf"), readConfig(t, "rbac_policy.csv"), src)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e
}
