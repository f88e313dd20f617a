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
