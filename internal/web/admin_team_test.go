package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/config"
)

// allowGateway lets tenant admins point their gateway at srv (a loopback
// fake), as an operator allow-lists an internal gateway.
func allowGateway(srv *httptest.Server) func(*config.Config) {
	return func(c *config.Config) {
		c.Notify.OutboundAllowHosts = append(c.Notify.OutboundAllowHosts, strings.TrimPrefix(srv.URL, "http://"))
	}
}

func (e *env) branchID(slug, path string) string {
	e.t.Helper()
	var id string
	e.inTenant(slug, func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT id::text FROM branches WHERE path = ?", path).Scan(&id)
	})
	return id
}

func (e *env) inviteID(slug, contact string) string {
	e.t.Helper()
	var id string
	e.inTenant(slug, func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT id::text FROM invites WHERE (email = ? OR phone = ?) AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 1",
			contact, contact).Scan(&id)
	})
	return id
}

// Invites from the team page (by email and by phone), the pending list,
// resend and revoke, each within the admin's scope: a branch admin sees
// and manages only their sub-tree's invites, another union's admin none.
func TestTeamInvitesWithinScope(t *testing.T) {
	e := newCaseEnv(t)
	officer, branch, admin := e.staffTokens()
	gAdmin := e.login("garteks.localhost", map[string]string{"email": "admin@garteks.example", "password": demoPW})
	jabar, banten := e.branchID("spn", "spn/jabar"), e.branchID("spn", "spn/banten")

	// Reachable by clicking: the staff page links to the team page.
	if resp, body := e.page(spnHost, "/staff", branch); resp.StatusCode != http.StatusOK || !strings.Contains(body, `href="/admin/team"`) {
		t.Fatalf("staff page: %d", resp.StatusCode)
	}
	resp, body := e.postForm(spnHost, "/admin/team/invites", admin, url.Values{"email": {"baru@spn.example"}, "role": {"case_officer"}, "branch_id": {banten}})
	if resp.StatusCode != http.StatusCreated || !strings.Contains(body, "/invite/") {
		t.Fatalf("invite by email: %d %s", resp.StatusCode, body)
	}
	resp, _ = e.postForm(spnHost, "/admin/team/invites", branch, url.Values{"phone": {"0812 3456 7890"}, "role": {"case_officer"}, "branch_id": {jabar}})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("invite by phone: %d", resp.StatusCode)
	}
	// Bad input: no contact, both, a branch outside the admin's scope.
	for _, v := range []url.Values{
		{"role": {"case_officer"}, "branch_id": {jabar}},
		{"email": {"x@spn.example"}, "phone": {"081234567890"}, "role": {"case_officer"}, "branch_id": {jabar}},
		{"phone": {"12"}, "role": {"case_officer"}, "branch_id": {jabar}},
	} {
		if resp, _ := e.postForm(spnHost, "/admin/team/invites", branch, v); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%v: %d", v, resp.StatusCode)
		}
	}
	if resp, _ := e.postForm(spnHost, "/admin/team/invites", branch, url.Values{"email": {"y@spn.example"}, "role": {"case_officer"}, "branch_id": {banten}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("branch admin inviting at a sibling branch: %d", resp.StatusCode)
	}
	if resp, _ := e.postForm(spnHost, "/admin/team/invites", officer, url.Values{"email": {"z@spn.example"}, "role": {"case_officer"}, "branch_id": {jabar}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("officer inviting: %d", resp.StatusCode)
	}

	// The pending list: the federation admin sees both, the branch admin
	// only their own branch's, Garteks' admin neither.
	_, all := e.get(spnHost, "/api/v1/staff/invites", bearer(admin)...)
	_, mine := e.get(spnHost, "/api/v1/staff/invites", bearer(branch)...)
	_, other := e.get("garteks.localhost", "/api/v1/staff/invites", bearer(gAdmin)...)
	if !strings.Contains(all, "baru@spn.example") || !strings.Contains(all, "+6281234567890") ||
		strings.Contains(mine, "baru@spn.example") || !strings.Contains(mine, "+6281234567890") ||
		strings.Contains(other, "spn.example") || strings.Contains(other, "+6281234567890") {
		t.Fatalf("pending lists:\nfed %s\nbranch %s\ngarteks %s", all, mine, other)
	}
	if resp, _ := e.get(spnHost, "/api/v1/staff/invites", bearer(officer)...); resp.StatusCode != http.StatusForbidden {
		t.Errorf("officer listing invites: %d", resp.StatusCode)
	}

	bantenInv := e.inviteID("spn", "baru@spn.example")
	// Cross-branch and cross-tenant: not found, and nothing changes.
	for _, c := range []struct{ host, tok string }{{spnHost, branch}, {"garteks.localhost", gAdmin}} {
		for _, a := range []string{"revoke", "resend"} {
			resp, _ := e.postJSON(c.host, "/api/v1/staff/invites/"+bantenInv+"/"+a, map[string]any{}, bearer(c.tok)...)
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s %s by an outsider: %d", c.host, a, resp.StatusCode)
			}
		}
	}
	var tokBefore, tokAfter string
	hash := func(dst *string) {
		e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
			return tx.QueryRowContext(ctx, "SELECT encode(token_hash, 'hex') FROM invites WHERE id = ?", bantenInv).Scan(dst)
		})
	}
	hash(&tokBefore)
	resp, out := e.postJSON(spnHost, "/api/v1/staff/invites/"+bantenInv+"/resend", map[string]any{}, bearer(admin)...)
	hash(&tokAfter)
	if resp.StatusCode != http.StatusOK || out["url"] == nil || tokBefore == tokAfter {
		t.Fatalf("resend: %d %v", resp.StatusCode, out)
	}
	// The old link no longer works; revoking stops the new one.
	newURL := out["url"].(string)
	path := newURL[strings.Index(newURL, "/invite/"):]
	if resp, _ := e.get(spnHost, path); resp.StatusCode != http.StatusOK {
		t.Fatalf("new link: %d", resp.StatusCode)
	}
	resp, _ = e.postForm(spnHost, "/admin/team/invites/"+bantenInv+"/revoke", admin, url.Values{})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if resp, _ := e.get(spnHost, path); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("revoked link: %d", resp.StatusCode)
	}

	// A phone invite creates an account that signs in with the phone.
	phoneInv := e.inviteID("spn", "+6281234567890")
	resp, out = e.postJSON(spnHost, "/api/v1/staff/invites/"+phoneInv+"/resend", map[string]any{}, bearer(branch)...)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("branch admin resending own invite: %d %v", resp.StatusCode, out)
	}
	tok := out["url"].(string)[strings.Index(out["url"].(string), "/invite/")+len("/invite/"):]
	resp, out = e.postJSON(spnHost, "/api/v1/staff/invites/accept", map[string]any{"token": tok, "name": "Petugas Telepon", "password": "panjang-sekali-123"})
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		t.Fatalf("accept phone invite: %d %v", resp.StatusCode, out)
	}
	if tok := e.login(spnHost, map[string]string{"phone": "081234567890", "password": "panjang-sekali-123"}); tok == "" {
		t.Fatal("the phone-invited officer cannot sign in")
	}
}

