package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/config"
)

var digits16 = regexp.MustCompile(`\d{4}-?\d{4}-?\d{4}-?\d{4}`)

// TestReceiptCodesLeaveURLs: the code goes in a POST body once; the old
// code paths are gone; the page session is an HttpOnly, SameSite=Strict
// cookie scoped to /receipt; no redirect carries the code.
func TestReceiptCodesLeaveURLs(t *testing.T) {
	e := newCaseEnv(t)
	out := e.file(spnHost, "", map[string]any{"type": "complaint", "description": "Pintu darurat di gudang dikunci dari luar."})
	code := out["receipt_code"].(string)
	for _, p := range []string{"/api/v1/receipts/" + code, "/api/v1/receipts/" + code + "/notifications", "/api/v1/receipts/" + FormatCode(code)} {
		if resp, _ := e.get(spnHost, p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, resp.StatusCode)
		}
	}
	for _, p := range []string{"/api/v1/receipts/" + code + "/messages", "/api/v1/receipts/" + code + "/rating", "/api/v1/receipts/" + code + "/transitions"} {
		if resp, _ := e.postJSON(spnHost, p, map[string]any{"body": "x"}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", p, resp.StatusCode)
		}
	}
	// An account's token is not a receipt session, nor the other way round.
	worker := e.login(spnHost, map[string]string{"phone": "081200000001", "password": demoPW})
	if resp, _ := e.getJSON(spnHost, "/api/v1/receipt", worker); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("account token on /receipt: %d", resp.StatusCode)
	}
	rtok := e.receiptSession(spnHost, code)
	if resp, _ := e.getJSON(spnHost, "/api/v1/me", rtok); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("receipt session on /me: %d", resp.StatusCode)
	}
	// Change one character inside the ciphertext: the last one may carry
	// only padding bits, which base64 ignores, so tampering there can be a no-op.
	mid := len(rtok) - 5
	swap := "A"
	if rtok[mid] == 'A' {
		swap = "B"
	}
	if resp, _ := e.getJSON(spnHost, "/api/v1/receipt", rtok[:mid]+swap+rtok[mid+1:]); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("tampered token: %d", resp.StatusCode)
	}

	resp, _ := e.postForm(spnHost, "/receipt", "", url.Values{"code": {FormatCode(code)}})
	ck := receiptCookie(resp)
	if resp.StatusCode != http.StatusSeeOther || ck == nil {
		t.Fatalf("receipt form: %d", resp.StatusCode)
	}
	if loc := resp.Header.Get("Location"); digits16.MatchString(loc) || strings.Contains(loc, code) {
		t.Errorf("redirect carries the code: %q", loc)
	}
	raw := resp.Header.Get("Set-Cookie")
	for _, want := range []string{"HttpOnly", "SameSite=Strict", "Path=/receipt", "expires="} {
		if !strings.Contains(strings.ToLower(raw), strings.ToLower(want)) {
			t.Errorf("receipt cookie %q lacks %s", raw, want)
		}
	}
	if strings.Contains(raw, code) {
		t.Error("the cookie holds the code itself")
	}
	// Wrong code: the entry form again, with what was typed.
	resp, body := e.postForm(spnHost, "/receipt", "", url.Values{"code": {"1111-2222-3333-4444"}})
	if resp.StatusCode != http.StatusNotFound || receiptCookie(resp) != nil {
		t.Fatalf("wrong code: %d", resp.StatusCode)
	}
	mustContain(t, body, `value="1111-2222-3333-4444"`, "Tidak ada laporan dengan kode ini")
	// No session: back to the entry form, saying why.
	resp, _ = e.receiptPage(spnHost, "/receipt/case", "")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/receipt?expired=1" {
		t.Errorf("no session: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Leaving clears the cookie.
	resp, _ = e.receiptForm(spnHost, "/receipt/leave", ck.Value, url.Values{})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Set-Cookie"), "suara_receipt=;") {
		t.Errorf("leave: %d %q", resp.StatusCode, resp.Header.Get("Set-Cookie"))
	}
}

