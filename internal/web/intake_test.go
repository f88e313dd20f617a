package web_test

import (
	"github.com/suara-id/suara/internal/evidence/evidencetest"

	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/suara-id/suara/internal/chat"
)

// waBody is a WhatsApp Cloud API webhook with one text message.
func waBody(from, id, text string, at time.Time) []byte {
	return []byte(fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{`+
		`"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"100000000000001"},`+
		`"contacts":[{"profile":{"name":"Sri"},"wa_id":%q}],"messages":[{"from":%q,"id":%q,"timestamp":"%d","type":"text","text":{"body":%q}}]}}]}]}`,
		from, from, id, at.Unix(), text))
}

// TestIntakeRoutes: the webhooks on each union's host (handshake with the
// demo verify token, signed posts accepted, unsigned/forged/stale and
// other unions' refused), the channel settings API (admins only, secrets
// never returned, per tenant), staff-assisted filing (consent required,
// workers refused, anonymous gives a receipt and records no officer) and
// the transcript of a voice-only report.
func TestIntakeRoutes(t *testing.T) {
	e := newCaseEnv(t)
	// Handshake
	resp, body := e.get(spnHost, "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=suara-demo-verify&hub.challenge=1158201444")
	if resp.StatusCode != http.StatusOK || body != "1158201444" {
		t.Fatalf("handshake: %d %q", resp.StatusCode, body)
	}
	for _, q := range []string{"hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1", "hub.mode=unsubscribe&hub.verify_token=suara-demo-verify&hub.challenge=1"} {
		if resp, _ := e.get(spnHost, "/webhooks/whatsapp?"+q); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("bad handshake %s: %d", q, resp.StatusCode)
		}
	}
	// another union has no channel: the same refusal
	if resp, _ := e.get(otherHost, "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=suara-demo-verify&hub.challenge=1"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("garteks handshake: %d", resp.StatusCode)
	}
	post := func(host string, b []byte, sig string) int {
		resp, _ := e.send(http.MethodPost, host, "/webhooks/whatsapp", "application/json", strings.NewReader(string(b)), "X-Hub-Signature-256", sig)
		return resp.StatusCode
	}
	b := waBody("6281211110000", "wamid.web1", "halo", time.Now())
	if st := post(spnHost, b, chat.Sign("suara-demo-secret", b)); st != http.StatusOK {
		t.Fatalf("signed post: %d", st)
	}
	if n := e.superCount("SELECT count(*) FROM chat_sessions"); n != 1 {
		t.Fatalf("sessions %d", n)
	}
	if n := e.superCount("SELECT count(*) FROM chat_outbox WHERE status = 'pending'"); n != 1 {
		t.Fatalf("queued replies %d", n)
	}
	stale := waBody("6281211110000", "wamid.web2", "halo", time.Now().Add(-72*time.Hour))
	for name, st := range map[string]int{
		"unsigned": post(spnHost, b, ""),
		"forged":   post(spnHost, b, chat.Sign("guess", b)),
		"stale":    post(spnHost, stale, chat.Sign("suara-demo-secret", stale)),
		"garteks":  post(otherHost, b, chat.Sign("suara-demo-secret", b)),
	} {
		if st != http.StatusForbidden {
			t.Errorf("%s post: %d, want 403", name, st)
		}
	}
	if st := post(spnHost, b, chat.Sign("suara-demo-secret", b)); st != http.StatusOK {
		t.Fatalf("replayed post: %d", st)
	}
	if n := e.superCount("SELECT count(*) FROM chat_inbound"); n != 1 {
		t.Fatalf("inbound after replay %d", n)
	}

	// Channel settings
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	officer := e.login(spnHost, map[string]string{"email": "officer@spn.example", "password": demoPW})
	worker := e.login(spnHost, map[string]string{"phone": "081200000001", "password": demoPW})
	gAdmin := e.login(otherHost, map[string]string{"email": "admin@garteks.example", "password": demoPW})
	resp, body = e.get(spnHost, "/api/v1/admin/channels/whatsapp", bearer(admin)...)
	if resp.StatusCode != http.StatusOK || strings.Contains(body, "suara-demo-secret") || !strings.Contains(body, `"has_app_secret":true`) ||
		!strings.Contains(body, `"pending":1`) {
		t.Fatalf("channel: %d %s", resp.StatusCode, body)
	}
	for _, tok := range []string{officer, worker} {
		if resp, _ := e.get(spnHost, "/api/v1/admin/channels/whatsapp", bearer(tok)...); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("non-admin channel read: %d", resp.StatusCode)
		}
	}
	if resp, _ := e.get(spnHost, "/api/v1/admin/channels/whatsapp", bearer(gAdmin)...); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("cross-tenant admin: %d", resp.StatusCode)
	}
	resp, out := e.putJSON(spnHost, "/api/v1/admin/channels/sms", map[string]any{"app_secret": "sms-secret", "api_base": "not a url"}, bearer(admin)...)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad sms channel: %d %v", resp.StatusCode, out)
	}
	resp, out = e.putJSON(spnHost, "/api/v1/admin/channels/sms", map[string]any{"app_secret": "sms-secret", "api_base": "https://sms.example/send"}, bearer(admin)...)
	if resp.StatusCode != http.StatusOK || out["has_app_secret"] != true {
		t.Fatalf("set sms channel: %d %v", resp.StatusCode, out)
	}
	if n := e.superCount("SELECT count(*) FROM chat_channels WHERE encode(ciphertext, 'escape') LIKE '%sms-secret%'"); n != 0 {
		t.Fatal("channel secret stored in clear")
	}
	// The intake channels page: the demo channel's waiting replies, a
	// refused and an accepted form; officers are kept out.
	resp, body = e.page(spnHost, "/admin/intake-channels", admin)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("channels page: %d", resp.StatusCode)
	}
	mustContain(t, body, "Saluran WhatsApp &amp; SMS", "/webhooks/whatsapp", "1 balasan menunggu", `action="/admin/intake-channels/sms"`)
	if strings.Contains(body, "suara-demo-secret") || strings.Contains(body, "suara-demo-verify") {
		t.Fatal("the page shows a secret")
	}
	if resp, _ := e.page(spnHost, "/admin/intake-channels", officer); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("officer on channels page: %d", resp.StatusCode)
	}
	resp, body = e.postForm(spnHost, "/admin/intake-channels/whatsapp", admin, url.Values{"enabled": {"on"}, "phone_number_id": {"12ab"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "phone_number_id") {
		t.Fatalf("bad channel form: %d", resp.StatusCode)
	}
	resp, _ = e.postForm(spnHost, "/admin/intake-channels/whatsapp", admin, url.Values{"enabled": {"on"}, "phone_number_id": {"100000000000001"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("channel form: %d", resp.StatusCode)
	}
	// SMS in the generic format
	sms := []byte(`{"id":"sms-1","from":"+6281211113333","text":"Gaji saya dipotong tanpa alasan oleh perusahaan"}`)
	ts := time.Now().Unix()
	resp, _ = e.send(http.MethodPost, spnHost, "/webhooks/sms", "application/json", strings.NewReader(string(sms)),
		"X-Suara-Timestamp", fmt.Sprint(ts), "X-Suara-Signature", chat.SignSMS("sms-secret", ts, sms))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sms: %d", resp.StatusCode)
	}
	old := ts - 3600
	resp, _ = e.send(http.MethodPost, spnHost, "/webhooks/sms", "application/json", strings.NewReader(string(sms)),
		"X-Suara-Timestamp", fmt.Sprint(old), "X-Suara-Signature", chat.SignSMS("sms-secret", old, sms))
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("stale sms: %d", resp.StatusCode)
	}

	// Staff-assisted intake
	wp := e.workplaceID("spn", "pt-maju-jaya-garmen")
	filing := map[string]any{"type": "complaint", "description": "Pekerja datang ke kantor: THR belum dibayar.", "workplace_id": wp,
		"safety_mode": "anonymous", "intake_channel": "walk_in"}
	resp, out = e.postJSON(spnHost, "/api/v1/staff/intake", filing, bearer(officer)...)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("no consent: %d %v", resp.StatusCode, out)
	}
	filing["consent"] = true
	if resp, _ := e.postJSON(spnHost, "/api/v1/staff/intake", filing, bearer(worker)...); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("worker assisted filing: %d", resp.StatusCode)
	}
	if resp, _ := e.postJSON(otherHost, "/api/v1/staff/intake", filing, bearer(officer)...); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("cross-tenant assisted filing: %d", resp.StatusCode)
	}
	resp, out = e.postJSON(spnHost, "/api/v1/staff/intake", filing, bearer(officer)...)
	if resp.StatusCode != http.StatusCreated || out["receipt_code"] == nil {
		t.Fatalf("assisted anonymous: %d %v", resp.StatusCode, out)
	}
	var officerID string
	_ = e.db.Super.QueryRowContext(t.Context(), "SELECT id::text FROM users WHERE email = 'officer@spn.example'").Scan(&officerID)
	if n := e.superCount(`SELECT count(*) FROM cases c JOIN case_events v ON v.case_id = c.id
		WHERE c.reference = ? AND (v.actor_id = ? OR v.payload LIKE '%' || ? || '%')`, out["reference"], officerID, officerID); n != 0 {
		t.Fatalf("anonymous assisted case names the officer in %d events", n)
	}
	if n := e.superCount("SELECT count(*) FROM cases WHERE reference = ? AND intake_channel = 'walk_in' AND consent_noted", out["reference"]); n != 1 {
		t.Fatal("intake channel or consent not recorded")
	}
	named := map[string]any{"type": "complaint", "description": "Pekerja menelepon: jam kerja 12 jam sehari.", "workplace_id": wp,
		"safety_mode": "confidential", "intake_channel": "phone", "consent": true, "worker_name": "Rina", "worker_phone": "0812 9999 0001"}
	resp, out = e.postJSON(spnHost, "/api/v1/staff/intake", named, bearer(officer)...)
	if resp.StatusCode != http.StatusCreated || out["receipt_code"] != nil {
		t.Fatalf("assisted confidential: %d %v", resp.StatusCode, out)
	}

	// Voice-only report and its transcript (officer of the case's unit)
	id := out["id"].(string)
	resp, info := e.putJSON(spnHost, "/api/v1/cases/"+id+"/transcript", map[string]any{"transcript": ""}, bearer(officer)...)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("empty transcript: %d %v", resp.StatusCode, info)
	}
	if resp, _ := e.putJSON(spnHost, "/api/v1/cases/"+id+"/transcript", map[string]any{"transcript": "x"}, bearer(worker)...); resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
		t.Fatalf("worker transcript: %d", resp.StatusCode)
	}
	resp, info = e.putJSON(spnHost, "/api/v1/cases/"+id+"/transcript", map[string]any{"transcript": "Saya bekerja 12 jam tanpa lembur."}, bearer(officer)...)
	if resp.StatusCode != http.StatusOK || info["transcript"] == nil || info["intake_channel"] != "phone" {
		t.Fatalf("transcript: %d %v", resp.StatusCode, info)
	}
	// The web form takes a voice note instead of a written story.
	ogg := evidencetest.OGG(t) // a real Ogg/Opus note (ffmpeg): audio is remuxed before storage
	ct, mp := multipartRaw(`form-data; name="file"; filename="pesan-suara.ogg"`, "audio/ogg", ogg,
		map[string]string{"_csrf": csrfTok, "type": "complaint", "safety_mode": "anonymous", "description": "", "step": "submit"})
	resp, body = e.send(http.MethodPost, spnHost, "/cases/new", ct, mp, "Cookie", "suara_csrf="+csrfTok)
	if resp.StatusCode != http.StatusCreated || !strings.Contains(body, "receipt-code") {
		t.Fatalf("voice-only web filing: %d %s", resp.StatusCode, body)
	}
	if n := e.superCount(`SELECT count(*) FROM cases c JOIN evidence_files f ON f.case_id = c.id
		WHERE c.needs_transcription AND c.description = '' AND c.intake_channel = 'web' AND f.kind = 'audio'`); n != 1 {
		t.Fatalf("voice-only web case not marked (%d)", n)
	}
	resp, body = e.get(spnHost, "/api/v1/cases?needs_transcription=1", bearer(admin)...)
	if resp.StatusCode != http.StatusOK || strings.Count(body, `"needs_transcription":true`) != 1 {
		t.Fatalf("queue needs_transcription: %d %s", resp.StatusCode, body)
	}
	resp, body = e.get(spnHost, "/api/v1/cases?intake_channel=walk_in", bearer(officer)...)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"intake_channel":"walk_in"`) || strings.Contains(body, `"intake_channel":"phone"`) {
		t.Fatalf("queue by channel: %d %s", resp.StatusCode, body)
	}
}
