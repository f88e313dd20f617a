package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// csrfFrom returns the CSRF cookie a page set, for form posts.
func csrfFrom(t *testing.T, resp *http.Response) string {
	t.Helper()
	for _, c := range resp.Cookies() {
		if c.Name == "suara_csrf" {
			return c.Value
		}
	}
	t.Fatal("no csrf cookie")
	return ""
}

func TestRegisterPageFlow(t *testing.T) {
	e := newEnv(t)
	resp, page := e.get("garteks.localhost", "/register")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("register page: %d", resp.StatusCode)
	}
	mustContain(t, page, `for="phone"`, `name="workplace_id"`, "Garmen", "Memilih tidak menyebutkan")
	csrf := csrfFrom(t, resp)
	form := url.Values{"_csrf": {csrf}, "name": {"Wati"}, "phone": {"0812 7777 1234"}, "password": {"pendek"}, "member_number": {"GT-77"}}
	resp, page = e.send(http.MethodPost, "garteks.localhost", "/register", "application/x-www-form-urlencoded",
		strings.NewReader(form.Encode()), "Cookie", "suara_csrf="+csrf)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "minimal 10 karakter") {
		t.Fatalf("weak password: %d", resp.StatusCode)
	}
	// What the worker typed is kept (but never the password).
	mustContain(t, page, `value="Wati"`, `value="0812 7777 1234"`, `value="GT-77"`)
	if strings.Contains(page, `value="pendek"`) {
		t.Error("password echoed back")
	}
	g := e.gateway("garteks")
	form.Set("password", "benang-emas-2026")
	resp, page = e.send(http.MethodPost, "garteks.localhost", "/register", "application/x-www-form-urlencoded",
		strings.NewReader(form.Encode()), "Cookie", "suara_csrf="+csrf)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("register: %d", resp.StatusCode)
	}
	// The next step is the code the phone received; the phone is filled in.
	mustContain(t, page, `action="/register/verify"`, `value="0812 7777 1234"`, `name="code"`)
	code := url.Values{"_csrf": {csrf}, "phone": {"0812 7777 1234"}, "code": {g.code(t, "+6281277771234")}}
	resp, _ = e.send(http.MethodPost, "garteks.localhost", "/register/verify", "application/x-www-form-urlencoded",
		strings.NewReader(code.Encode()), "Cookie", "suara_csrf="+csrf)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/profile" {
		t.Fatalf("verify: %d", resp.StatusCode)
	}
	var session string
	for _, c := range resp.Cookies() {
		if c.Name == "suara_session" {
			session = c.Value
		}
	}
	_, page = e.get("garteks.localhost", "/profile", "Cookie", "suara_session="+session)
	mustContain(t, page, "Wati", "&#43;6281277771234", "GT-77", "Terverifikasi") // html/template escapes +
}

func TestInviteAndStaffPages(t *testing.T) {
	e := newEnv(t)
	e.seedDemo()
	admin := e.login("spn.localhost", map[string]string{"email": "admin@spn.example", "password": "suara-demo"})
	ids := branchIDs(t, e)
	_, body := e.postJSON("spn.localhost", "/api/v1/staff/invites",
		map[string]string{"email": "baru@spn.example", "role": "case_officer", "branch_id": ids["spn/jabar"]}, "Authorization", "Bearer "+admin)
	link, _ := url.Parse(body["url"].(string))
	resp, page := e.get("spn.localhost", link.Path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("invite page: %d", resp.StatusCode)
	}
	mustContain(t, page, "baru@spn.example", "Petugas kasus")
	csrf := csrfFrom(t, resp)
	form := url.Values{"_csrf": {csrf}, "name": {"Petugas Baru"}, "password": {"serikat-kuat-2026"}}
	resp, _ = e.send(http.MethodPost, "spn.localhost", link.Path, "application/x-www-form-urlencoded",
		strings.NewReader(form.Encode()), "Cookie", "suara_csrf="+csrf)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept invite page: %d", resp.StatusCode)
	}
	// An expired or used link is a plain 404.
	if resp, _ := e.get("spn.localhost", link.Path); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("used invite: %d", resp.StatusCode)
	}
	_, page = e.get("spn.localhost", "/staff", "Cookie", "suara_session="+admin)
	mustContain(t, page, "Petugas Baru", "officer@spn.example", "branch@spn.example")
	// A worker is not shown the staff list.
	worker := e.login("spn.localhost", map[string]string{"phone": "081200000001", "password": "suara-demo"})
	if resp, _ := e.get("spn.localhost", "/staff", "Cookie", "suara_session="+worker); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("worker staff page: %d", resp.StatusCode)
	}
}
