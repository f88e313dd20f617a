package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// The hostile input suite. Cases are derived from the route table, so a
// route added tomorrow is attacked tomorrow without anyone writing a line:
// every route and method gets hostile path parameters, hostile bodies
// (JSON, forms, multipart), forged, expired and foreign tokens and
// CSRF-less form posts, as anonymous, worker, officer and admin. Every
// answer must be below 500, API refusals must carry the standard error
// shape, and a batch that was refused throughout must leave no row in any
// tenant table and no file on disk.

const hostileHost = "spn.localhost"

// Strings that have broken web applications somewhere.
var hostileStrings = []string{
	`<script>alert(1)</script>`,
	`"><img src=x onerror=alert(1)>`,
	`javascript:alert(1)`,
	`{{.}}{{printf "%s" .}}{{template "x"}}`,
	`${7*7}#{7*7}<%= 7*7 %>`,
	`' OR '1'='1' --`,
	`'); DROP TABLE cases; --`,
	`\'; SELECT pg_sleep(5); --`,
	"a\x00b",
	"\xff\xfe\xfd",
	"\u202e\u0000\ufeff",
	strings.Repeat("A", 25_000), // over every text limit (a description holds 20,000)
	`../../../../etc/passwd`,
	`%s%s%s%n`,
}

// Hostile values for path parameters, URL-encoded as they travel.
var hostileParams = []string{
	"..%2f..%2f..%2fetc%2fpasswd",
	"%2e%2e%2f%2e%2e%2f",
	"..",
	"%00",
	"a%00b",
	"%ff%fe",
	"'%20OR%201%3D1--",
	"%3Cscript%3Ealert(1)%3C%2Fscript%3E",
	"-1",
	"99999999999999999999999999",
	strings.Repeat("9", 4096),
}

// Fields the JSON and form poison bodies carry, each set to a hostile
// value: whatever a handler reads, it reads something nasty.
var poisonFields = []string{
	"type", "title", "description", "body", "reason", "name", "phone", "email", "password", "token", "code",
	"status", "to", "safety_mode", "affected_count", "workplace_id", "category_id", "incident_date", "sector",
	"rating", "score", "comment", "role", "branch_path", "branch_id", "user_id", "officer_id", "assignee_id",
	"kind", "note", "held", "retaliation", "confirm", "ids", "order", "slug", "label", "locale", "from", "until",
	"cursor", "limit", "channel", "enabled", "text", "member_number", "gender", "is_member", "workplace_name",
}

// hostileNumbers are JSON number and type confusions.
var hostileNumbers = []string{"-1", "0", "-9223372036854775809", "18446744073709551616", "1e308", "-1e308", "1.5",
	"true", "null", "[]", "{}", `"-1"`}

type hostileBody struct {
	name        string
	contentType string
	body        string
}

// jsonBodies are the hostile JSON bodies sent to every API route that
// takes one.
func jsonBodies() []hostileBody {
	out := []hostileBody{
		{"truncated json", "application/json", `{"description":"abc`},
		{"malformed json", "application/json", `{description: abc}`},
		{"json array", "application/json", `[1,2,3]`},
		{"json null", "application/json", `null`},
		{"json string", "application/json", `"hello"`},
		{"empty body", "application/json", ``},
		{"deep nesting", "application/json", strings.Repeat(`{"a":`, 20000) + `1` + strings.Repeat(`}`, 20000)},
		{"deep arrays", "application/json", strings.Repeat(`[`, 50000) + strings.Repeat(`]`, 50000)},
		{"invalid utf-8", "application/json", "{\"description\":\"\xff\xfe\xfd invalid\",\"body\":\"\xc3\x28\"}"},
		{"wrong content type text", "text/plain", `{"description":"hello"}`},
		{"wrong content type xml", "application/xml", `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>`},
		{"no content type", "", `{"description":"hello"}`},
		{"form to json route", "application/x-www-form-urlencoded", "description=hello&body=x"},
		{"duplicate keys", "application/json", `{"type":"complaint","type":"robot","body":"x","body":{"a":1}}`},
	}
	for i, s := range hostileStrings {
		m := map[string]any{}
		for _, f := range poisonFields {
			m[f] = s
		}
		b, _ := jsonMarshalRaw(m)
		out = append(out, hostileBody{fmt.Sprintf("poison string %d", i), "application/json", b})
	}
	for _, n := range hostileNumbers {
		var parts []string
		for _, f := range poisonFields {
			parts = append(parts, fmt.Sprintf("%q:%s", f, n))
		}
		out = append(out, hostileBody{"poison number " + n, "application/json", "{" + strings.Join(parts, ",") + "}"})
	}
	return out
}