// TestReceiptPagesEveryAction: an anonymous reporter does everything on
// the receipt pages, without JavaScript: answers a request for information
// (text and a file; the case goes back to the handlers and the clock
// resumes), messages, adds evidence, withdraws with a reason, reopens,
// rates and answers a check-in; a refused form keeps what was typed.
func TestReceiptPagesEveryAction(t *testing.T) {
	e := newCaseEnv(t)
	_, _, admin := e.staffTokens()
	out := e.file(spnHost, "", map[string]any{"type": "complaint", "description": "Upah lembur shift malam tidak dibayar penuh bulan ini."})
	code, id := out["receipt_code"].(string), out["id"].(string)
	resp, _ := e.postForm(spnHost, "/receipt", "", url.Values{"code": {code}})
	sess := receiptCookie(resp).Value
	form := func(path string, vals url.Values, want int) string {
		t.Helper()
		resp, body := e.receiptForm(spnHost, path, sess, vals)
		if resp.StatusCode != want {
			t.Fatalf("%s: %d, want %d\n%.400s", path, resp.StatusCode, want, body)
		}
		return body
	}
	status := func() string {
		t.Helper()
		_, v := e.getJSON(spnHost, "/api/v1/cases/"+id, admin)
		return fmt.Sprint(v["status"])
	}
	for _, tr := range []string{"verify", "start"} {
		if resp, body := e.transition(admin, id, tr, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %v", tr, resp.StatusCode, body)
		}
	}
	if resp, body := e.transition(admin, id, "request_info", map[string]any{"reason": "Kirim foto jadwal shift malam."}); resp.StatusCode != http.StatusOK {
		t.Fatalf("request_info: %d %v", resp.StatusCode, body)
	}
	_, page := e.receiptPage(spnHost, "/receipt/case", sess)
	mustContain(t, page, `action="/receipt/info"`, "Kirim foto jadwal shift malam.", "Menunggu")
	// A refused file keeps the typed answer and leaves the case waiting.
	ct, mp := multipartFile("jadwal.exe", "application/octet-stream", []byte("MZ\x90\x00 not a picture"), map[string]string{"_csrf": csrfTok, "body": "Jadwal saya terlampir, mohon dicek."})
	resp, body := e.send(http.MethodPost, spnHost, "/receipt/info", ct, mp, "Cookie", "suara_csrf="+csrfTok+"; suara_receipt="+sess)
	if resp.StatusCode < 400 || resp.StatusCode >= 500 {
		t.Fatalf("bad file with the answer: %d", resp.StatusCode)
	}
	mustContain(t, body, "Jadwal saya terlampir, mohon dicek.</textarea>")
	if st := status(); st != "needs_info" {
		t.Fatalf("after a refused answer: %s", st)
	}
	// An empty answer: 422, in Indonesian, nothing stored.
	body = form("/receipt/info", url.Values{"body": {"  "}}, http.StatusUnprocessableEntity)
	mustContain(t, body, `role="alert"`)
	jpg, _ := jpegWithGPS(t)
	ct, mp = multipartFile("jadwal.jpg", "image/jpeg", jpg, map[string]string{"_csrf": csrfTok, "body": "Jadwal saya terlampir, mohon dicek."})
	resp, _ = e.send(http.MethodPost, spnHost, "/receipt/info", ct, mp, "Cookie", "suara_csrf="+csrfTok+"; suara_receipt="+sess)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/receipt/case?done=info" {
		t.Fatalf("answer: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if st := status(); st != "in_progress" {
		t.Fatalf("after the answer the case is %s, want in_progress (back with the handlers)", st)
	}
	// The clock paused while the case waited, and resumed with the answer.
	if n := e.countRows("spn", "SELECT count(*) FROM case_pauses WHERE case_id = ? AND ended_at IS NOT NULL", id); n != 1 {
		t.Errorf("closed clock pauses: %d, want 1", n)
	}
	if n := e.countRows("spn", "SELECT count(*) FROM case_pauses WHERE case_id = ? AND ended_at IS NULL", id); n != 0 {
		t.Errorf("the SLA clock is still paused after the answer")
	}
	_, v := e.getJSON(spnHost, "/api/v1/cases/"+id, admin)
	if ev, _ := v["evidence"].([]any); len(ev) != 1 {
		t.Errorf("evidence after the answer: %v", v["evidence"])
	}
	// Message: an empty one keeps nothing and says so; a real one goes.
	form("/receipt/messages", url.Values{"body": {""}}, http.StatusUnprocessableEntity)
	form("/receipt/messages", url.Values{"body": {"Terima kasih sudah ditindaklanjuti."}}, http.StatusSeeOther)
	// Withdraw needs a reason; the typed reason stays on a refusal.
	body = form("/receipt/withdraw", url.Values{"reason": {"   "}}, http.StatusUnprocessableEntity)
	mustContain(t, body, `id="withdraw-form"`, "<details open>")
	form("/receipt/withdraw", url.Values{"reason": {"Sudah dibayar oleh perusahaan."}}, http.StatusSeeOther)
	if st := status(); st != "withdrawn" {
		t.Fatalf("after withdraw: %s", st)
	}
	// Resolved by the handlers later: rate (once), reopen within the window.
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE cases SET status = 'resolved', resolved_at = now() WHERE id = ?", id)
		return err
	})
	_, page = e.receiptPage(spnHost, "/receipt/case", sess)
	mustContain(t, page, `action="/receipt/rate"`, `action="/receipt/reopen"`)
	body = form("/receipt/rate", url.Values{"handling": {"9"}, "outcome": {"2"}, "comment": {"Lama sekali."}}, http.StatusUnprocessableEntity)
	mustContain(t, body, "Lama sekali.</textarea>")
	form("/receipt/rate", url.Values{"handling": {"2"}, "outcome": {"3"}, "comment": {"Lama sekali."}}, http.StatusSeeOther)
	form("/receipt/rate", url.Values{"handling": {"2"}, "outcome": {"3"}}, http.StatusConflict)
	form("/receipt/reopen", url.Values{"reason": {"Bulan ini dipotong lagi."}}, http.StatusSeeOther)
	if st := status(); st != "reopened" {
		t.Fatalf("after reopen: %s", st)
	}
	// Closed, and the +30-day check-in is due: a "yes" to retaliation opens
	// a linked case whose own receipt code is shown once.
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE cases SET status = 'closed' WHERE id = ?", id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO case_checkins (tenant_id, case_id, n, due_at) SELECT tenant_id, id, 1, now() - interval '1 day' FROM cases WHERE id = ?`, id)
		return err
	})
	if err := e.pf.Cases.AskCheckin(context.Background(), e.tenantID("spn"), uuid.MustParse(id), 1); err != nil {
		t.Fatal(err)
	}
	_, page = e.receiptPage(spnHost, "/receipt/case", sess)
	mustContain(t, page, `action="/receipt/checkins/1"`)
	body = form("/receipt/checkins/1", url.Values{"remedy_held": {"no"}, "comment": {"Saya dipindah ke gudang."}}, http.StatusUnprocessableEntity)
	mustContain(t, body, "Saya dipindah ke gudang.</textarea>")
	body = form("/receipt/checkins/1", url.Values{"remedy_held": {"no"}, "retaliation": {"yes"}, "comment": {"Saya dipindah ke gudang."}}, http.StatusCreated)
	newCode := digits16.FindString(body)
	if newCode == "" || strings.ReplaceAll(newCode, "-", "") == code {
		t.Fatalf("no new receipt code for the linked case")
	}
	_, v = e.getJSON(spnHost, "/api/v1/receipt", e.receiptSession(spnHost, newCode))
	if v["id"] == nil || v["id"] == id {
		t.Errorf("the linked case by its receipt: %v", v)
	}
	// Notifications reach the receipt page.
	_, page = e.receiptPage(spnHost, "/receipt/case", sess)
	mustContain(t, page, `<ul class="notifications">`)
}

