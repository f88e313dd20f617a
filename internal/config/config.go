// Package config owns Suara's configuration: the typed Config, its defaults
// (config/suara.yaml, embedded), SUARA_* environment overrides and validation.
// It is the only user of Viper.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/viper"

	suara "github.com/suara-id/suara"
)

// Config is the whole configuration, passed explicitly to whatever needs it.
type Config struct {
	Env       string    `mapstructure:"env"`
	HTTP      HTTP      `mapstructure:"http"`
	Database  Database  `mapstructure:"database"`
	Paths     Paths     `mapstructure:"paths"`
	Log       Log       `mapstructure:"log"`
	I18n      I18n      `mapstructure:"i18n"`
	Classify  Classify  `mapstructure:"classify"`
	Evidence  Evidence  `mapstructure:"evidence"`
	Security  Security  `mapstructure:"security"`
	Notify    Notify    `mapstructure:"notify"`
	Analytics Analytics `mapstructure:"analytics"`
	// RateLimits caps filings and evidence uploads (internal/web ratelimit.go).
	RateLimits RateLimits `mapstructure:"rate_limits"`
}

// RateLimits are request caps per fixed window: per client address within
// a tenant, and per tenant across addresses.
type RateLimits struct {
	Window time.Duration `mapstructure:"window"`
	Filing RateLimit     `mapstructure:"filing"`
	Upload RateLimit     `mapstructure:"upload"`
}

// RateLimit is one kind of request's caps within RateLimits.Window.
type RateLimit struct {
	PerIP     int `mapstructure:"per_ip"`
	PerTenant int `mapstructure:"per_tenant"`
}

// Analytics configures cross-union aggregates for the platform.
type Analytics struct {
	// K is the disclosure threshold: no count under K is published.
	K int `mapstructure:"k"`
	// RollupInterval is how often the facts rollup runs.
	RollupInterval time.Duration `mapstructure:"rollup_interval"`
}

// Notify configures outside notification channels (see internal/notify).
type Notify struct {
	SMTP SMTP `mapstructure:"smtp"`
	// OutboundAllowHosts are hosts (or host:port) that tenant gateway and
	// webhook URLs may name although they are plain http or private
	// addresses (an internal gateway); every other URL must be https to a
	// public address (internal/netguard).
	OutboundAllowHosts []string `mapstructure:"outbound_allow_hosts"`
	// SenderDomains are "slug=domain" entries ("*" for every union;
	// "{slug}" in the domain stands for the union's slug): a union's
	// sender_email must be on one of its domains.
	SenderDomains []string `mapstructure:"sender_domains"`
}

type SMTP struct {
	Host     string `mapstructure:"host"`
	Port     int    `mapstructure:"port"`
	Username string `mapstructure:"username"`
	Password string `mapstructure:"password"`
	From     string `mapstructure:"from"`
}

type Classify struct {
	Workers int    `mapstructure:"workers"`
	Ollama  Ollama `mapstructure:"ollama"`
	// MetricsAddr is where `suara worker` serves /metrics ("": nowhere).
	MetricsAddr string `mapstructure:"metrics_addr"`
}

type Ollama struct {
	Enabled    bool          `mapstructure:"enabled"`
	Host       string        `mapstructure:"host"`
	Model      string        `mapstructure:"model"`
	Timeout    time.Duration `mapstructure:"timeout"`
	KeepAlive  time.Duration `mapstructure:"keep_alive"`
	NumCtx     int           `mapstructure:"num_ctx"`
	NumPredict int           `mapstructure:"num_predict"`
	Seed       int           `mapstructure:"seed"`
}

type Evidence struct {
	MaxFilesPerCase int            `mapstructure:"max_files_per_case"`
	LimitsMB        EvidenceLimits `mapstructure:"limits_mb"`
	// Cleaning (internal/evidence): ffmpeg for video and audio, its
	// timeout, the memory one photo decode may take, how many cleanings
	// run at once (0 = one per CPU) and how long an upload waits for a
	// turn before 503.
	FFmpeg       string        `mapstructure:"ffmpeg"`
	MediaTimeout time.Duration `mapstructure:"media_timeout"`
	MaxDecodedMB int64         `mapstructure:"max_decoded_mb"`
	Concurrent   int           `mapstructure:"concurrent_cleanings"`
	BusyWait     time.Duration `mapstructure:"busy_wait"`
	// Store is where evidence content lives: "disk" (under paths.data) or
	// "s3" (an S3-compatible bucket, S3 below).
	Store string     `mapstructure:"store"`
	S3    EvidenceS3 `mapstructure:"s3"`
}