// Roles given and removed from the team page, with the same checks as the
// API: a branch admin cannot give a role at a sibling branch nor a
// federation admin's role.
func TestTeamRoles(t *testing.T) {
	e := newCaseEnv(t)
	officer, branch, admin := e.staffTokens()
	_ = officer
	var officerID string
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT id::text FROM users WHERE email = 'officer@spn.example'").Scan(&officerID)
	})
	banten, jabar := e.branchID("spn", "spn/banten"), e.branchID("spn", "spn/jabar")
	if resp, _ := e.postForm(spnHost, "/admin/team/roles", branch, url.Values{"user_id": {officerID}, "role": {"case_officer"}, "branch_id": {banten}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("branch admin granting at a sibling: %d", resp.StatusCode)
	}
	if resp, _ := e.postForm(spnHost, "/admin/team/roles", branch, url.Values{"user_id": {officerID}, "role": {"federation_admin"}, "branch_id": {jabar}}); resp.StatusCode < 400 {
		t.Errorf("branch admin granting federation admin: %d", resp.StatusCode)
	}
	resp, _ := e.postForm(spnHost, "/admin/team/roles", admin, url.Values{"user_id": {officerID}, "role": {"case_officer"}, "branch_id": {banten}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("grant: %d", resp.StatusCode)
	}
	var mid string
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT id::text FROM memberships WHERE user_id = ? AND branch_id = ?", officerID, banten).Scan(&mid)
	})
	if resp, _ := e.postForm(spnHost, "/admin/team/roles/"+mid+"/remove", branch, url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("branch admin removing a sibling's role: %d", resp.StatusCode)
	}
	gAdmin := e.login("garteks.localhost", map[string]string{"email": "admin@garteks.example", "password": demoPW})
	if resp, _ := e.postForm("garteks.localhost", "/admin/team/roles/"+mid+"/remove", gAdmin, url.Values{}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another union removing: %d", resp.StatusCode)
	}
	if resp, _ := e.postForm(spnHost, "/admin/team/roles/"+mid+"/remove", admin, url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove: %d", resp.StatusCode)
	}
	if n := e.countRows("spn", "SELECT count(*) FROM memberships WHERE id = ?", mid); n != 0 {
		t.Fatal("role still there")
	}
}

