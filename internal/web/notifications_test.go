package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/uptrace/bun"
)

// notifyCase files a named case as demo worker 1 on SPN and has the
// federation admin message it, which notifies the reporter.
func notifyCase(t *testing.T, e *env) (worker, admin, id, ref string) {
	t.Helper()
	worker = e.login(spnHost, map[string]string{"phone": "081200000001", "password": demoPW})
	admin = e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	out := e.file(spnHost, worker, map[string]any{"type": "complaint", "safety_mode": "named",
		"description": "RAHASIA-KASUS upah lembur tidak dibayar", "workplace_id": e.workplaceID("spn", "pt-maju-jaya-garmen")})
	id, ref = out["id"].(string), out["reference"].(string)
	resp, body := e.postJSON(spnHost, "/api/v1/cases/"+id+"/messages", map[string]any{"body": "RAHASIA-PESAN kami hubungi"}, bearer(admin)...)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("admin message: %d %v", resp.StatusCode, body)
	}
	return worker, admin, id, ref
}

func TestNotificationInboxAndOutbox(t *testing.T) {
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) }))
	defer gw.Close()
	e := newCaseEnv(t, allowGateway(gw))
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	resp, st := putSettings(e, admin, map[string]any{
		"sms_enabled": true, "gateway_url": gw.URL, "gateway_token": "tok", "quiet_start": 0, "quiet_end": 0})
	if resp.StatusCode != http.StatusOK || st["gateway_token"] != nil || st["sms_enabled"] != true {
		t.Fatalf("save settings: %d %v", resp.StatusCode, st)
	}
	worker, _, id, ref := notifyCase(t, e)

	resp, body := e.getJSON(spnHost, "/api/v1/notifications", worker)
	items, _ := body["notifications"].([]any)
	if resp.StatusCode != http.StatusOK || len(items) != 1 {
		t.Fatalf("inbox: %d %v", resp.StatusCode, body)
	}
	text := items[0].(map[string]any)["text"].(string)
	if !strings.Contains(text, ref) || strings.Contains(text, "RAHASIA") {
		t.Fatalf("in-app text %q", text)
	}
	// One SMS row, its delivery job queued in the same transaction.
	if n := e.countRows("spn", "SELECT count(*) FROM outbox WHERE case_id = ? AND channel = 'sms' AND status = 'pending'", id); n != 1 {
		t.Fatalf("%d SMS rows", n)
	}
	var jobs int
	if err := e.db.Super.QueryRowContext(context.Background(), "SELECT count(*) FROM river_job WHERE kind = 'notify_deliver'").Scan(&jobs); err != nil {
		t.Fatal(err)
	}
	if jobs != 1 {
		t.Fatalf("%d delivery jobs, want 1", jobs)
	}
	resp, body = e.postJSON(spnHost, "/api/v1/notifications/read", map[string]any{}, bearer(worker)...)
	if resp.StatusCode != http.StatusOK || body["marked"] != float64(1) {
		t.Fatalf("mark read: %d %v", resp.StatusCode, body)
	}

	// Admins see failures, never an address or a body.
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE outbox SET status = 'failed', attempts = 8, last_error = 'gateway: status 502' WHERE channel = 'sms'")
		return err
	})
	resp, text = e.get(spnHost, "/api/v1/admin/notifications?status=failed", bearer(admin)...)
	if resp.StatusCode != http.StatusOK || !strings.Contains(text, `"status":"failed"`) || !strings.Contains(text, "status 502") ||
		strings.Contains(text, "+62812") || strings.Contains(text, "RAHASIA") {
		t.Fatalf("failed list: %d %s", resp.StatusCode, text)
	}
	for _, tc := range []struct {
		tok  string
		path string
		want int
	}{
		{admin, "/api/v1/admin/notifications?status=bogus", http.StatusUnprocessableEntity},
		{worker, "/api/v1/admin/notifications", http.StatusForbidden},
		{e.login(spnHost, map[string]string{"email": "officer@spn.example", "password": demoPW}), "/api/v1/admin/notifications", http.StatusForbidden},
		{"", "/api/v1/admin/notifications", http.StatusUnauthorized},
		{"", "/api/v1/notifications", http.StatusUnauthorized},
	} {
		resp, body := e.getJSON(spnHost, tc.path, tc.tok)
		if resp.StatusCode != tc.want || errorCode(body) == "" {
			t.Errorf("%s: %d %v, want %d", tc.path, resp.StatusCode, body, tc.want)
		}
	}
	// Another tenant's admin sees none of it.
	gAdmin := e.login("garteks.localhost", map[string]string{"email": "admin@garteks.example", "password": demoPW})
	resp, text = e.get("garteks.localhost", "/api/v1/admin/notifications", bearer(gAdmin)...)
	if resp.StatusCode != http.StatusOK || strings.Contains(text, ref) {
		t.Fatalf("garteks admin list: %d %s", resp.StatusCode, text)
	}
	// An SPN token means nothing on Garteks.
	if resp, _ := e.getJSON("garteks.localhost", "/api/v1/notifications", worker); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("spn token on garteks: %d", resp.StatusCode)
	}
}

