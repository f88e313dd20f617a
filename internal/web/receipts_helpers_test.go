package web_test

import (
	"net/http"
	"net/url"
	"strings"
)

// receiptSession exchanges a receipt code for a session token (POST body
// only) and fails the test unless it gets one.
func (e *env) receiptSession(host, code string, headers ...string) string {
	e.t.Helper()
	resp, out := e.postJSON(host, "/api/v1/receipts/session", map[string]any{"code": code}, headers...)
	tok, _ := out["token"].(string)
	if resp.StatusCode != http.StatusCreated || tok == "" || out["expires_at"] == nil {
		e.t.Fatalf("receipt session: %d %v", resp.StatusCode, out)
	}
	return tok
}

// receiptForm posts a receipt page form with the page session cookie.
func (e *env) receiptForm(host, path, sess string, vals url.Values) (*http.Response, string) {
	e.t.Helper()
	vals.Set("_csrf", csrfTok)
	cookie := "suara_csrf=" + csrfTok
	if sess != "" {
		cookie += "; suara_receipt=" + sess
	}
	return e.send(http.MethodPost, host, path, "application/x-www-form-urlencoded", strings.NewReader(vals.Encode()), "Cookie", cookie)
}

// receiptPage gets a receipt page with the page session cookie.
func (e *env) receiptPage(host, path, sess string) (*http.Response, string) {
	e.t.Helper()
	return e.get(host, path, "Cookie", "suara_csrf="+csrfTok+"; suara_receipt="+sess)
}

// receiptCookie is the page session token a response set, or "".
func receiptCookie(resp *http.Response) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == "suara_receipt" && c.Value != "" {
			return c
		}
	}
	return nil
}