// EvidenceS3 is the bucket evidence.store=s3 writes to.
type EvidenceS3 struct {
	Endpoint   string `mapstructure:"endpoint"` // host:port, no scheme
	Bucket     string `mapstructure:"bucket"`
	Region     string `mapstructure:"region"`
	AccessKey  string `mapstructure:"access_key"`
	SecretKey  string `mapstructure:"secret_key"`
	TLS        bool   `mapstructure:"tls"`
	SSE        string `mapstructure:"sse"` // "" | s3 | kms
	KMSKeyID   string `mapstructure:"kms_key_id"`
	PartSizeMB int64  `mapstructure:"part_size_mb"`
}

type EvidenceLimits struct {
	Photo    int64 `mapstructure:"photo"`
	Audio    int64 `mapstructure:"audio"`
	Video    int64 `mapstructure:"video"`
	Document int64 `mapstructure:"document"`
}

type Security struct {
	Password     Password      `mapstructure:"password"`
	IdentityKeys string        `mapstructure:"identity_keys"`
	SessionTTL   time.Duration `mapstructure:"session_ttl"`
	TokenTTL     time.Duration `mapstructure:"token_ttl"`
	MetricsToken string        `mapstructure:"metrics_token"`
	// Require2FA: "auto" (on in production, off in development), "on" or
	// "off"; see Require2FAOn.
	Require2FA string `mapstructure:"require_2fa"`
}

// Require2FAOn reports whether staff and platform accounts must enrol in
// two-factor login before they can act.
func (c *Config) Require2FAOn() bool {
	switch c.Security.Require2FA {
	case "on":
		return true
	case "off":
		return false
	}
	return c.Env == "production"
}

// Password holds the Argon2id costs of new password hashes.
type Password struct {
	MemoryKiB   uint32 `mapstructure:"memory_kib"`
	Iterations  uint32 `mapstructure:"iterations"`
	Parallelism uint8  `mapstructure:"parallelism"`
}

// DevIdentityKey is the development key shipped in config/suara.yaml.
const DevIdentityKey = "dev1:c3VhcmEtZGV2ZWxvcG1lbnQta2V5LW5vdC1zZWNyZXQ="

type HTTP struct {
	Addr            string        `mapstructure:"addr"`
	BaseDomain      string        `mapstructure:"base_domain"`
	PublicScheme    string        `mapstructure:"public_scheme"`
	TrustedProxies  []string      `mapstructure:"trusted_proxies"`
	ProxyHeader     string        `mapstructure:"proxy_header"`
	ReadTimeout     time.Duration `mapstructure:"read_timeout"`
	WriteTimeout    time.Duration `mapstructure:"write_timeout"`
	IdleTimeout     time.Duration `mapstructure:"idle_timeout"`
	ShutdownTimeout time.Duration `mapstructure:"shutdown_timeout"`
	BodyLimitMB     int           `mapstructure:"body_limit_mb"`
	SecureCookies   bool          `mapstructure:"secure_cookies"`
	// PprofAddr, when set, serves Go's profiles on this loopback address.
	PprofAddr string `mapstructure:"pprof_addr"`
	// ProxyAccessLog is the operator's statement of what the reverse proxy
	// logs for union hosts: "" (not stated), "off" or "no_addresses" (see
	// docs/deploy.md). Suara cannot see the proxy; suara doctor warns while
	// a proxy is configured and nothing is stated.
	ProxyAccessLog string `mapstructure:"proxy_access_log"`
}

type Database struct {
	URL             string        `mapstructure:"url"`
	OwnerURL        string        `mapstructure:"owner_url"`
	MaxOpenConns    int           `mapstructure:"max_open_conns"`
	MaxIdleConns    int           `mapstructure:"max_idle_conns"`
	ConnMaxLifetime time.Duration `mapstructure:"conn_max_lifetime"`
}

type Paths struct {
	Data    string `mapstructure:"data"`
	Tenants string `mapstructure:"tenants"`
}

type Log struct {
	Level  string `mapstructure:"level"`
	Format string `mapstructure:"format"`
}

type I18n struct {
	DefaultLocale string `mapstructure:"default_locale"`
}

