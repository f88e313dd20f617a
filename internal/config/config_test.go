package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDefaultsLoad(t *testing.T) {
	cfg, err := Load("")
	if err != nil {
		t.Fatalf("load defaults: %v", err)
	}
	if cfg.HTTP.Addr != ":8080" || cfg.HTTP.BaseDomain != "localhost" || cfg.I18n.DefaultLocale != "id" {
		t.Fatalf("unexpected defaults: %+v", cfg.HTTP)
	}
	if cfg.HTTP.ReadTimeout != 15*time.Second {
		t.Fatalf("read timeout = %v", cfg.HTTP.ReadTimeout)
	}
}

// An environment variable alone overrides a nested key, including list and
// duration keys.
func TestEnvOverridesNestedKey(t *testing.T) {
	t.Setenv("SUARA_DATABASE_MAX_OPEN_CONNS", "42")
	t.Setenv("SUARA_HTTP_BASE_DOMAIN", "Suara.Example.ORG")
	t.Setenv("SUARA_HTTP_TRUSTED_PROXIES", "10.0.0.1,192.168.0.0/16")
	t.Setenv("SUARA_HTTP_READ_TIMEOUT", "3s")
	cfg, err := Load("")
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if cfg.Database.MaxOpenConns != 42 {
		t.Errorf("max_open_conns = %d, want 42", cfg.Database.MaxOpenConns)
	}
	if cfg.HTTP.BaseDomain != "suara.example.org" {
		t.Errorf("base_domain = %q", cfg.HTTP.BaseDomain)
	}
	if len(cfg.HTTP.TrustedProxies) != 2 || cfg.HTTP.TrustedProxies[1] != "192.168.0.0/16" {
		t.Errorf("trusted_proxies = %q", cfg.HTTP.TrustedProxies)
	}
	if cfg.HTTP.ReadTimeout != 3*time.Second {
		t.Errorf("read_timeout = %v", cfg.HTTP.ReadTimeout)
	}
}

func TestFileOverridesDefaultsAndEnvOverridesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "suara.yaml")
	if err := os.WriteFile(path, []byte("http:\n  addr: \":9090\"\nlog:\n  level: debug\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SUARA_LOG_LEVEL", "warn")
	cfg, err := Load(path)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if cfg.HTTP.Addr != ":9090" || cfg.Log.Level != "warn" {
		t.Fatalf("addr=%q level=%q", cfg.HTTP.Addr, cfg.Log.Level)
	}
}

func TestValidationNamesKeyAndEnv(t *testing.T) {
	t.Setenv("SUARA_HTTP_ADDR", "eighty")
	t.Setenv("SUARA_I18N_DEFAULT_LOCALE", "fr")
	t.Setenv("SUARA_HTTP_TRUSTED_PROXIES", "not-an-ip")
	t.Setenv("SUARA_CLASSIFY_METRICS_ADDR", "9091")
	_, err := Load("")
	if err == nil {
		t.Fatal("expected validation error")
	}
	for _, want := range []string{"http.addr (SUARA_HTTP_ADDR)", "i18n.default_locale", "not-an-ip", "classify.metrics_addr (SUARA_CLASSIFY_METRICS_ADDR)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

// Rate limits have production defaults, are raised by environment (as the
// benchmark and soak scripts do) and must be positive.
func TestRateLimits(t *testing.T) {
	cfg, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if l := cfg.RateLimits; l.Window != 10*time.Minute || l.Filing.PerIP != 120 || l.Filing.PerTenant != 600 || l.Upload.PerIP != 240 || l.Upload.PerTenant != 1200 {
		t.Errorf("defaults %+v", l)
	}
	t.Setenv("SUARA_RATE_LIMITS_FILING_PER_IP", "100000000")
	t.Setenv("SUARA_RATE_LIMITS_UPLOAD_PER_TENANT", "7")
	if cfg, err = Load(""); err != nil {
		t.Fatal(err)
	}
	if cfg.RateLimits.Filing.PerIP != 100000000 || cfg.RateLimits.Upload.PerTenant != 7 {
		t.Errorf("env overrides %+v", cfg.RateLimits)
	}
	t.Setenv("SUARA_RATE_LIMITS_FILING_PER_TENANT", "0")
	if _, err := Load(""); err == nil || !strings.Contains(err.Error(), "SUARA_RATE_LIMITS_FILING_PER_TENANT") {
		t.Errorf("a zero limit: %v", err)
	}
}
