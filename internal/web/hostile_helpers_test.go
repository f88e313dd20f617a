package web_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/config"
)

// hostileActor is who sends a hostile request.
type hostileActor struct {
	name  string
	login func() string // a fresh token, "" for anonymous
}

// mintToken inserts a bearer/session token for the account found by
// where (a users column = value) on the tenant; expired makes it useless.
// Minting through the database, not the login route, keeps the login rate
// limit out of the way and lets a batch's logout end only its own token.
func (e *env) mintToken(slug, column, value string, expired bool) string {
	e.t.Helper()
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	tok := base64.RawURLEncoding.EncodeToString(raw)
	sum := sha256.Sum256([]byte(tok))
	exp := time.Now().Add(time.Hour)
	if expired {
		exp = time.Now().Add(-time.Hour)
	}
	_, err := e.db.Super.ExecContext(context.Background(), `INSERT INTO auth_tokens (tenant_id, user_id, kind, token_hash, expires_at)
		SELECT u.tenant_id, u.id, 'api', ?, ? FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE t.slug = ? AND u.`+column+` = ?`,
		sum[:], exp, slug, value)
	if err != nil {
		e.t.Fatalf("mint token: %v", err)
	}
	return tok
}

// tenantTableCounts counts the rows of every tenant-owned table (those with
// a tenant_id column) but the ones refused requests legitimately write to.
func (e *env) tenantTableCounts() map[string]int {
	e.t.Helper()
	ctx := context.Background()
	var tables []string
	err := e.db.Super.NewSelect().TableExpr("information_schema.columns").Column("table_name").
		Where("table_schema = 'public' AND column_name = 'tenant_id'").
		Where("table_name NOT IN (?)", bun.List(refusalLogTables)).Order("table_name").Scan(ctx, &tables)
	if err != nil {
		e.t.Fatalf("list tenant tables: %v", err)
	}
	parts := make([]string, len(tables))
	for i, t := range tables {
		parts[i] = fmt.Sprintf("SELECT '%s', count(*) FROM %q", t, t)
	}
	rows, err := e.db.Super.QueryContext(ctx, strings.Join(parts, " UNION ALL "))
	if err != nil {
		e.t.Fatalf("count rows: %v", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var t string
		var n int
		if err := rows.Scan(&t, &n); err != nil {
			e.t.Fatal(err)
		}
		out[t] = n
	}
	return out
}

// refusalLogTables are written by refused requests on purpose: failed
// logins count towards lockout, and the suite mints its own tokens.
var refusalLogTables = []string{"login_failures", "auth_tokens"}

// dataFiles lists the files under the data folder (evidence and uploads
// in progress).
func (e *env) dataFiles() []string {
	var out []string
	_ = filepath.WalkDir(e.cfg.Paths.Data, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func diffCounts(a, b map[string]int) string {
	var d []string
	for k, v := range b {
		if a[k] != v {
			d = append(d, fmt.Sprintf("%s %d→%d", k, a[k], v))
		}
	}
	sort.Strings(d)
	return strings.Join(d, ", ")
}

var paramRE = regexp.MustCompile(`:[A-Za-z_]+\??|\*`)

// fillPath substitutes every path parameter of a route with value
// (already URL-encoded), or with per-parameter values when given.
func fillPath(route string, value func(param string) string) string {
	return paramRE.ReplaceAllStringFunc(route, func(m string) string {
		return value(strings.TrimSuffix(strings.TrimPrefix(m, ":"), "?"))
	})
}

// checkResponse applies the suite's rules to one answer: never a 5xx; on
// the API, a refusal has the standard error shape.
func checkResponse(t *testing.T, what string, resp *http.Response, body string, api bool) {
	t.Helper()
	if resp.StatusCode >= 500 {
		t.Errorf("%s: %d %.300s", what, resp.StatusCode, body)
		return
	}
	// 431 comes from the HTTP parser before any handler (see testRequest).
	if api && resp.StatusCode >= 400 && resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		var shape struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal([]byte(body), &shape); err != nil || shape.Error.Code == "" || shape.Error.Message == "" {
			t.Errorf("%s: %d without the error shape: %.300s", what, resp.StatusCode, body)
		}
	}
}

func randomID() string { return uuid.NewString() }

// jsonMarshalRaw writes a flat object of strings as JSON by hand: quotes,
// backslashes and control characters escaped, every other byte left as is,
// so invalid UTF-8 reaches the server raw (encoding/json would replace it).
func jsonMarshalRaw(m map[string]any) (string, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q:\"", k)
		for _, c := range []byte(fmt.Sprint(m[k])) {
			switch {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c < 0x20:
				fmt.Fprintf(&b, "\\u%04x", c)
			default:
				b.WriteByte(c)
			}
		}
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String(), nil
}

type configT = config.Config

// templateFiles reads the page templates from the source tree.
func hostileTemplateFiles() (map[string]string, error) {
	names, err := filepath.Glob("templates/*.html")
	if err != nil {
		return nil, err
	}
	themes, _ := filepath.Glob("../../themes/*/templates/*.html")
	out := map[string]string{}
	for _, n := range append(names, themes...) {
		b, err := os.ReadFile(n)
		if err != nil {
			return nil, err
		}
		out[n] = string(b)
	}
	return out, nil
}

type errString string

func (e errString) Error() string { return string(e) }

func newReq(method, host, path, contentType, body string) *http.Request {
	req := httptest.NewRequest(method, "http://"+host+path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return req
}