// Load reads the embedded defaults, then the optional file at path, then
// SUARA_* environment variables, and validates the result.
func Load(path string) (*Config, error) {
	v := viper.New()
	v.SetConfigType("yaml")
	defaults, err := suara.ConfigFS.ReadFile("config/suara.yaml")
	if err != nil {
		return nil, fmt.Errorf("read default config: %w", err)
	}
	if err := v.ReadConfig(bytes.NewReader(defaults)); err != nil {
		return nil, fmt.Errorf("parse default config: %w", err)
	}
	// Register every key as a default so that Unmarshal sees environment
	// overrides even for keys no file sets (Viper ignores unknown env keys).
	for _, k := range v.AllKeys() {
		v.SetDefault(k, v.Get(k))
	}
	if path != "" {
		v.SetConfigFile(path)
		if err := v.MergeInConfig(); err != nil {
			return nil, fmt.Errorf("read config %s: %w", path, err)
		}
	}
	v.SetEnvPrefix("SUARA")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()

	var cfg Config
	hooks := viper.DecodeHook(mapstructure.ComposeDecodeHookFunc(
		mapstructure.StringToTimeDurationHookFunc(),
		mapstructure.StringToSliceHookFunc(","),
	))
	if err := v.Unmarshal(&cfg, hooks, func(dc *mapstructure.DecoderConfig) { dc.ErrorUnused = false }); err != nil {
		return nil, fmt.Errorf("decode config: %w", err)
	}
	cfg.normalise()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

func (c *Config) normalise() {
	c.HTTP.BaseDomain = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(c.HTTP.BaseDomain), "."))
	var proxies []string
	for _, p := range c.HTTP.TrustedProxies {
		if p = strings.TrimSpace(p); p != "" {
			proxies = append(proxies, p)
		}
	}
	c.HTTP.TrustedProxies = proxies
}

var hostnameRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$`)

// Validate reports every problem at once, each naming the key and the env
// variable that sets it.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		env := "SUARA_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
		errs = append(errs, fmt.Errorf("config %s (%s): %s", key, env, fmt.Sprintf(format, args...)))
	}
	if c.Env != "development" && c.Env != "production" {
		bad("env", "must be development or production, got %q", c.Env)
	}
	if _, _, err := net.SplitHostPort(c.HTTP.Addr); err != nil {
		bad("http.addr", "must be host:port, got %q", c.HTTP.Addr)
	}
	if !hostnameRE.MatchString(c.HTTP.BaseDomain) {
		bad("http.base_domain", "must be a host name such as localhost or suara.example.org, got %q", c.HTTP.BaseDomain)
	}
	if c.HTTP.PublicScheme != "http" && c.HTTP.PublicScheme != "https" {
		bad("http.public_scheme", "must be http or https, got %q", c.HTTP.PublicScheme)
	}
	if v := c.HTTP.ProxyAccessLog; v != "" && v != "off" && v != "no_addresses" {
		bad("http.proxy_access_log", `must be "", off or no_addresses, got %q`, v)
	}
	for _, p := range c.HTTP.TrustedProxies {
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				bad("http.trusted_proxies", "%q is neither an IP address nor a CIDR range", p)
			}
		}
	}
	for key, d := range map[string]time.Duration{
		"http.read_timeout": c.HTTP.ReadTimeout, "http.write_timeout": c.HTTP.WriteTimeout,
		"http.idle_timeout": c.HTTP.IdleTimeout, "http.shutdown_timeout": c.HTTP.ShutdownTimeout,
	} {
		if d <= 0 {
			bad(key, "must be a positive duration such as 15s")
		}
	}
	if c.HTTP.BodyLimitMB < 1 || c.HTTP.BodyLimitMB > 1024 {
		bad("http.body_limit_mb", "must be between 1 and 1024, got %d", c.HTTP.BodyLimitMB)
	}
	for key, u := range map[string]string{"database.url": c.Database.URL, "database.owner_url": c.Database.OwnerURL} {
		if pu, err := url.Parse(u); err != nil || (pu.Scheme != "postgres" && pu.Scheme != "postgresql") {
			bad(key, "must be a postgres:// URL")
		}
	}
	if c.Database.MaxOpenConns < 1 {
		bad("database.max_open_conns", "must be at least 1, got %d", c.Database.MaxOpenConns)
	}
	if c.Paths.Data == "" {
		bad("paths.data", "must not be empty")
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "must be debug, info, warn or error, got %q", c.Log.Level)
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		bad("log.format", "must be text or json, got %q", c.Log.Format)
	}
	if c.I18n.DefaultLocale != "id" && c.I18n.DefaultLocale != "en" {
		bad("i18n.default_locale", "must be id or en, got %q", c.I18n.DefaultLocale)
	}
	if c.Classify.Workers < 0 {
		bad("classify.workers", "must be 0 or more, got %d", c.Classify.Workers)
	}
	if a := c.Classify.MetricsAddr; a != "" {
		if _, _, err := net.SplitHostPort(a); err != nil {
			bad("classify.metrics_addr", "must be host:port or :port, got %q", a)
		}
	}
	if c.Classify.Ollama.Enabled {
		if pu, err := url.Parse(c.Classify.Ollama.Host); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") {
			bad("classify.ollama.host", "must be an http(s) URL, got %q", c.Classify.Ollama.Host)
		}
		if c.Classify.Ollama.Model == "" {
			bad("classify.ollama.model", "must name a model such as qwen2.5:3b")
		}
		if c.Classify.Ollama.Timeout <= 0 {
			bad("classify.ollama.timeout", "must be a positive duration")
		}
	}
	if c.Evidence.MaxFilesPerCase < 1 {
		bad("evidence.max_files_per_case", "must be at least 1")
	}
	for k, v := range map[string]int64{"photo": c.Evidence.LimitsMB.Photo, "audio": c.Evidence.LimitsMB.Audio,
		"video": c.Evidence.LimitsMB.Video, "document": c.Evidence.LimitsMB.Document} {
		if v < 1 || v > 2048 {
			bad("evidence.limits_mb."+k, "must be between 1 and 2048 MB, got %d", v)
		}
	}
	if c.Evidence.MediaTimeout <= 0 {
		bad("evidence.media_timeout", "must be a positive duration")
	}
	if c.Evidence.MaxDecodedMB < 16 || c.Evidence.MaxDecodedMB > 4096 {
		bad("evidence.max_decoded_mb", "must be between 16 and 4096 MB, got %d", c.Evidence.MaxDecodedMB)
	}
	if c.Evidence.Concurrent < 0 {
		bad("evidence.concurrent_cleanings", "must be 0 (one per CPU) or more, got %d", c.Evidence.Concurrent)
	}
	if c.Evidence.BusyWait <= 0 {
		bad("evidence.busy_wait", "must be a positive duration")
	}
	switch s3 := c.Evidence.S3; c.Evidence.Store {
	case "disk":
	case "s3":
		for key, v := range map[string]string{"evidence.s3.endpoint": s3.Endpoint, "evidence.s3.bucket": s3.Bucket,
			"evidence.s3.access_key": s3.AccessKey, "evidence.s3.secret_key": s3.SecretKey} {
			if v == "" {
				bad(key, "must be set when evidence.store is s3")
			}
		}
		if strings.Contains(s3.Endpoint, "://") || strings.Contains(s3.Endpoint, "/") {
			bad("evidence.s3.endpoint", "must be host:port without a scheme or path (evidence.s3.tls chooses https), got %q", s3.Endpoint)
		}
		if s3.SSE != "" && s3.SSE != "s3" && s3.SSE != "kms" {
			bad("evidence.s3.sse", `must be "", s3 or kms, got %q`, s3.SSE)
		}
		if s3.SSE == "kms" && s3.KMSKeyID == "" {
			bad("evidence.s3.kms_key_id", "must name a key when evidence.s3.sse is kms")
		}
		if s3.PartSizeMB < 5 || s3.PartSizeMB > 512 {
			bad("evidence.s3.part_size_mb", "must be between 5 and 512, got %d", s3.PartSizeMB)
		}
		if c.Env == "production" && !s3.TLS {
			bad("evidence.s3.tls", "must be true in production: evidence must not cross the network in clear")
		}
	default:
		bad("evidence.store", "must be disk or s3, got %q", c.Evidence.Store)
	}
	if c.Security.IdentityKeys == "" {
		bad("security.identity_keys", "must hold at least one id:base64key pair")
	} else if c.Env == "production" && strings.Contains(c.Security.IdentityKeys, DevIdentityKey) {
		bad("security.identity_keys", "the development key must not be used in production")
	}
	if c.Analytics.K < 3 || c.Analytics.K > 100 {
		bad("analytics.k", "must be between 3 and 100, got %d", c.Analytics.K)
	}
	if c.Analytics.RollupInterval < time.Second {
		bad("analytics.rollup_interval", "must be at least 1s, got %s", c.Analytics.RollupInterval)
	}
	if c.RateLimits.Window < time.Second {
		bad("rate_limits.window", "must be at least 1s, got %s", c.RateLimits.Window)
	}
	for key, n := range map[string]int{"rate_limits.filing.per_ip": c.RateLimits.Filing.PerIP, "rate_limits.filing.per_tenant": c.RateLimits.Filing.PerTenant,
		"rate_limits.upload.per_ip": c.RateLimits.Upload.PerIP, "rate_limits.upload.per_tenant": c.RateLimits.Upload.PerTenant} {
		if n < 1 {
			bad(key, "must be at least 1, got %d", n)
		}
	}
	if pw := c.Security.Password; pw.Parallelism < 1 || pw.Iterations < 1 || pw.MemoryKiB < 8*uint32(pw.Parallelism) {
		bad("security.password", "needs parallelism >= 1, iterations >= 1 and memory_kib >= 8 x parallelism")
	} else if c.Env == "production" && (pw.MemoryKiB < 19*1024 || pw.Iterations < 2) {
		bad("security.password", "production needs at least memory_kib 19456 and iterations 2 (OWASP's floor)")
	}
	if r := c.Security.Require2FA; r != "auto" && r != "on" && r != "off" {
		bad("security.require_2fa", "must be auto, on or off, got %q", r)
	}
	if c.Security.SessionTTL <= 0 || c.Security.TokenTTL <= 0 {
		bad("security.session_ttl", "session and token lifetimes must be positive")
	}
	return errors.Join(errs...)
}
