package e2e

import (
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestAnonymousReporterJourney (issues 18 and 19): a reporter without an
// account, on a cheap phone, starts at the union's home page and files
// anonymously; from then on only by clicking — and by typing the receipt
// code into the receipt form, as a reporter does — they follow the case on
// the receipt pages: answer the union's request for information with text
// and a photo (the clock resumes), send a message, add evidence, read the
// case's notifications, rate, reopen within the window, answer both
// check-ins (a "yes" to retaliation opens a linked case with its own
// code) and withdraw that linked case with a reason. Staff moves are API
// calls (setup); every step ends with the state the API reports. axe-core
// checks every receipt page on the way, and no receipt code reaches a URL
// or a log line (here and in TestMain).
//
// It runs at Garteks: the receipt throttle counts per union and address,
// and the journey's ~25 receipt requests get a budget of their own.
func TestAnonymousReporterJourney(t *testing.T) {
	const slug = "garteks"
	s := startServer(t)
	var admin struct{ Token string }
	s.api(t, slug, "POST", "/api/v1/auth/login", "", map[string]string{"email": "admin@garteks.example", "password": demoPassword}, &admin)
	staff := func(id, tr, reason string) {
		t.Helper()
		s.api(t, slug, "POST", "/api/v1/cases/"+id+"/transitions", admin.Token, map[string]string{"transition": tr, "reason": reason}, nil)
	}
	state := func(id string) apiCase {
		t.Helper()
		var c apiCase
		s.api(t, slug, "GET", "/api/v1/cases/"+id, admin.Token, nil, &c)
		return c
	}
	// queued is the case's line in the staff queue: whether its clock stands.
	queued := func(ref string) (status string, paused bool) {
		t.Helper()
		var q struct {
			Cases []struct {
				Reference string `json:"reference"`
				Status    string `json:"status"`
				Paused    bool   `json:"paused"`
			} `json:"cases"`
		}
		s.api(t, slug, "GET", "/api/v1/cases?q="+url.QueryEscape(ref), admin.Token, nil, &q)
		for _, c := range q.Cases {
			if c.Reference == ref {
				return c.Status, c.Paused
			}
		}
		t.Fatalf("%s is not in the queue", ref)
		return "", false
	}
	b := journeyBrowser(t, true)
	a := newAxe(t)
	desc := "Kami disuruh mengangkat karung 50 kg tanpa alat bantu."

	// File anonymously from the home page.
	b.run("open home", chromedp.Navigate(s.url(slug, "/")), chromedp.WaitVisible(chromedp.CSS(`main a[href="/receipt"]`)))
	b.screen("home")
	b.submit("new report", `main a[href="/cases/new"]`)
	b.run("write report", chromedp.Click(chromedp.CSS(`input[name="type"][value="complaint"]`)),
		chromedp.Click(chromedp.CSS(`input[name="safety_mode"][value="anonymous"]`)),
		chromedp.SendKeys(chromedp.CSS(`#description`), desc))
	b.screen("report written")
	b.submit("send report", `button[name="step"][value="submit"]`)
	code := b.text(`.receipt-code strong`)
	if !regexp.MustCompile(`^\d{4}-\d{4}-\d{4}-\d{4}$`).MatchString(code) {
		t.Fatalf("receipt code %q", code)
	}
	noteReceipt(code)
	a.check(b, "receipt shown")
	b.screen("receipt shown")
	var id, ref string
	if err := s.db.Super.QueryRowContext(context.Background(), `SELECT c.id, c.reference FROM cases c JOIN tenants t ON t.id = c.tenant_id
		WHERE t.slug = ? AND c.description = ?`, slug, desc).Scan(&id, &ref); err != nil {
		t.Fatal(err)
	}
	if got := state(id); got.Status != "submitted" || got.SafetyMode != "anonymous" {
		t.Fatalf("filed: %s %s", got.Status, got.SafetyMode)
	}

	// Follow it: the link on the confirmation, the code typed into the form.
	b.submit("to receipt page", `main a[href="/receipt"]`)
	b.run("type code", chromedp.SendKeys(chromedp.CSS(`#code`), code))
	a.check(b, "receipt entry")
	b.screen("receipt entry")
	b.submit("open case", `form[action="/receipt"] button[type="submit"]`)
	if loc := b.location(); loc != "/receipt/case" {
		t.Fatalf("after the code the browser is at %q", loc)
	}
	b.mustSee("case page", "mengangkat karung", ref)
	a.check(b, "case page")
	b.screen("case page")

	// The union asks for more information; the clock stops. The reporter
	// looks for news and answers with text and a photo; the clock runs.
	question := "Di line mana dan jam berapa? Kirim foto jika ada."
	staff(id, "verify", "")
	staff(id, "request_info", question)
	if st, paused := queued(ref); st != "needs_info" || !paused {
		t.Fatalf("after the request: %s, paused %t", st, paused)
	}
	b.submit("latest news", `#receipt-refresh`)
	b.mustSee("info requested", question, "Serikat meminta keterangan tambahan")
	// The request reached the case's notifications, which only this page shows.
	if n := eval[int](b, `document.querySelectorAll('ul.notifications li').length`); n == 0 {
		t.Fatal("no notification on the receipt page after the request for information")
	}
	a.check(b, "information requested")
	b.screen("information requested")
	answer := "Gudang bahan, shift pagi jam 7 sampai 15. Foto karung terlampir."
	b.run("write answer", chromedp.SendKeys(chromedp.CSS(`#info-body`), answer),
		chromedp.SetUploadFiles(chromedp.CSS(`#info-file`), []string{photo(t)}))
	b.submit("send answer", `#info-form button[type="submit"]`)
	b.mustSee("answer sent", "Jawaban Anda terkirim", answer)
	b.screen("answer sent")
	got := state(id)
	if got.Status != "verified" || len(got.Evidence) != 1 || !hasTransition(got, "provide_info") {
		t.Fatalf("after the answer: %s, %d files, provide_info %t", got.Status, len(got.Evidence), hasTransition(got, "provide_info"))
	}
	if _, paused := queued(ref); paused {
		t.Fatal("the clock still stands after the answer")
	}

	// A message and another file.
	msg := "Hari ini mandor mengulangi perintahnya di depan semua pekerja."
	b.run("write message", chromedp.SendKeys(chromedp.CSS(`#body`), msg))
	b.submit("send message", `#message-form button[type="submit"]`)
	b.mustSee("message sent", "Pesan Anda terkirim.", msg)
	b.run("choose file", chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{photo(t)}))
	b.submit("upload file", `#evidence-form button[type="submit"]`)
	b.mustSee("file added", "Berkas ditambahkan.")
	b.screen("file added")
	if got := state(id); got.count("message") < 1 || len(got.Evidence) != 2 {
		t.Fatalf("after message and file: %d messages, %d files", got.count("message"), len(got.Evidence))
	}
	if strings.Contains(b.text("main"), "foto-lantai-produksi") {
		t.Error("the uploaded file name is shown")
	}

	// Resolved: the reporter rates, then reopens within the window.
	staff(id, "start", "")
	staff(id, "resolve", "")
	b.submit("news of resolution", `#receipt-refresh`)
	a.check(b, "resolved")
	b.screen("resolved")
	b.run("score", chromedp.Click(chromedp.CSS(`#rate-form input[name="handling"][value="4"]`)),
		chromedp.Click(chromedp.CSS(`#rate-form input[name="outcome"][value="2"]`)),
		chromedp.SendKeys(chromedp.CSS(`#rate-comment`), "Cepat ditangani, tetapi alat bantu belum datang."))
	b.submit("send rating", `#rate-form button[type="submit"]`)
	b.mustSee("rated", "Terima kasih")
	if got := state(id); got.count("rated") != 1 {
		t.Fatal("rating not recorded")
	}
	b.run("why reopen", chromedp.SendKeys(chromedp.CSS(`#reopen-reason`), "Alat bantu dibawa pergi lagi minggu ini."))
	b.submit("reopen", `#reopen-form button[type="submit"]`)
	b.mustSee("reopened", "Laporan dibuka kembali.")
	b.screen("reopened")
	if got := state(id); got.Status != "reopened" {
		t.Fatalf("after reopening: %s", got.Status)
	}

	// Closed; the reporter leaves (a shared phone). The +30 and +90-day
	// check-ins come due (their jobs brought forward, as if 90 days had
	// passed), and the reporter comes back with the code.
	staff(id, "start", "")
	staff(id, "resolve", "")
	staff(id, "close", "")
	b.submit("leave", `#leave-form button[type="submit"]`)
	s.bringCheckinsDue(t, id, func() int { return state(id).count("checkin_asked") })
	b.submit("follow again", `main a[href="/receipt"]`)
	b.run("type code again", chromedp.SendKeys(chromedp.CSS(`#code`), code))
	b.submit("open case again", `form[action="/receipt"] button[type="submit"]`)
	b.mustSee("check-ins", "Alat bantu dibawa pergi lagi")
	a.check(b, "check-ins")
	b.screen("check-ins")
	b.run("answer check-in 1", chromedp.Click(chromedp.CSS(`#checkin-1 input[name="remedy_held"][value="yes"]`)),
		chromedp.Click(chromedp.CSS(`#checkin-1 input[name="retaliation"][value="no"]`)))
	b.submit("send check-in 1", `#checkin-1 button[type="submit"]`)
	b.mustSee("check-in 1 answered", "Terima kasih atas jawaban Anda.")
	b.screen("check-in 1 answered")
	b.run("answer check-in 2", chromedp.Click(chromedp.CSS(`#checkin-2 input[name="remedy_held"][value="no"]`)),
		chromedp.Click(chromedp.CSS(`#checkin-2 input[name="retaliation"][value="yes"]`)),
		chromedp.SendKeys(chromedp.CSS(`#checkin-comment-2`), "Setelah lapor saya dipindah ke bagian bongkar muat."))
	b.submit("send check-in 2", `#checkin-2 button[type="submit"]`)
	// A "yes" to retaliation: a linked case, with a new code shown once.
	linkedCode := b.text(`.receipt-code strong`)
	if !regexp.MustCompile(`^\d{4}-\d{4}-\d{4}-\d{4}$`).MatchString(linkedCode) || linkedCode == code {
		t.Fatalf("linked receipt code %q", linkedCode)
	}
	noteReceipt(linkedCode)
	a.check(b, "linked case filed")
	b.screen("linked case filed")
	got = state(id)
	if got.count("checkin_answered") != 2 {
		t.Fatalf("check-ins answered: %d", got.count("checkin_answered"))
	}
	var linked string
	if err := s.db.Super.QueryRowContext(context.Background(), `SELECT id FROM cases WHERE linked_from = ?`, id).Scan(&linked); err != nil {
		t.Fatalf("the linked case: %v", err)
	}
	lc := state(linked)
	if lc.Status != "submitted" || lc.SafetyMode != "anonymous" || !linkedFrom(lc, ref) {
		t.Fatalf("linked case: %s %s, linked from %s: %t", lc.Status, lc.SafetyMode, ref, linkedFrom(lc, ref))
	}

	// The reporter follows the linked case with its code and withdraws it.
	b.submit("follow linked case", `main a[href="/receipt"]`)
	b.run("type linked code", chromedp.SendKeys(chromedp.CSS(`#code`), linkedCode))
	b.submit("open linked case", `form[action="/receipt"] button[type="submit"]`)
	b.run("open withdraw", chromedp.Click(chromedp.CSS(`details summary`)))
	b.run("why withdraw", chromedp.SendKeys(chromedp.CSS(`#withdraw-reason`), "Saya sudah dikembalikan ke gudang bahan."))
	a.check(b, "withdraw form")
	b.screen("withdraw filled")
	b.submit("withdraw", `#withdraw-form button[type="submit"]`)
	b.mustSee("withdrawn", "Laporan sudah ditarik.")
	a.check(b, "withdrawn")
	b.noHorizontalScroll("withdrawn")
	b.screen("withdrawn")
	if got := state(linked); got.Status != "withdrawn" {
		t.Fatalf("linked case after withdrawing: %s", got.Status)
	}

	// The notifications the page listed are those the receipt API reports.
	var sess struct{ Token string }
	s.api(t, slug, "POST", "/api/v1/receipts/session", "", map[string]string{"code": code}, &sess)
	var notes struct {
		Notifications []json.RawMessage `json:"notifications"`
	}
	s.api(t, slug, "GET", "/api/v1/receipt/notifications", sess.Token, nil, &notes)
	if len(notes.Notifications) == 0 {
		t.Error("the receipt API lists no notifications for the case")
	}

	// No URL the browser visited carries a code.
	if leaks := receiptLeaks(); len(leaks) > 0 {
		t.Errorf("receipt codes in the logs so far:\n%s", strings.Join(leaks, "\n"))
	}
	if !strings.Contains(suiteLogs.proxy.String(), "POST /receipt/info") {
		t.Error("the proxy log did not see the answer: is the proxy in the path?")
	}
}

// hasTransition reports whether the reporter's transition tr is on the
// case's timeline.
func hasTransition(c apiCase, tr string) bool {
	for _, e := range c.Events {
		var p struct {
			Transition string `json:"transition"`
		}
		if e.Kind == "status_changed" && json.Unmarshal(e.Payload, &p) == nil && p.Transition == tr {
			return true
		}
	}
	return false
}

// linkedFrom reports whether c was filed as linked to the case whose
// reference is from.
func linkedFrom(c apiCase, from string) bool {
	for _, e := range c.Events {
		var p struct {
			LinkedFrom string `json:"linked_from"`
		}
		if e.Kind == "filed" && json.Unmarshal(e.Payload, &p) == nil && p.LinkedFrom == from {
			return true
		}
	}
	return false
}