// TestReceiptThrottleNoLockout (issue 18, acceptance 4): one address
// sending wrong codes and forged sessions at its full allowance over every
// receipt route for a (simulated) minute does not stop another address's
// right code; and twelve addresses draining the union's pool together
// still do not lock out an address with a clean record.
func TestReceiptThrottleNoLockout(t *testing.T) {
	e := newCaseEnv(t, func(c *config.Config) {
		c.HTTP.TrustedProxies = []string{"0.0.0.0"}
		c.HTTP.ProxyHeader = "X-Forwarded-For"
	})
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	e.srv.UseLimitsClock(func() time.Time { return now })
	code := e.file(spnHost, "", map[string]any{"type": "complaint", "description": "Pintu darurat di gudang dikunci dari luar."})["receipt_code"].(string)
	forged := "rs1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	wrong := "1234-5678-9012-3456"
	type call struct{ method, path string }
	routes := []call{
		{"POST", "/api/v1/receipts/session"}, {"GET", "/api/v1/receipt"}, {"POST", "/api/v1/receipt/messages"},
		{"POST", "/api/v1/receipt/evidence"}, {"GET", "/api/v1/receipt/evidence/" + uuid.NewString()},
		{"POST", "/api/v1/receipt/info"}, {"POST", "/api/v1/receipt/transitions"}, {"POST", "/api/v1/receipt/reopen"},
		{"POST", "/api/v1/receipt/withdraw"}, {"POST", "/api/v1/receipt/rating"}, {"POST", "/api/v1/receipt/checkins/1"},
		{"GET", "/api/v1/receipt/notifications"},
		{"POST", "/receipt"}, {"GET", "/receipt/case"}, {"POST", "/receipt/messages"}, {"POST", "/receipt/info"},
		{"POST", "/receipt/reopen"}, {"POST", "/receipt/withdraw"}, {"POST", "/receipt/rate"}, {"POST", "/receipt/checkins/1"},
		{"GET", "/receipt/evidence/" + uuid.NewString()},
	}
	send := func(ip string, c call) int {
		xff := []string{"X-Forwarded-For", ip}
		cookie := "suara_csrf=" + csrfTok + "; suara_receipt=" + forged
		var resp *http.Response
		switch {
		case c.path == "/api/v1/receipt/evidence":
			ct, body := multipartFile("a.jpg", "image/jpeg", []byte("x"), nil)
			resp, _ = e.send(c.method, spnHost, c.path, ct, body, append(xff, "Authorization", "Bearer "+forged)...)
		case strings.HasPrefix(c.path, "/api/") && c.method == "POST":
			resp, _ = e.postJSON(spnHost, c.path, map[string]any{"code": wrong, "body": "halo", "reason": "alasan"}, append(xff, "Authorization", "Bearer "+forged)...)
		case strings.HasPrefix(c.path, "/api/"):
			resp, _ = e.get(spnHost, c.path, append(xff, "Authorization", "Bearer "+forged)...)
		case c.method == "POST":
			vals := url.Values{"_csrf": {csrfTok}, "code": {wrong}, "body": {"halo"}, "reason": {"alasan"}}
			resp, _ = e.send(c.method, spnHost, c.path, "application/x-www-form-urlencoded", strings.NewReader(vals.Encode()), append(xff, "Cookie", cookie)...)
		default:
			resp, _ = e.get(spnHost, c.path, append(xff, "Cookie", cookie)...)
		}
		return resp.StatusCode
	}
	// One address, a minute at its full allowance: it tries every route
	// each simulated second, until refused.
	admitted, refused := 0, 0
	for sec := 0; sec < 60; sec++ {
		for i := 0; i < len(routes); i++ {
			st := send("203.0.113.7", routes[(sec+i)%len(routes)])
			if st == http.StatusTooManyRequests {
				refused++
				break
			}
			admitted++
		}
		now = now.Add(time.Second)
	}
	t.Logf("attacker: %d requests admitted, %d refused in a minute", admitted, refused)
	if admitted > 30+7 || refused == 0 {
		t.Errorf("one address got %d requests through in a minute (refused %d); its budget is 30 + 6 a minute over all receipt routes", admitted, refused)
	}
	victim := func(ip string) {
		t.Helper()
		tok := e.receiptSession(spnHost, code, "X-Forwarded-For", ip)
		if resp, _ := e.get(spnHost, "/api/v1/receipt", "X-Forwarded-For", ip, "Authorization", "Bearer "+tok); resp.StatusCode != http.StatusOK {
			t.Fatalf("reporter at %s after the attack: %d", ip, resp.StatusCode)
		}
		resp, _ := e.send(http.MethodPost, spnHost, "/receipt", "application/x-www-form-urlencoded",
			strings.NewReader(url.Values{"_csrf": {csrfTok}, "code": {code}}.Encode()), "X-Forwarded-For", ip, "Cookie", "suara_csrf="+csrfTok)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("reporter's page at %s after the attack: %d", ip, resp.StatusCode)
		}
	}
	victim("198.51.100.20")

	// Twelve addresses together empty the union's pool of misses; those
	// addresses are then refused, a clean one still gets through.
	for a := 0; a < 12; a++ {
		ip := fmt.Sprintf("192.0.2.%d", a+1)
		for i := 0; i < 30; i++ {
			send(ip, routes[1+i%11]) // forged tokens on the API: fast misses
		}
	}
	if st := send("192.0.2.1", routes[1]); st != http.StatusTooManyRequests {
		t.Errorf("a guessing address after the pool emptied: %d, want 429", st)
	}
	// Ten seconds on, every guesser has one request back and the pool ten
	// misses: the guessers spend them, and the pool is empty again.
	now = now.Add(10 * time.Second)
	for a := 2; a < 12; a++ {
		send(fmt.Sprintf("192.0.2.%d", a+1), routes[1])
	}
	if st := send("192.0.2.2", routes[1]); st != http.StatusTooManyRequests {
		t.Errorf("a guessing address with budget left but the pool empty: %d, want 429", st)
	}
	victim("198.51.100.21")
}

