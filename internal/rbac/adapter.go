package rbac

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
)

// ErrReadOnly is returned by every Adapter write: role assignments are
// managed through the memberships table and permissions through the
// reviewed policy file, never through Casbin's management API.
var ErrReadOnly = errors.New("rbac: assignments are managed through the memberships table and permissions through config/rbac_policy.csv")

// Adapter is a read-only Casbin adapter. It loads the "p" rules from the
// policy CSV text and one "g" rule per valid membership from a
// MembershipSource.
type Adapter struct {
	policy [][]string // "p" rules without the ptype: role, obj, act
	src    MembershipSource
	log    *slog.Logger
}

var (
	_ persist.Adapter        = (*Adapter)(nil)
	_ persist.ContextAdapter = (*Adapter)(nil)
)

// NewAdapter parses the policy CSV and returns an adapter over it and src.
// The CSV may hold only "p, <role>, <object>, <action>" rules of known
// roles; comments (#) and blank lines are ignored.
func NewAdapter(policyCSV string, src MembershipSource, log *slog.Logger) (*Adapter, error) {
	if src == nil {
		return nil, errors.New("new adapter: nil membership source")
	}
	if log == nil {
		log = slog.Default()
	}
	rules, err := parsePolicy(policyCSV)
	if err != nil {
		return nil, fmt.Errorf("new adapter: %w", err)
	}
	return &Adapter{policy: rules, src: src, log: log}, nil
}

func parsePolicy(text string) ([][]string, error) {
	r := csv.NewReader(strings.NewReader(text))
	r.Comment = '#'
	r.TrimLeadingSpace = true
	r.FieldsPerRecord = -1
	var rules [][]string
	seen := map[string]bool{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("parse policy: %w", err)
		}
		line, _ := r.FieldPos(0)
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		// Assignments in the file would bypass the memberships table, the
		// single place where who-holds-what is recorded and audited.
		if rec[0] != "p" {
			return nil, fmt.Errorf("parse policy: line %d: only \"p\" rules belong in the policy file, got %q", line, rec[0])
		}
		if len(rec) != 4 || rec[1] == "" || rec[2] == "" || rec[3] == "" {
			return nil, fmt.Errorf("parse policy: line %d: want \"p, role, object, action\", got %d fields", line, len(rec))
		}
		if !KnownRole(rec[1]) {
			return nil, fmt.Errorf("parse policy: line %d: unknown role %q", line, rec[1])
		}
		key := strings.Join(rec[1:], ",")
		if seen[key] {
			return nil, fmt.Errorf("parse policy: line %d: duplicate rule %s", line, key)
		}
		seen[key] = true
		rules = append(rules, rec[1:])
	}
	if len(rules) == 0 {
		return nil, errors.New("parse policy: no rules")
	}
	return rules, nil
}

// LoadPolicy loads all rules; see LoadPolicyCtx.
func (a *Adapter) LoadPolicy(m model.Model) error {
	return a.LoadPolicyCtx(context.Background(), m)
}

// LoadPolicyCtx loads the policy rules and the memberships into m. An
// invalid membership is skipped and logged rather than failing the load: one
// bad row must not lock every user out, and skipping it denies only what it
// would have granted.
func (a *Adapter) LoadPolicyCtx(ctx context.Context, m model.Model) error {
	ms, err := a.src.Memberships(ctx)
	if err != nil {
		return fmt.Errorf("load memberships: %w", err)
	}
	for _, rule := range a.policy {
		if err := m.AddPolicy("p", "p", append([]string(nil), rule...)); err != nil {
			return fmt.Errorf("load policy rule %v: %w", rule, err)
		}
	}
	seen := make(map[Membership]bool, len(ms))
	for _, mb := range ms {
		if err := ValidateMembership(mb); err != nil {
			a.log.Warn("rbac: skipping membership", "user_id", mb.UserID, "role", mb.Role, "domain", mb.Domain, "err", err)
			continue
		}
		if seen[mb] {
			continue
		}
		seen[mb] = true
		if err := m.AddPolicy("g", "g", []string{subject(mb.UserID), mb.Role, mb.Domain}); err != nil {
			return fmt.Errorf("load membership %v: %w", mb, err)
		}
	}
	return nil
}

// subject is the Casbin subject of a user. The prefix keeps user subjects
// and role names in separate namespaces.
func subject(userID string) string { return "user:" + userID }

// SavePolicy refuses: see ErrReadOnly.
func (a *Adapter) SavePolicy(model.Model) error { return ErrReadOnly }

// AddPolicy refuses: see ErrReadOnly.
func (a *Adapter) AddPolicy(string, string, []string) error { return ErrReadOnly }

// RemovePolicy refuses: see ErrReadOnly.
func (a *Adapter) RemovePolicy(string, string, []string) error { return ErrReadOnly }

// RemoveFilteredPolicy refuses: see ErrReadOnly.
func (a *Adapter) RemoveFilteredPolicy(string, string, int, ...string) error { return ErrReadOnly }

// SavePolicyCtx refuses: see ErrReadOnly.
func (a *Adapter) SavePolicyCtx(context.Context, model.Model) error { return ErrReadOnly }

// AddPolicyCtx refuses: see ErrReadOnly.
func (a *Adapter) AddPolicyCtx(context.Context, string, string, []string) error { return ErrReadOnly }

// RemovePolicyCtx refuses: see ErrReadOnly.
func (a *Adapter) RemovePolicyCtx(context.Context, string, string, []string) error {
	return ErrReadOnly
}

// RemoveFilteredPolicyCtx refuses: see ErrReadOnly.
func (a *Adapter) RemoveFilteredPolicyCtx(context.Context, string, string, int, ...string) error {
	return ErrReadOnly
}