// formBodies are hostile form posts (the CSRF token is added per request).
func formBodies() []hostileBody {
	var out []hostileBody
	for i, s := range hostileStrings {
		v := url.Values{}
		for _, f := range poisonFields {
			v.Set(f, s)
		}
		out = append(out, hostileBody{fmt.Sprintf("form poison %d", i), "application/x-www-form-urlencoded", v.Encode()})
	}
	out = append(out,
		hostileBody{"form malformed", "application/x-www-form-urlencoded", "a=%zz&&&=&%%%"},
		hostileBody{"multipart garbage", "multipart/form-data; boundary=XYZ", "--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../x.php\"\r\n\r\n<?php system($_GET[1]); ?>\r\n--XY"},
		hostileBody{"multipart no boundary", "multipart/form-data", "garbage"},
		hostileBody{"multipart truncated", "multipart/form-data; boundary=XYZ", "--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff\xe0"},
	)
	return out
}

type hostileFixture struct {
	e         *env
	actors    []hostileActor
	spnCase   string // a demo case of SPN filed by worker 1
	otherCase string // a case of another tenant
	evidence  string // an evidence file id, or a random one
	covered   map[string]bool
	bigBody   string
}

func newHostileFixture(t *testing.T) *hostileFixture {
	e := newEnv(t)
	e.seedDemo()
	f := &hostileFixture{e: e, covered: map[string]bool{}}
	ctx := context.Background()
	one := func(q string, args ...any) string {
		var s string
		if err := e.db.Super.QueryRowContext(ctx, q, args...).Scan(&s); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return s
	}
	f.spnCase = one(`SELECT c.id::text FROM cases c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'spn' ORDER BY c.created_at LIMIT 1`)
	f.otherCase = one(`SELECT c.id::text FROM cases c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug <> 'spn' ORDER BY c.created_at LIMIT 1`)
	f.evidence = one(`SELECT coalesce((SELECT id::text FROM evidence_files LIMIT 1), ?)`, randomID())
	f.actors = []hostileActor{
		{"anonymous", func() string { return "" }},
		{"worker", func() string { return e.mintToken("spn", "phone", "+6281200000001", false) }},
		{"officer", func() string { return e.mintToken("spn", "email", "officer@spn.example", false) }},
		{"admin", func() string { return e.mintToken("spn", "email", "admin@spn.example", false) }},
	}
	f.bigBody = `{"description":"` + strings.Repeat("x", int(e.cfg.HTTP.BodyLimitMB<<20)+1024) + `"}`
	return f
}

// paramValue is a legitimate value for a path parameter, so body attacks
// reach the handler's parsing rather than stop at a 404.
func (f *hostileFixture) paramValue(p string) string {
	switch p {
	case "id":
		return f.spnCase
	case "file":
		return f.evidence
	case "code":
		return "1234567890123456"
	case "n":
		return "1"
	case "status":
		return "submitted"
	case "action":
		return "hide"
	}
	return "x"
}