// TestAnonymousIdempotencyNamespaced: repeating an anonymous reporter's
// idempotency key and body from another client files a new case; it never
// returns their receipt code. The same client replays as before.
func TestAnonymousIdempotencyNamespaced(t *testing.T) {
	e := newCaseEnv(t, func(c *config.Config) {
		c.HTTP.TrustedProxies = []string{"0.0.0.0"}
		c.HTTP.ProxyHeader = "X-Forwarded-For"
	})
	body := map[string]any{"type": "complaint", "description": "Pintu darurat di gudang dikunci dari luar saat shift malam."}
	key := "Idempotency-Key"
	first := e.file(spnHost, "", body, key, "1", "Cookie", "suara_csrf="+csrfTok, "X-Forwarded-For", "198.51.100.1")
	again := e.file(spnHost, "", body, key, "1", "Cookie", "suara_csrf="+csrfTok, "X-Forwarded-For", "198.51.100.9")
	if again["receipt_code"] != first["receipt_code"] {
		t.Fatalf("the same browser's retry did not replay")
	}
	otherCSRF := strings.Repeat("B", 43)
	for name, h := range map[string][]string{
		"another browser":            {key, "1", "Cookie", "suara_csrf=" + otherCSRF, "X-Forwarded-For", "198.51.100.1"},
		"an app at another address":  {key, "1", "X-Forwarded-For", "203.0.113.50"},
		"an app without any cookies": {key, "1", "X-Forwarded-For", "203.0.113.51"},
	} {
		got := e.file(spnHost, "", body, h...)
		if got["receipt_code"] == first["receipt_code"] || got["id"] == first["id"] {
			t.Errorf("%s repeating key and body got the first reporter's receipt", name)
		}
	}
	// A page form's key is scoped the same way.
	vals := url.Values{"type": {"complaint"}, "safety_mode": {"anonymous"}, "idempotency_key": {"page-key-1"},
		"description": {"Air minum di pabrik tidak layak dan berbau sejak minggu lalu."}}
	_, b1 := e.postForm(spnHost, "/cases/new", "", vals)
	vals2 := url.Values{}
	for k, v := range vals {
		vals2[k] = v
	}
	vals2.Set("_csrf", otherCSRF)
	_, b2 := e.send(http.MethodPost, spnHost, "/cases/new", "application/x-www-form-urlencoded", strings.NewReader(vals2.Encode()), "Cookie", "suara_csrf="+otherCSRF)
	c1, c2 := digits16.FindString(b1), digits16.FindString(b2)
	if c1 == "" || c2 == "" || c1 == c2 {
		t.Errorf("page filings with the same key from two browsers: %q %q", c1, c2)
	}
}

