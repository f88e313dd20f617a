package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/web"
)

// apiDoc loads and validates the embedded OpenAPI document.
func apiDoc(t *testing.T) *openapi3.T {
	t.Helper()
	b, err := web.OpenAPIJSON()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		t.Fatalf("load openapi: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi document is invalid: %v", err)
	}
	return doc
}

var fiberParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// TestOpenAPICoversEveryRoute: every /api/v1 route the server answers is in
// the document, and the document describes no route the server lacks.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	e := newEnv(t)
	doc := apiDoc(t)
	served := map[string]bool{}
	for _, r := range e.srv.App().GetRoutes(true) {
		if r.Method == http.MethodHead || r.Method == "USE" {
			continue // Fiber adds HEAD to every GET
		}
		p, ok := strings.CutPrefix(r.Path, "/api/v1")
		if !ok || p == "" || p == "/" || strings.Contains(p, "*") {
			continue
		}
		served[r.Method+" "+fiberParam.ReplaceAllString(p, "{$1}")] = true
	}
	if len(served) < 20 {
		t.Fatalf("only %d API routes found: is the route walk broken?", len(served))
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	var missing, stale []string
	for r := range served {
		if !documented[r] {
			missing = append(missing, r)
		}
	}
	for r := range documented {
		if !served[r] {
			stale = append(stale, r)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	for _, r := range missing {
		t.Errorf("route missing from internal/web/openapi.yaml: %s", r)
	}
	for _, r := range stale {
		t.Errorf("openapi.yaml describes a route the server does not have: %s", r)
	}
}

// exchange is one API call as made and answered.
type exchange struct {
	method, path, ctype string
	reqBody             []byte
	status              int
	header              http.Header
	body                []byte
}

// recorder drives API calls through the real server and keeps them for
// validation against the document.
type recorder struct {
	e    *env
	host string
	log  []exchange
	gw   *fakeGateway // the union's SMS gateway, for the codes sign-up and reset send
}

func (r *recorder) call(method, path, tok, ctype string, body []byte, headers ...string) exchange {
	r.e.t.Helper()
	req := httptest.NewRequest(method, "http://"+r.host+"/api/v1"+path, bytes.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, text := r.e.do(req)
	x := exchange{method: method, path: path, ctype: ctype, reqBody: body, status: resp.StatusCode, header: resp.Header, body: []byte(text)}
	r.log = append(r.log, x)
	return x
}

func (r *recorder) json(method, path, tok string, body any, headers ...string) (int, map[string]any) {
	r.e.t.Helper()
	var b []byte
	ctype := ""
	if body != nil {
		b, _ = json.Marshal(body)
		ctype = "application/json"
	}
	x := r.call(method, path, tok, ctype, b, headers...)
	out := map[string]any{}
	_ = json.Unmarshal(x.body, &out)
	return x.status, out
}

func (r *recorder) upload(path, tok string, data []byte) (int, map[string]any) {
	r.e.t.Helper()
	ctype, body := multipartFile("foto.jpg", "image/jpeg", data, nil)
	x := r.call(http.MethodPost, path, tok, ctype, body.Bytes())
	out := map[string]any{}
	_ = json.Unmarshal(x.body, &out)
	return x.status, out
}

// TestOpenAPIResponsesMatch drives a representative call of every
// documented operation (successes and refusals) and validates each real
// response — status, headers and body — against the document.
func TestOpenAPIResponsesMatch(t *testing.T) {
	e := newCaseEnv(t)
	doc := apiDoc(t)
	r := &recorder{e: e, host: spnHost, gw: e.gateway("spn")}
	worker := e.login(spnHost, map[string]string{"phone": "081200000003", "password": demoPW})
	other := e.login(spnHost, map[string]string{"phone": "081200000002", "password": demoPW})
	officer := e.login(spnHost, map[string]string{"email": "officer@spn.example", "password": demoPW})
	branch := e.login(spnHost, map[string]string{"email": "branch@spn.example", "password": demoPW})
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	wp := e.workplaceID("spn", "pt-maju-jaya-garmen")
	ids := branchIDs(t, e)
	jpg, _ := jpegWithGPS(t)
	must := func(what string, got int, want ...int) {
		t.Helper()
		for _, w := range want {
			if got == w {
				return
			}
		}
		t.Errorf("%s: status %d, want %v", what, got, want)
	}

	st, _ := r.json("GET", "/openapi.json", "", nil)
	must("openapi", st, 200)

	// Accounts.
	reg := r.register(must, "Ani", "081277770001")
	st, _ = r.json("POST", "/auth/register", "", map[string]any{"name": "", "phone": "1"})
	must("register bad", st, 422)
	st, _ = r.json("POST", "/auth/login", "", map[string]any{"phone": "081200000003", "password": demoPW})
	must("login", st, 200)
	st, _ = r.json("POST", "/auth/login", "", map[string]any{"phone": "081200000003", "password": "salah-sekali"})
	must("login wrong", st, 401)
	st, _ = r.json("GET", "/me", worker, nil)
	must("me", st, 200)
	st, _ = r.json("GET", "/me", officer, nil)
	must("me staff", st, 200)
	st, _ = r.json("GET", "/me", "", nil)
	must("me signed out", st, 401)
	st, _ = r.json("POST", "/me/2fa", officer, nil)
	must("2fa start", st, 200)
	st, _ = r.json("POST", "/me/2fa/confirm", officer, map[string]any{"code": "000000"})
	must("2fa confirm wrong", st, 422, 401)
	st, _ = r.json("POST", "/me/2fa", worker, nil)
	must("2fa worker", st, 403)

	// Staff.
	st, _ = r.json("GET", "/staff", admin, nil)
	must("staff", st, 200)
	st, _ = r.json("GET", "/staff", worker, nil)
	must("staff as worker", st, 403)
	st, inv := r.json("POST", "/staff/invites", branch, map[string]any{"email": "baru@spn.example", "role": "case_officer", "branch_id": ids["spn/jabar/bekasi"]})
	must("invite", st, 201)
	st, _ = r.json("POST", "/staff/invites", branch, map[string]any{"email": "x@spn.example", "role": "federation_admin", "branch_id": ids["spn"]})
	must("invite above own branch", st, 403)
	token := ""
	if u, ok := inv["url"].(string); ok {
		token = u[strings.LastIndex(u, "/")+1:]
	}
	st, acc := r.json("POST", "/staff/invites/accept", "", map[string]any{"token": token, "name": "Petugas Baru", "password": "petugas-baru-2026"})
	must("accept invite", st, 201)
	st, _ = r.json("POST", "/staff/invites/accept", "", map[string]any{"token": "nope", "name": "X", "password": "petugas-baru-2026"})
	must("accept bad invite", st, 404, 422)
	newStaff := ""
	if u, ok := acc["user"].(map[string]any); ok {
		newStaff = fmt.Sprint(u["id"])
	}
	st, mem := r.json("POST", "/staff/roles", admin, map[string]any{"user_id": newStaff, "role": "case_officer", "branch_id": ids["spn/jabar"]})
	must("assign role", st, 201)
	st, _ = r.json("POST", "/staff/roles", admin, map[string]any{"user_id": "x"})
	must("assign role bad", st, 422, 404)
	st, _ = r.json("DELETE", "/staff/roles/"+fmt.Sprint(mem["id"]), admin, nil)
	must("revoke role", st, 204)
	st, _ = r.json("DELETE", "/staff/roles/"+uuid.NewString(), admin, nil)
	must("revoke unknown role", st, 404)
	st, _ = r.json("POST", "/users/"+newStaff+"/reset-2fa", admin, nil)
	must("reset 2fa", st, 204)
	st, _ = r.json("POST", "/users/"+newStaff+"/revoke-tokens", admin, nil)
	must("revoke tokens", st, 204)
	st, _ = r.json("POST", "/users/"+uuid.NewString()+"/revoke-tokens", admin, nil)
	must("revoke tokens unknown", st, 404)
	st, _ = r.json("POST", "/auth/logout", fmt.Sprint(reg["token"]), nil)
	must("logout", st, 204)

	// Cases.
	st, named := r.json("POST", "/cases", worker, map[string]any{"type": "complaint", "workplace_id": wp, "collective": true,
		"description": "Upah lembur bulan ini dipotong tanpa penjelasan oleh mandor."})
	must("file named", st, 201)
	st, conf := r.json("POST", "/cases", worker, map[string]any{"type": "complaint", "workplace_id": wp, "safety_mode": "confidential",
		"description": "Mandor melakukan pelecehan kepada pekerja perempuan di line 4."})
	must("file confidential", st, 201)
	key := []string{"Idempotency-Key", uuid.NewString()}
	anonBody := map[string]any{"type": "aspiration", "description": "Kami mengusulkan ruang laktasi di gedung B."}
	st, anon := r.json("POST", "/cases", "", anonBody, key...)
	must("file anonymous", st, 201)
	st, _ = r.json("POST", "/cases", "", anonBody, key...)
	must("file anonymous replayed", st, 201)
	st, _ = r.json("POST", "/cases", "", map[string]any{"type": "gossip"})
	must("file bad", st, 422)
	x := r.call("POST", "/cases", "", "text/plain", []byte("hello"))
	must("file not JSON", x.status, 415)
	id, code := fmt.Sprint(named["id"]), fmt.Sprint(anon["receipt_code"])
	st, _ = r.json("GET", "/cases", worker, nil)
	must("my cases", st, 200)
	st, _ = r.json("GET", "/cases", "", nil)
	must("my cases signed out", st, 401)
	st, _ = r.json("POST", "/cases/similar", other, map[string]any{"workplace_id": wp, "description": "Upah lembur bulan ini dipotong mandor"})
	must("similar", st, 200)
	st, _ = r.json("POST", "/cases/similar", other, map[string]any{"workplace_id": "x"})
	must("similar bad", st, 422)
	st, _ = r.json("GET", "/cases/"+id, worker, nil)
	must("case as reporter", st, 200)
	st, _ = r.json("GET", "/cases/"+id, officer, nil)
	must("case as officer", st, 200)
	st, _ = r.json("GET", "/cases/"+id, other, nil)
	must("case as someone else", st, 404)
	st, ev := r.upload("/cases/"+id+"/evidence", worker, jpg)
	must("evidence", st, 201)
	st, _ = r.upload("/cases/"+id+"/evidence", worker, []byte("MZ not a photo"))
	must("evidence refused", st, 415, 422)
	x = r.call("GET", "/cases/"+id+"/evidence/"+fmt.Sprint(ev["id"]), worker, "", nil)
	must("evidence download", x.status, 200)
	x = r.call("GET", "/cases/"+id+"/evidence/"+uuid.NewString(), worker, "", nil)
	must("evidence download unknown", x.status, 404)
	st, _ = r.json("POST", "/cases/"+id+"/messages", worker, map[string]any{"body": "Ada slip gaji sebagai bukti."})
	must("message", st, 201)
	st, _ = r.json("POST", "/cases/"+id+"/messages", worker, map[string]any{"body": ""})
	must("empty message", st, 422)
	st, _ = r.json("POST", "/cases/"+id+"/support", other, nil)
	must("support", st, 200, 409)
	st, _ = r.json("POST", "/cases/"+uuid.NewString()+"/support", other, nil)
	must("support unknown", st, 404)
	st, _ = r.json("POST", "/cases/"+fmt.Sprint(conf["id"])+"/identity/reveal", branch, map[string]any{"reason": "Perlu menghubungi pelapor untuk mediasi."})
	must("reveal", st, 200)
	st, _ = r.json("POST", "/cases/"+fmt.Sprint(conf["id"])+"/identity/reveal", branch, map[string]any{"reason": ""})
	must("reveal without reason", st, 422)

	// AI suggestions (no worker runs here: there may be none yet).
	st, _ = r.json("GET", "/cases/"+id+"/suggestion", officer, nil)
	must("suggestion", st, 200, 404)
	st, _ = r.json("POST", "/cases/"+id+"/suggestion", officer, map[string]any{"accept": true})
	must("decide suggestion", st, 200, 404, 409, 422)
	st, _ = r.json("GET", "/cases/"+id+"/suggestion", worker, nil)
	must("suggestion as worker", st, 403)
	st, _ = r.json("GET", "/cases/"+id+"/recommendations", officer, nil)
	must("recommendations", st, 200)
	st, _ = r.json("GET", "/ai/acceptance", admin, nil)
	must("acceptance", st, 200)

	// Receipts.
	st, sess := r.json("POST", "/receipts/session", "", map[string]any{"code": code})
	must("receipt session", st, 201)
	rtok := fmt.Sprint(sess["token"])
	st, _ = r.json("POST", "/receipts/session", "", map[string]any{"code": "0000000000000000"})
	must("receipt session wrong code", st, 404)
	st, _ = r.json("POST", "/receipts/session", "", map[string]any{"code": 7})
	must("receipt session bad body", st, 400, 422)
	st, _ = r.json("GET", "/receipt", rtok, nil)
	must("receipt", st, 200)
	st, _ = r.json("GET", "/receipt", "", nil)
	must("receipt without a session", st, 401)
	st, _ = r.json("POST", "/receipt/messages", rtok, map[string]any{"body": "Terima kasih, kami menunggu."})
	must("receipt message", st, 201)
	st, _ = r.json("POST", "/receipt/messages", rtok, map[string]any{"body": ""})
	must("receipt empty message", st, 422)
	st, rev := r.upload("/receipt/evidence", rtok, jpg)
	must("receipt evidence", st, 201)
	x = r.call("GET", "/receipt/evidence/"+fmt.Sprint(rev["id"]), rtok, "", nil)
	must("receipt evidence download", x.status, 200)
	x = r.call("GET", "/receipt/evidence/"+uuid.NewString(), rtok, "", nil)
	must("receipt evidence unknown", x.status, 404)

	// Other tenant: the session is not valid there.
	other2 := &recorder{e: e, host: otherHost}
	st, _ = other2.json("GET", "/receipt", rtok, nil)
	must("receipt on another tenant", st, 401)
	r.log = append(r.log, other2.log...)

	exerciseMore(t, e, r, apiActors{worker: worker, other: other, officer: officer, branch: branch, admin: admin, wp: wp, ids: ids}, must)
	exerciseIntake(e, r, apiActors{worker: worker, other: other, officer: officer, branch: branch, admin: admin, wp: wp, ids: ids}, must)
	exerciseBrands(e, r, apiActors{worker: worker, other: other, officer: officer, branch: branch, admin: admin, wp: wp, ids: ids}, must)
	exerciseTags(r, apiActors{worker: worker, other: other, officer: officer, branch: branch, admin: admin, wp: wp, ids: ids}, must)

	validateExchanges(t, doc, r.log)
}

// validateExchanges checks every exchange against its documented operation
// and that every documented operation was exercised.
func validateExchanges(t *testing.T, doc *openapi3.T, log []exchange) {
	t.Helper()
	type op struct {
		re     *regexp.Regexp
		path   string
		method string
		item   *openapi3.PathItem
		op     *openapi3.Operation
		params []string
	}
	var ops []op
	paramRE := regexp.MustCompile(`\{([^}]+)\}`)
	for path, item := range doc.Paths.Map() {
		var names []string
		for _, m := range paramRE.FindAllStringSubmatch(path, -1) {
			names = append(names, m[1])
		}
		// QuoteMeta escapes the braces; undo them for the param pattern.
		re := regexp.MustCompile("^" + paramRE.ReplaceAllString(strings.NewReplacer(`\{`, "{", `\}`, "}").Replace(regexp.QuoteMeta(path)), `([^/]+)`) + "$")
		for method, o := range item.Operations() {
			ops = append(ops, op{re: re, path: path, method: method, item: item, op: o, params: names})
		}
	}
	// Literal paths first: /cases/similar is not /cases/{id}.
	sort.Slice(ops, func(i, j int) bool { return strings.Count(ops[i].path, "{") < strings.Count(ops[j].path, "{") })
	seen := map[string]bool{}
	ctx := context.Background()
	for _, x := range log {
		path, _, _ := strings.Cut(x.path, "?")
		var found *op
		var params map[string]string
		for i := range ops {
			if ops[i].method != x.method {
				continue
			}
			if m := ops[i].re.FindStringSubmatch(path); m != nil {
				found = &ops[i]
				params = map[string]string{}
				for j, n := range ops[i].params {
					params[n] = m[j+1]
				}
				break
			}
		}
		if found == nil {
			t.Errorf("%s %s: not in the document", x.method, x.path)
			continue
		}
		seen[found.method+" "+found.path] = true
		req := httptest.NewRequest(x.method, "http://"+spnHost+"/api/v1"+x.path, bytes.NewReader(x.reqBody))
		if x.ctype != "" {
			req.Header.Set("Content-Type", x.ctype)
		}
		route := &routers.Route{Spec: doc, Path: found.path, PathItem: found.item, Method: found.method, Operation: found.op}
		opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}
		if ct := x.header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
			opts.ExcludeResponseBody = true // files: bytes, not JSON
		}
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts},
			Status:                 x.status, Header: x.header, Options: opts,
		}
		in.SetBodyBytes(x.body)
		if err := openapi3filter.ValidateResponse(ctx, in); err != nil {
			t.Errorf("%s %s → %d does not match the document: %v\nbody: %s", x.method, x.path, x.status, err, truncate(x.body))
		}
	}
	var unexercised []string
	for _, o := range ops {
		if !seen[o.method+" "+o.path] {
			unexercised = append(unexercised, o.method+" "+o.path)
		}
	}
	sort.Strings(unexercised)
	for _, u := range unexercised {
		t.Errorf("no call validates %s: add one to TestOpenAPIResponsesMatch", u)
	}
}

func truncate(b []byte) string {
	if len(b) > 400 {
		return string(b[:400]) + "…"
	}
	return string(b)
}

// TestOpenAPIServed: the document is served as JSON on the API path.
func TestOpenAPIServed(t *testing.T) {
	e := newEnv(t)
	resp, body := e.get(spnHost, "/api/v1/openapi.json")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("openapi.json: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(body), &doc); err != nil || doc["openapi"] != "3.0.3" {
		t.Fatalf("not the document: %v %.200s", err, body)
	}
}