// send builds and sends one request as token (bearer on the API, session
// cookie on pages, with a matching CSRF cookie and field when csrf).
func (f *hostileFixture) send(t *testing.T, method, path, token, contentType, body string, api, csrf bool) (*http.Response, string) {
	const csrfTok = "hostilecsrftoken-0123456789abcdefghijklmnopq" // 43 chars
	if !api && csrf && method != http.MethodGet {
		sep := "&"
		if body == "" || !strings.HasPrefix(contentType, "application/x-www-form-urlencoded") {
			sep = ""
		}
		if strings.HasPrefix(contentType, "application/x-www-form-urlencoded") || contentType == "" {
			body = "_csrf=" + csrfTok[:43] + sep + body
			if contentType == "" {
				contentType = "application/x-www-form-urlencoded"
			}
		}
	}
	req := httptest.NewRequest(method, "http://"+hostileHost+"/", strings.NewReader(body))
	req.URL.Opaque = path // keep the hostile encoding as sent
	req.RequestURI = path
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	var cookies []string
	if api && token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if !api && token != "" {
		cookies = append(cookies, "suara_session="+token)
	}
	if !api && csrf {
		cookies = append(cookies, "suara_csrf="+csrfTok[:43])
	}
	if len(cookies) > 0 {
		req.Header.Set("Cookie", strings.Join(cookies, "; "))
	}
	return testRequest(t, f.e, req)
}

