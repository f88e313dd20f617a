package rbac

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2/model"
)

func TestAdapterLoadsPolicyAndMemberships(t *testing.T) {
	src := &memSource{ms: []Membership{
		{uid(1), RoleBranchAdmin, "spn/jabar/*"},
		{uid(1), RoleBranchAdmin, "spn/jabar/*"}, // duplicate row: loaded once
		{uid(2), RolePlatformAdmin, "platform"},
		{uid(3), RoleFederationAdmin, "platform"}, // invalid: skipped
		{uid(4), "root", "spn/*"},                 // invalid: skipped
	}}
	var logs bytes.Buffer
	a, err := NewAdapter("# comment\n\np, worker, case, create\np,branch_admin,case,read\n", src, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.NewModelFromString(readConfig(t, "rbac_model.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.LoadPolicy(m); err != nil {
		t.Fatal(err)
	}

	gotP, _ := m.GetPolicy("p", "p")
	wantP := [][]string{{"worker", "case", "create"}, {"branch_admin", "case", "read"}}
	if !slices.EqualFunc(gotP, wantP, slices.Equal) {
		t.Errorf("p rules = %v, want %v", gotP, wantP)
	}
	gotG, _ := m.GetPolicy("g", "g")
	wantG := [][]string{{"user:" + uid(1), "branch_admin", "spn/jabar/*"}, {"user:" + uid(2), "platform_admin", "platform"}}
	if !slices.EqualFunc(gotG, wantG, slices.Equal) {
		t.Errorf("g rules = %v, want %v", gotG, wantG)
	}
	if n := strings.Count(logs.String(), "skipping membership"); n != 2 {
		t.Errorf("logged %d skipped memberships, want 2:\n%s", n, logs.String())
	}
}

func TestAdapterSourceError(t *testing.T) {
	boom := errors.New("db down")
	a, err := NewAdapter("p, worker, case, create\n", &memSource{err: boom}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := model.NewModelFromString(readConfig(t, "rbac_model.conf"))
	if err := a.LoadPolicyCtx(context.Background(), m); !errors.Is(err, boom) {
		t.Errorf("LoadPolicyCtx = %v, want wrapping %v", err, boom)
	}
}

func TestAdapterIsReadOnly(t *testing.T) {
	a, err := NewAdapter("p, worker, case, create\n", &memSource{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rule := []string{"user:" + uid(1), "federation_admin", "spn/*"}
	for name, err := range map[string]error{
		"SavePolicy":              a.SavePolicy(model.Model{}),
		"AddPolicy":               a.AddPolicy("g", "g", rule),
		"RemovePolicy":            a.RemovePolicy("g", "g", rule),
		"RemoveFilteredPolicy":    a.RemoveFilteredPolicy("g", "g", 0, rule[0]),
		"SavePolicyCtx":           a.SavePolicyCtx(ctx, model.Model{}),
		"AddPolicyCtx":            a.AddPolicyCtx(ctx, "g", "g", rule),
		"RemovePolicyCtx":         a.RemovePolicyCtx(ctx, "g", "g", rule),
		"RemoveFilteredPolicyCtx": a.RemoveFilteredPolicyCtx(ctx, "g", "g", 0, rule[0]),
	} {
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s = %v, want ErrReadOnly", name, err)
		}
	}
}

func TestParsePolicyRejects(t *testing.T) {
	tests := map[string]string{
		"grouping rule":   "p, worker, case, create\ng, user:x, federation_admin, spn/*\n",
		"unknown role":    "p, superuser, case, read\n",
		"too few fields":  "p, worker, case\n",
		"too many fields": "p, worker, case, read, spn/*\n",
		"empty field":     "p, worker, , read\n",
		"duplicate":       "p, worker, case, create\np, worker, case, create\n",
		"empty":           "# nothing\n",
		"bad quoting":     "p, worker, \"case, create\n",
	}
	for name, text := range tests {
		if _, err := NewAdapter(text, &memSource{}, nil); err == nil {
			t.Errorf("%s: NewAdapter accepted %q", name, text)
		}
	}
	if _, err := NewAdapter("p, worker, case, create\n", nil, nil); err == nil {
		t.Error("NewAdapter accepted a nil source")
	}
}
