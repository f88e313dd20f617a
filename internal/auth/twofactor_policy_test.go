package auth_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/tenant"
)

// How the platform's security.require_2fa and a union's require_staff_2fa
// combine (twofactor_policy.go), from the configuration as app.go reads it.
func TestStaff2FAPolicy(t *testing.T) {
	yes, no := true, false
	cases := []struct {
		env, key string
		union    *bool
		staff    bool // the union's staff must enrol
		platform bool // platform accounts must enrol
	}{
		{"production", "auto", nil, true, true}, // on by default in production
		{"production", "auto", &no, false, true},
		{"production", "auto", &yes, true, true},
		{"development", "auto", nil, false, false},
		{"development", "auto", &yes, true, false},
		{"development", "on", nil, true, true},
		{"development", "on", &no, true, true}, // "on" forces it
		{"production", "off", nil, false, false},
		{"production", "off", &yes, true, false}, // a union may still require it
	}
	for _, c := range cases {
		cfg := &config.Config{Env: c.env, Security: config.Security{Require2FA: c.key}}
		s := auth.NewService(nil, nil, slog.Default(), time.Hour, time.Hour)
		s.SetTwoFactorPolicy(auth.TwoFactorPolicy{Default: cfg.Require2FAOn(), Forced: c.key == "on"})
		u := &tenant.Tenant{Settings: tenant.Settings{RequireStaff2FA: c.union}}
		if got := s.MustEnrol(u, false); got != c.staff {
			t.Errorf("%s %s union %v: staff must enrol = %v, want %v", c.env, c.key, deref(c.union), got, c.staff)
		}
		if s.MustEnrol(u, true) {
			t.Errorf("%s %s: an enrolled account must enrol", c.env, c.key)
		}
		if got := s.MustEnrol(nil, false); got != c.platform {
			t.Errorf("%s %s: platform account must enrol = %v, want %v", c.env, c.key, got, c.platform)
		}
	}
}

func deref(b *bool) any {
	if b == nil {
		return "unset"
	}
	return *b
}