// testRequest sends req. A request line or headers beyond the server's
// read buffer never reach a handler: fasthttp answers 431 on a real
// connection, and app.Test reports it as an error, mapped back here.
func testRequest(t *testing.T, e *env, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := e.srv.App().Test(req, -1)
	if err != nil {
		if strings.Contains(err.Error(), "small read buffer") {
			return &http.Response{StatusCode: http.StatusRequestHeaderFieldsTooLarge}, ""
		}
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

// attackRoute runs every hostile case against one route and returns
// whether any request was accepted (2xx or 3xx).
func (f *hostileFixture) attackRoute(t *testing.T, method, route string) (accepted bool) {
	api := strings.HasPrefix(route, "/api/")
	hasBody := method != http.MethodGet && method != http.MethodHead
	check := func(what string, resp *http.Response, body string) {
		t.Helper()
		checkResponse(t, method+" "+route+" "+what, resp, body, api)
		if resp.StatusCode < 400 {
			accepted = true
		}
	}
	tokens := make([]string, len(f.actors))
	for i, a := range f.actors {
		tokens[i] = a.login()
	}
	// Hostile and foreign path parameters, as everyone.
	values := append([]string{randomID(), f.otherCase}, hostileParams...)
	for vi, v := range values {
		path := fillPath(route, func(string) string { return v })
		if path == route && vi > 0 {
			break // no parameters: one pass is enough
		}
		for i, a := range f.actors {
			if vi > 1 && i != 0 && i != 3 || vi > 1 && testing.Short() && i != 3 {
				continue // pure garbage: anonymous and admin suffice (-short: admin)
			}
			body, ct := "", ""
			if hasBody && api {
				body, ct = `{}`, "application/json"
			}
			resp, text := f.send(t, method, path, tokens[i], ct, body, api, true)
			check(fmt.Sprintf("param %.40q as %s", v, a.name), resp, text)
			// Another tenant's id is never found, whoever asks.
			if v == f.otherCase && strings.Contains(route, ":id") && resp.StatusCode < 300 {
				t.Errorf("%s %s: another tenant's case answered %d as %s", method, route, resp.StatusCode, a.name)
			}
		}
	}
	// Tokens that must not work: forged, expired, another tenant's, and
	// not a bearer at all.
	good := fillPath(route, f.paramValue)
	for _, bad := range []struct{ name, header string }{
		{"forged", "Bearer forged-token-000000000000000000000000000000"},
		{"expired", "Bearer " + f.e.mintToken("spn", "email", "admin@spn.example", true)},
		{"foreign", "Bearer " + f.e.mintToken("garteks", "email", "admin@garteks.example", false)},
		{"basic", "Basic YWRtaW46YWRtaW4="},
		{"huge", "Bearer " + strings.Repeat("t", 8000)},
	} {
		req := httptest.NewRequest(method, "http://"+hostileHost+good, strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", bad.header)
		if !api {
			req.Header.Del("Authorization")
			req.Header.Set("Cookie", "suara_session="+strings.TrimPrefix(strings.TrimPrefix(bad.header, "Bearer "), "Basic "))
		}
		resp, b := testRequest(t, f.e, req)
		check(bad.name+" token", resp, b)
		if api && bad.name != "huge" && strings.Contains(route, "/me") && resp.StatusCode < 400 {
			t.Errorf("%s %s: %s token accepted", method, route, bad.name)
		}
	}
	if !hasBody {
		return accepted
	}
	// CSRF-less form posts are refused outright on pages.
	if !api {
		for i, a := range f.actors {
			resp, text := f.send(t, method, good, tokens[i], "application/x-www-form-urlencoded", "a=b", false, false)
			check("no csrf as "+a.name, resp, text)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s: a CSRF-less post as %s answered %d, want 403", method, route, a.name, resp.StatusCode)
			}
		}
	}
	// Hostile bodies, as a worker and an admin (who get past the door).
	bodies := formBodies()
	if api {
		// Forms are only a wrong content type here: two of them do.
		bodies = append(jsonBodies(), bodies[0], bodies[len(bodies)-3])
	}
	bodyActors := []int{1, 3}
	if testing.Short() {
		// make test (-short, race detector on): the admin, who passes
		// every door, carries the bodies; the full run adds the worker.
		bodyActors = []int{3}
	}
	for _, i := range bodyActors {
		for _, b := range bodies {
			resp, text := f.send(t, method, good, tokens[i], b.contentType, b.body, api, true)
			check(b.name+" as "+f.actors[i].name, resp, text)
		}
	}
	// Over the body limit: 413 (uploads have their own, larger limits).
	if !strings.HasSuffix(route, "/evidence") {
		resp, text := f.send(t, method, good, tokens[3], "application/json", f.bigBody, api, true)
		check("over the body limit", resp, text)
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("%s %s: %d for a body over the limit, want 413", method, route, resp.StatusCode)
		}
	}
	return accepted
}

// TestHostileInputEveryRoute attacks every registered route. Acceptance 1
// of the hardening issue: the route table and the suite's coverage are
// compared at the end, so a route the suite could not reach fails.
func TestHostileInputEveryRoute(t *testing.T) {
	f := newHostileFixture(t)
	routes := f.e.srv.App().GetRoutes(true)
	seen := map[string]bool{}
	for _, r := range routes {
		if r.Method == http.MethodHead || r.Method == http.MethodConnect || r.Method == http.MethodTrace {
			continue // HEAD mirrors GET; Fiber adds them itself
		}
		key := r.Method + " " + r.Path
		if seen[key] {
			continue
		}
		seen[key] = true
		t.Run(key, func(t *testing.T) {
			beforeRows, beforeFiles := f.e.tenantTableCounts(), f.e.dataFiles()
			accepted := f.attackRoute(t, r.Method, r.Path)
			f.covered[key] = true
			if accepted {
				return // something was legitimately stored; escaping is checked apart
			}
			if d := diffCounts(beforeRows, f.e.tenantTableCounts()); d != "" {
				t.Errorf("refused requests left rows behind: %s", d)
			}
			if after := f.e.dataFiles(); len(after) != len(beforeFiles) {
				t.Errorf("refused requests left files behind: %v → %v", beforeFiles, after)
			}
		})
	}
	// The comparison: every route in the table has been attacked.
	var missing []string
	for key := range seen {
		if !f.covered[key] {
			missing = append(missing, key)
		}
	}
	if len(missing) > 0 {
		t.Errorf("routes without hostile cases: %v", missing)
	}
	if len(seen) < 20 {
		t.Fatalf("only %d routes found: the route table was not read", len(seen))
	}
}