// TestSimilarTellsStrangersNothing (issue 18, acceptance 2): a new account
// learns nothing from /cases/similar about an anonymous or confidential
// case — neither from a one-word probe nor from the case's full text — and
// cannot ask more than its hourly allowance.
func TestSimilarTellsStrangersNothing(t *testing.T) {
	e := newCaseEnv(t)
	worker := e.login(spnHost, map[string]string{"phone": "081200000001", "password": demoPW})
	var wp string
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT id::text FROM workplaces WHERE slug = 'pt-maju-jaya-garmen'").Scan(&wp)
	})
	anonText := "Mandor Budiman di line jahit tujuh membentak operator shift malam dan memotong upah lembur tanpa alasan."
	confText := "Supervisor Hartono di gudang bahan menahan slip gaji pekerja kontrak harian selama tiga bulan berturut."
	e.file(spnHost, "", map[string]any{"type": "complaint", "workplace_id": wp, "description": anonText})
	e.file(spnHost, worker, map[string]any{"type": "complaint", "workplace_id": wp, "safety_mode": "confidential", "description": confText})
	stranger := newAccount(e)
	freezeLimits(e) // the 21st check must fall in the same hour as the first
	asked := 0
	for _, probe := range []string{"Budiman", "Hartono", "lembur", anonText, confText} {
		asked++
		resp, out := e.postJSON(spnHost, "/api/v1/cases/similar", map[string]any{"workplace_id": wp, "description": probe}, bearer(stranger)...)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("similar %.20q: %d %v", probe, resp.StatusCode, out)
		}
		if list, _ := out["similar"].([]any); len(list) != 0 {
			t.Errorf("probe %.30q revealed %v", probe, list)
		}
	}
	for ; asked < 20; asked++ {
		e.postJSON(spnHost, "/api/v1/cases/similar", map[string]any{"workplace_id": wp, "description": "lembur"}, bearer(stranger)...)
	}
	if resp, _ := e.postJSON(spnHost, "/api/v1/cases/similar", map[string]any{"workplace_id": wp, "description": "lembur"}, bearer(stranger)...); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("21st check in an hour: %d, want 429", resp.StatusCode)
	}
}

// newAccount registers a fresh worker and signs it in.
func newAccount(e *env) string {
	e.t.Helper()
	phone := "0813" + fmt.Sprint(time.Now().UnixNano()%100000000)
	for len(phone) < 12 {
		phone += "7"
	}
	out := e.registerWorker(e.gateway("spn"), spnHost, map[string]any{"name": "Pekerja Baru", "phone": phone, "password": "kain-batik-merah-tua"})
	return out["token"].(string)
}