func TestNotificationSettingsBadInput(t *testing.T) {
	e := newCaseEnv(t)
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	for _, body := range []map[string]any{
		{"gateway_url": "ftp://example.com/x"},
		{"sender_email": "not an address"},
		{"quiet_start": 24},
		{"time_zone": "Mars/Olympus"},
		{"templates": map[string]any{"id": map[string]any{"reporter_update": "Laporan {title} {reference}"}}},
		{"templates": map[string]any{"fr": map[string]any{"reporter_update": "x"}}},
		{"sms_enabled": "yes"},
	} {
		resp, out := putSettings(e, admin, body)
		if resp.StatusCode != http.StatusUnprocessableEntity || len(fieldErrors(out)) == 0 {
			t.Errorf("%v: %d %v", body, resp.StatusCode, out)
		}
	}
	resp, _ := e.send(http.MethodPut, spnHost, "/api/v1/admin/notification-settings", "text/plain", strings.NewReader("x"), bearer(admin)...)
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("text body: %d", resp.StatusCode)
	}
	if n := e.countRows("spn", "SELECT count(*) FROM notify_settings"); n != 0 {
		t.Fatalf("bad settings stored: %d rows", n)
	}
	worker := e.login(spnHost, map[string]string{"phone": "081200000001", "password": demoPW})
	if resp, _ := putSettings(e, worker, map[string]any{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("worker saving settings: %d", resp.StatusCode)
	}
}

func TestNotificationPreferences(t *testing.T) {
	e := newCaseEnv(t)
	worker := e.login(spnHost, map[string]string{"phone": "081200000001", "password": demoPW})
	resp, body := e.postJSON(spnHost, "/api/v1/me/notification-preferences", map[string]any{"whatsapp": true, "sms": false}, bearer(worker)...)
	if resp.StatusCode != http.StatusOK || body["whatsapp"] != true || body["sms"] != false || body["whatsapp_opt_in_at"] == nil {
		t.Fatalf("set prefs: %d %v", resp.StatusCode, body)
	}
	for _, bad := range []map[string]any{{"locale": "fr"}, {"sms": "yes"}} {
		resp, out := e.postJSON(spnHost, "/api/v1/me/notification-preferences", bad, bearer(worker)...)
		if resp.StatusCode != http.StatusUnprocessableEntity || len(fieldErrors(out)) == 0 {
			t.Errorf("%v: %d %v", bad, resp.StatusCode, out)
		}
	}
	if resp, _ := e.postJSON(spnHost, "/api/v1/me/notification-preferences", map[string]any{"stop": true}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("signed out: %d", resp.StatusCode)
	}
	resp, body = e.getJSON(spnHost, "/api/v1/me/notification-preferences", worker)
	if resp.StatusCode != http.StatusOK || body["sms"] != false || body["stopped_at"] != nil {
		t.Fatalf("bad input changed prefs: %v", body)
	}
	// The page shows the choices and its form stops everything.
	session := e.login(spnHost, map[string]string{"phone": "081200000001", "password": demoPW})
	resp, page := e.page(spnHost, "/notifications", session)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Pemberitahuan") {
		t.Fatalf("page: %d", resp.StatusCode)
	}
	resp, _ = e.postForm(spnHost, "/notifications/preferences", session, url.Values{"stop": {"on"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("form: %d", resp.StatusCode)
	}
	if _, body = e.getJSON(spnHost, "/api/v1/me/notification-preferences", worker); body["stopped_at"] == nil || body["whatsapp"] != false {
		t.Fatalf("after the form: %v", body)
	}
}

// Anonymous reporters read theirs through the receipt code; another
// tenant's host does not know the code.
func TestReceiptNotifications(t *testing.T) {
	e := newCaseEnv(t)
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	out := e.file(spnHost, "", map[string]any{"type": "complaint", "description": "RAHASIA-ANON mandor membentak"})
	code, id := out["receipt_code"].(string), out["id"].(string)
	if resp, body := e.postJSON(spnHost, "/api/v1/cases/"+id+"/messages", map[string]any{"body": "Kami tindak lanjuti"}, bearer(admin)...); resp.StatusCode != http.StatusCreated {
		t.Fatalf("message: %d %v", resp.StatusCode, body)
	}
	rtok := e.receiptSession(spnHost, code)
	resp, body := e.getJSON(spnHost, "/api/v1/receipt/notifications", rtok)
	items, _ := body["notifications"].([]any)
	if resp.StatusCode != http.StatusOK || len(items) != 1 || strings.Contains(fmt2(items), "RAHASIA") {
		t.Fatalf("receipt notifications: %d %v", resp.StatusCode, body)
	}
	if n := e.countRows("spn", "SELECT count(*) FROM outbox WHERE case_id = ? AND channel <> 'in_app'", id); n != 0 {
		t.Fatalf("%d outside messages for an anonymous reporter", n)
	}
	if resp, body := e.getJSON("garteks.localhost", "/api/v1/receipt/notifications", rtok); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("other tenant: %d %v", resp.StatusCode, body)
	}
	if resp, _ := e.getJSON(spnHost, "/api/v1/receipt/notifications", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no token: %d", resp.StatusCode)
	}
	if resp, _ := e.getJSON(spnHost, "/api/v1/receipts/"+code+"/notifications", ""); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("the old code path: %d, want 404", resp.StatusCode)
	}
}

func fmt2(v any) string {
	var b strings.Builder
	for _, x := range v.([]any) {
		for _, s := range x.(map[string]any) {
			if str, ok := s.(string); ok {
				b.WriteString(str)
			}
		}
	}
	return b.String()
}

// putSettings PUTs notification settings as tok.
func putSettings(e *env, tok string, body any) (*http.Response, map[string]any) {
	e.t.Helper()
	b, _ := json.Marshal(body)
	resp, text := e.send(http.MethodPut, spnHost, "/api/v1/admin/notification-settings", "application/json", strings.NewReader(string(b)), bearer(tok)...)
	return resp, decode(e.t, text)
}