// Routing rules and conflicts of interest from the routing page and the
// API: federation admins only; another union sees none.
func TestRoutingAndConflictsPages(t *testing.T) {
	e := newCaseEnv(t)
	_, branch, admin := e.staffTokens()
	gAdmin := e.login("garteks.localhost", map[string]string{"email": "admin@garteks.example", "password": demoPW})
	wp := e.workplaceID("spn", "pt-maju-jaya-garmen")
	cat := e.categoryID("spn", "upah")
	bekasi := e.branchID("spn", "spn/jabar/bekasi")
	if resp, body := e.page(spnHost, "/admin/people", admin); resp.StatusCode != http.StatusOK || !strings.Contains(body, `href="/admin/routing"`) {
		t.Fatalf("people page links: %d", resp.StatusCode)
	}
	resp, _ := e.postForm(spnHost, "/admin/routing/rules", admin, url.Values{"category_id": {cat}, "workplace_id": {wp}, "branch_id": {bekasi}, "priority": {"5"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add rule: %d", resp.StatusCode)
	}
	for _, v := range []url.Values{
		{"branch_id": {bekasi}},                          // no category nor workplace
		{"category_id": {cat}},                           // no target
		{"category_id": {"nope"}, "branch_id": {bekasi}}, // not an id
		{"category_id": {cat}, "branch_id": {bekasi}, "priority": {"-1"}},
	} {
		if resp, _ := e.postForm(spnHost, "/admin/routing/rules", admin, v); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%v: %d", v, resp.StatusCode)
		}
	}
	if resp, _ := e.postForm(spnHost, "/admin/routing/rules", branch, url.Values{"category_id": {cat}, "branch_id": {bekasi}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("branch admin adding a rule: %d", resp.StatusCode)
	}
	_, list := e.getJSON(spnHost, "/api/v1/routing-rules", admin)
	rules, _ := list["rules"].([]any)
	if len(rules) != 1 {
		t.Fatalf("rules: %v", list)
	}
	id := rules[0].(map[string]any)["id"].(string)
	if resp, body := e.getJSON("garteks.localhost", "/api/v1/routing-rules", gAdmin); resp.StatusCode != http.StatusOK || len(body["rules"].([]any)) != 0 {
		t.Fatalf("garteks sees rules: %v", body)
	}
	if resp, _ := e.getJSON(spnHost, "/api/v1/routing-rules", branch); resp.StatusCode != http.StatusForbidden {
		t.Errorf("branch admin listing rules: %d", resp.StatusCode)
	}
	if resp, _ := e.send(http.MethodDelete, "garteks.localhost", "/api/v1/routing-rules/"+id, "", nil, bearer(gAdmin)...); resp.StatusCode != http.StatusNotFound {
		t.Errorf("garteks deleting spn's rule: %d", resp.StatusCode)
	}
	if resp, _ := e.postForm(spnHost, "/admin/routing/rules/"+id+"/delete", admin, url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete rule: %d", resp.StatusCode)
	}

	var officerID string
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT id::text FROM users WHERE email = 'officer@spn.example'").Scan(&officerID)
	})
	if resp, _ := e.postForm(spnHost, "/admin/routing/conflicts", admin, url.Values{"user_id": {officerID}, "workplace_id": {wp}, "reason": {"Saudara pemilik pabrik"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add conflict: %d", resp.StatusCode)
	}
	if resp, _ := e.postForm(spnHost, "/admin/routing/conflicts", admin, url.Values{"user_id": {officerID}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("conflict without workplace: %d", resp.StatusCode)
	}
	_, body := e.get(spnHost, "/api/v1/staff-conflicts", bearer(admin)...)
	if !strings.Contains(body, "Saudara pemilik pabrik") {
		t.Fatalf("conflicts: %s", body)
	}
	if resp, body := e.get("garteks.localhost", "/api/v1/staff-conflicts", bearer(gAdmin)...); resp.StatusCode != http.StatusOK || strings.Contains(body, "Saudara") {
		t.Fatalf("garteks sees conflicts: %s", body)
	}
	if resp, _ := e.send(http.MethodDelete, spnHost, "/api/v1/staff-conflicts/"+officerID+"/"+wp, "", nil, bearer(branch)...); resp.StatusCode != http.StatusForbidden {
		t.Errorf("branch admin deleting a conflict: %d", resp.StatusCode)
	}
	if resp, _ := e.send(http.MethodDelete, spnHost, "/api/v1/staff-conflicts/"+officerID+"/"+wp, "", nil, bearer(admin)...); resp.StatusCode != http.StatusNoContent {
		t.Errorf("delete conflict: %d", resp.StatusCode)
	}
}

// The SSRF attacks: a federation admin cannot point the gateway at
// loopback, the cloud metadata address, IPv6 loopback, private ranges, a
// name that resolves to loopback, or plain http; the messages are the same
// generic ones whatever the address. A gateway that redirects is not
// followed. And the spoofed sender: only the operator's domains for the
// union.
func TestChannelsRefuseSSRFAndSpoofedSender(t *testing.T) {
	var innerHits atomic.Int32
	inner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { innerHits.Add(1) }))
	defer inner.Close()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, inner.URL+"/admin", http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()
	e := newCaseEnv(t, allowGateway(redirector), func(c *config.Config) {
		c.Notify.SenderDomains = []string{"spn=spn.or.id", "*={slug}.suara.test"}
	})
	_, branch, admin := e.staffTokens()
	for _, u := range []string{
		"https://127.0.0.1/send", "https://127.0.0.1:5432/", "https://169.254.169.254/latest/meta-data/", "https://[::1]/",
		"https://10.0.0.8/", "https://192.168.1.1/", "https://172.20.0.1/", "https://100.64.0.1/", "https://localhost/",
		"https://[::ffff:127.0.0.1]/", "https://0.0.0.0/", inner.URL, "http://example.com/send",
	} {
		resp, out := putSettings(e, admin, map[string]any{"sms_enabled": true, "gateway_url": u})
		f := fieldErrors(out)
		if resp.StatusCode != http.StatusUnprocessableEntity || f["gateway_url"] == nil {
			t.Errorf("%s: %d %v", u, resp.StatusCode, out)
			continue
		}
		msg := f["gateway_url"].(string)
		if strings.Contains(msg, "127.0.0.1") || strings.Contains(msg, "refused") && strings.Contains(msg, "connect") {
			t.Errorf("%s: message leaks: %q", u, msg)
		}
	}
	// The page says the same.
	resp, body := e.postForm(spnHost, "/admin/channels", admin, url.Values{"gateway_url": {"https://169.254.169.254/"}, "quiet_start": {"21"}, "quiet_end": {"6"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "alamat publik") {
		t.Errorf("page: %d", resp.StatusCode)
	}
	if n := e.countRows("spn", "SELECT count(*) FROM notify_settings"); n != 0 {
		t.Fatalf("a refused gateway was stored (%d rows)", n)
	}

	// Spoofed sender refused; the union's own domains accepted.
	for _, from := range []string{"ceo@bank.example", "admin@suara.test", "x@garteks.suara.test", "kabar@spn.or.id.evil.example"} {
		resp, out := putSettings(e, admin, map[string]any{"sender_email": from})
		if resp.StatusCode != http.StatusUnprocessableEntity || fieldErrors(out)["sender_email"] == nil {
			t.Errorf("sender %s: %d %v", from, resp.StatusCode, out)
		}
	}
	for _, from := range []string{"kabar@spn.or.id", "noreply@spn.suara.test"} {
		if resp, out := putSettings(e, admin, map[string]any{"sender_email": from}); resp.StatusCode != http.StatusOK {
			t.Errorf("sender %s: %d %v", from, resp.StatusCode, out)
		}
	}

	// An allow-listed gateway that redirects: the test message says so in
	// plain words and the redirect target is never reached.
	if resp, out := putSettings(e, admin, map[string]any{"sms_enabled": true, "gateway_url": redirector.URL + "/send", "gateway_token": "t"}); resp.StatusCode != http.StatusOK {
		t.Fatalf("allow-listed gateway: %d %v", resp.StatusCode, out)
	}
	resp, body = e.postForm(spnHost, "/admin/channels/test", admin, url.Values{"channel": {"sms"}, "to": {"081200000009"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "pengalihan") || strings.Contains(body, inner.URL) {
		t.Fatalf("test message: %d %s", resp.StatusCode, body)
	}
	resp, out := e.postJSON(spnHost, "/api/v1/admin/notification-settings/test", map[string]any{"channel": "sms", "to": "081200000009"}, bearer(admin)...)
	if resp.StatusCode != http.StatusOK || out["result"] != "redirect" {
		t.Fatalf("api test message: %d %v", resp.StatusCode, out)
	}
	if innerHits.Load() != 0 {
		t.Fatalf("the redirect target was reached %d times", innerHits.Load())
	}
	for _, bad := range []map[string]any{{"channel": "fax", "to": "1"}, {"channel": "sms", "to": "abc"}, {"channel": "email", "to": "no-at"}} {
		if resp, _ := e.postJSON(spnHost, "/api/v1/admin/notification-settings/test", bad, bearer(admin)...); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%v: %d", bad, resp.StatusCode)
		}
	}
	// Branch admins and other unions cannot send test messages.
	if resp, _ := e.postJSON(spnHost, "/api/v1/admin/notification-settings/test", map[string]any{"channel": "sms", "to": "081200000009"}, bearer(branch)...); resp.StatusCode != http.StatusForbidden {
		t.Errorf("branch admin test: %d", resp.StatusCode)
	}
	gAdmin := e.login("garteks.localhost", map[string]string{"email": "admin@garteks.example", "password": demoPW})
	resp, out = e.postJSON("garteks.localhost", "/api/v1/admin/notification-settings/test", map[string]any{"channel": "sms", "to": "081200000009"}, bearer(gAdmin)...)
	if resp.StatusCode != http.StatusOK || out["result"] != "not_configured" {
		t.Errorf("garteks test uses spn's gateway: %d %v", resp.StatusCode, out)
	}
}
