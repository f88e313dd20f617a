package config

import "testing"

// Staff and platform accounts must enrol in 2FA by default in production,
// not in development (the demo and the tests), and either can be forced.
func TestRequire2FAOn(t *testing.T) {
	for _, c := range []struct {
		env, key string
		want     bool
	}{
		{"production", "auto", true}, {"development", "auto", false},
		{"production", "off", false}, {"development", "on", true},
	} {
		cfg := &Config{Env: c.env, Security: Security{Require2FA: c.key}}
		if got := cfg.Require2FAOn(); got != c.want {
			t.Errorf("env %s, require_2fa %s: %t", c.env, c.key, got)
		}
	}
	cfg, err := Load("")
	if err != nil || cfg.Security.Require2FA != "auto" {
		t.Fatalf("default: %v %q", err, cfg.Security.Require2FA)
	}
}
