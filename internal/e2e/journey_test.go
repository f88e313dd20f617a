package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// The journeys' workers: demo workers the other flows leave alone.
const (
	namedWorker        = "081200000003"
	confidentialWorker = "081200000002"
)

// collectiveText is a collective case already filed at PT Maju Jaya
// Garmen, which both workers find as "similar" and add their voice to.
const collectiveText = "Air minum di kantin pabrik kotor dan berbau karat sejak pompa rusak bulan lalu, banyak pekerja sakit perut."

var collectiveOnce sync.Once

// fileCollective files the shared case anonymously through the API, once.
func fileCollective(t *testing.T, s *server) string {
	t.Helper()
	wp := majuJaya(t, s)
	collectiveOnce.Do(func() {
		// Only named cases whose reporter let others join are ever hinted
		// (a hint about an anonymous case would be an oracle): another demo
		// worker files it so, as a collective case.
		var login struct{ Token string }
		s.api(t, "spn", "POST", "/api/v1/auth/login", "", map[string]string{"phone": "081200000001", "password": demoPassword}, &login)
		s.api(t, "spn", "POST", "/api/v1/cases", login.Token, map[string]any{"type": "complaint", "title": "Air minum kantin kotor",
			"description": collectiveText, "workplace_id": wp, "safety_mode": "named", "collective": true, "affected_count": 200}, nil)
	})
	return wp
}

func majuJaya(t *testing.T, s *server) string {
	t.Helper()
	var wp string
	if err := s.db.Super.QueryRowContext(context.Background(),
		`SELECT w.id FROM workplaces w JOIN tenants t ON t.id = w.tenant_id WHERE t.slug = 'spn' AND w.slug = 'pt-maju-jaya-garmen'`).Scan(&wp); err != nil {
		t.Fatal(err)
	}
	return wp
}

// apiCase is the case as the API reports it to its reporter.
type apiCase struct {
	Status     string `json:"status"`
	SafetyMode string `json:"safety_mode"`
	Supporters int    `json:"supporters"`
	Events     []struct {
		Kind    string          `json:"kind"`
		Payload json.RawMessage `json:"payload"`
	} `json:"events"`
	Evidence []struct {
		Name string `json:"name"`
	} `json:"evidence"`
}

func (c apiCase) count(kind string) int {
	n := 0
	for _, e := range c.Events {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// TestNamedWorkerJourney and TestConfidentialWorkerJourney: a worker on a
// cheap phone, from the union's home page and by clicking only, files a
// report, adds their voice to a similar one, answers the union's request
// for information with a photo, messages, adds evidence, reads
// notifications, rates, reopens, answers both check-ins (a "yes" to
// retaliation opens a linked case) and withdraws that case with a reason.
// Every step's outcome is checked against what the API reports; axe-core
// checks every page on the way.
// The named journey runs axe-core on each page; the confidential one
// shows the same pages, so it skips the checks to keep the suite quick.
func TestNamedWorkerJourney(t *testing.T) { workerJourney(t, "named", namedWorker, true) }

func TestConfidentialWorkerJourney(t *testing.T) {
	workerJourney(t, "confidential", confidentialWorker, false)
}

func workerJourney(t *testing.T, mode, phoneNo string, withAxe bool) {
	s := startServer(t)
	wp := fileCollective(t, s)
	var admin, worker struct{ Token string }
	s.api(t, "spn", "POST", "/api/v1/auth/login", "", map[string]string{"email": "admin@spn.example", "password": demoPassword}, &admin)
	s.api(t, "spn", "POST", "/api/v1/auth/login", "", map[string]string{"phone": phoneNo, "password": demoPassword}, &worker)
	staff := func(id, tr, reason string) {
		t.Helper()
		s.api(t, "spn", "POST", "/api/v1/cases/"+id+"/transitions", admin.Token, map[string]string{"transition": tr, "reason": reason}, nil)
	}
	state := func(id string) apiCase {
		t.Helper()
		var c apiCase
		s.api(t, "spn", "GET", "/api/v1/cases/"+id, worker.Token, nil, &c)
		return c
	}
	b := journeyBrowser(t, true)
	a := &axe{t: t}
	if withAxe {
		a = newAxe(t)
	}

	b.run("open home", chromedp.Navigate(s.url("spn", "/")), chromedp.WaitVisible(chromedp.CSS(`header a[href="/login"]`)))
	a.check(b, "home")
	b.screen("home")
	b.submit("open login", `header a[href="/login"]`)
	b.run("fill login", chromedp.SendKeys(chromedp.CSS(`input[name="phone"]`), phoneNo), chromedp.SendKeys(chromedp.CSS(`#password`), demoPassword))
	b.submit("sign in", `main form button[type="submit"]`)
	b.submit("go home", `header a.brand`)
	b.mustSee("signed-in home", "Halo,", "Laporan saya")
	b.noHorizontalScroll("signed-in home")
	a.check(b, "signed-in home")
	b.screen("signed-in home")

	// Add my voice to a similar report, then file my own.
	b.submit("new report", `header a[href="/cases/new"]`)
	b.run("write report", chromedp.Click(chromedp.CSS(`input[name="type"][value="complaint"]`)),
		chromedp.SendKeys(chromedp.CSS(`#description`), collectiveText),
		chromedp.SetValue(chromedp.CSS(`#workplace_id`), wp),
		chromedp.Click(chromedp.CSS(`input[name="safety_mode"][value="`+mode+`"]`)))
	a.check(b, "filing form")
	b.submit("check similar", `button[name="step"][value="check"]`)
	b.mustSee("similar reports", "Tambahkan suara saya")
	b.screen("similar reports")
	b.submit("add my voice", `section.hints button[formaction]`)
	b.mustSee("voice added", "Kembali")
	a.check(b, "voice added")
	b.screen("voice added")
	var voices int
	if err := s.db.Super.QueryRowContext(context.Background(), `SELECT supporters FROM cases WHERE description = ?`, collectiveText).Scan(&voices); err != nil || voices < 1 {
		t.Fatalf("supporters of the collective case: %d %v", voices, err)
	}
	b.submit("back to the form", `main a[href="/cases/new"]`)
	title := "Slip gaji tanpa jam lembur (" + mode + ")"
	desc := "Slip gaji kami tidak mencantumkan jam lembur dan lembur hari Sabtu dibayar borongan, bukan per jam."
	// The draft brought back what was typed: the worker clears it.
	eval[string](b, `document.querySelector('#description').value = ''`)
	b.run("write own report", chromedp.SendKeys(chromedp.CSS(`#description`), desc),
		chromedp.SendKeys(chromedp.CSS(`#title`), title),
		chromedp.SetValue(chromedp.CSS(`#workplace_id`), wp),
		chromedp.Click(chromedp.CSS(`input[name="safety_mode"][value="`+mode+`"]`)))
	b.screen("own report written")
	b.submit("send report", `button[name="step"][value="submit"]`)
	b.mustSee("filed", "SPN-")
	a.check(b, "confirmation")
	b.screen("confirmation")
	b.submit("view status", `main a.button[href^="/cases/"]`)
	id := strings.TrimPrefix(b.location(), "/cases/")
	if got := state(id); got.Status != "submitted" || got.SafetyMode != mode {
		t.Fatalf("filed case: %+v", got)
	}

	// The union asks for more information (staff, through the API); the
	// worker sees it waiting on the home page and answers with a photo.
	staff(id, "verify", "")
	staff(id, "request_info", "Mohon kirim foto slip gaji bulan ini.")
	b.submit("home again", `header a.brand`)
	b.mustSee("home waiting", "Serikat meminta keterangan tambahan", title)
	b.screen("home with a report waiting")
	b.submit("open waiting case", `ul.cases a[href="/cases/`+id+`"]`)
	b.mustSee("info request", "Mohon kirim foto slip gaji bulan ini.")
	a.check(b, "case waiting for information")
	b.screen("info requested")
	// Sent empty first: refused, the page says why.
	b.run("no answer typed", chromedp.RemoveAttribute(chromedp.CSS(`#info_body`), "required"))
	b.submit("send empty answer", `form[action$="/info"] button[type="submit"]`)
	b.mustSee("empty answer refused", "Tuliskan jawaban Anda.")
	b.screen("empty answer refused")
	answer := "Foto slip gaji terlampir. Lembur 36 jam bulan ini tidak tercantum."
	b.run("write answer", chromedp.SendKeys(chromedp.CSS(`#info_body`), answer),
		chromedp.SetUploadFiles(chromedp.CSS(`#info_file`), []string{photo(t)}))
	b.screen("answer written")
	b.submit("send answer", `form[action$="/info"] button[type="submit"]`)
	b.mustSee("answer sent", "Jawaban Anda sudah dikirim", answer)
	b.screen("answer sent")
	if got := state(id); got.Status != "verified" || len(got.Evidence) != 1 {
		t.Fatalf("after answering: status %s, %d files", got.Status, len(got.Evidence))
	}

	// A message and another file.
	msg := "Mandor bilang slip gaji baru bisa diminta minggu depan."
	b.run("write message", chromedp.SendKeys(chromedp.CSS(`#body`), msg))
	b.submit("send message", `form[action$="/messages"] button[type="submit"]`)
	b.mustSee("message sent", "Pesan Anda sudah dikirim", msg)
	b.screen("message sent")
	b.run("choose file", chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{photo(t)}))
	b.submit("upload file", `form[action$="/evidence"] button[type="submit"]`)
	b.mustSee("file added", "Berkas ditambahkan.")
	b.screen("file added")
	if got := state(id); got.count("message") < 2 || len(got.Evidence) != 2 {
		t.Fatalf("after message and file: %d messages, %d files", got.count("message"), len(got.Evidence))
	}

	// Notifications, with the unread count in the menu.
	if n := eval[int](b, `document.querySelectorAll('header a[href="/notifications"] .badge').length`); n != 1 {
		t.Fatalf("no unread count in the menu")
	}
	b.submit("notifications", `header a[href="/notifications"]`)
	b.mustSee("notifications", "Pemberitahuan")
	if n := eval[int](b, `document.querySelectorAll('ul.notifications li').length`); n == 0 {
		t.Fatal("no notifications listed")
	}
	a.check(b, "notifications")
	b.screen("notifications")
	if n := eval[int](b, `document.querySelectorAll('header .badge').length`); n != 0 {
		t.Error("unread count still shown on the notifications page")
	}

	// Resolved: rate, then reopen within the window.
	staff(id, "start", "")
	staff(id, "resolve", "")
	b.submit("my cases", `header a[href="/cases"]`)
	a.check(b, "my cases")
	b.screen("my cases")
	b.submit("open resolved case", `ul.cases a[href="/cases/`+id+`"]`)
	b.submit("rate", `main a[href="/cases/`+id+`/rate"]`)
	a.check(b, "rating")
	b.run("score", chromedp.Click(chromedp.CSS(`input[name="handling"][value="4"]`)), chromedp.Click(chromedp.CSS(`input[name="outcome"][value="2"]`)),
		chromedp.SendKeys(chromedp.CSS(`#comment`), "Cepat ditangani, tetapi lembur Sabtu belum dibayar."))
	b.screen("rating filled")
	b.submit("send rating", `form[action$="/rate"] button[type="submit"]`)
	b.mustSee("rated", "Terima kasih")
	if got := state(id); got.count("rated") != 1 {
		t.Fatalf("rating not recorded")
	}
	b.run("open reopen", chromedp.Click(chromedp.CSS(`details.action summary`)))
	b.run("why reopen", chromedp.SendKeys(chromedp.CSS(`#reopen_reason`), "Lembur Sabtu bulan ini dibayar borongan lagi."))
	b.screen("reopen filled")
	b.submit("reopen", `form input[value="reopen"] ~ button`)
	b.mustSee("reopened", "Laporan Anda dibuka kembali.")
	b.screen("reopened")
	if got := state(id); got.Status != "reopened" {
		t.Fatalf("after reopening: %s", got.Status)
	}

	// Closed; the +30 and +90-day check-ins come due (their jobs are
	// brought forward) and the worker answers both.
	staff(id, "start", "")
	staff(id, "resolve", "")
	staff(id, "close", "")
	s.bringCheckinsDue(t, id, func() int { return state(id).count("checkin_asked") })
	b.submit("home for check-in", `header a.brand`)
	b.mustSee("check-in waiting", "Jawab pertanyaan tindak lanjut")
	b.submit("open case for check-in", `ul.cases a[href="/cases/`+id+`"]`)
	a.check(b, "check-ins")
	b.screen("check-ins")
	b.run("answer check-in 1", chromedp.Click(chromedp.CSS(`form[action$="/checkins/1"] input[name="remedy_held"][value="no"]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/checkins/1"] input[name="retaliation"][value="yes"]`)),
		chromedp.SendKeys(chromedp.CSS(`#checkin-comment-1`), "Setelah lapor saya dipindah ke shift malam."))
	b.submit("send check-in 1", `form[action$="/checkins/1"] button[type="submit"]`)
	b.mustSee("check-in 1 answered", "Terima kasih atas jawaban Anda.")
	b.screen("check-in 1 answered")
	b.run("answer check-in 2", chromedp.Click(chromedp.CSS(`form[action$="/checkins/2"] input[name="remedy_held"][value="yes"]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/checkins/2"] input[name="retaliation"][value="no"]`)))
	b.submit("send check-in 2", `form[action$="/checkins/2"] button[type="submit"]`)
	b.mustSee("check-in 2 answered", "Terima kasih atas jawaban Anda.")
	b.screen("check-in 2 answered")
	if got := state(id); got.count("checkin_answered") != 2 {
		t.Fatalf("check-ins answered: %d", got.count("checkin_answered"))
	}

	// The retaliation report is in "my reports"; the worker withdraws it.
	var mine struct {
		Cases []struct {
			ID string `json:"id"`
		} `json:"cases"`
	}
	s.api(t, "spn", "GET", "/api/v1/cases", worker.Token, nil, &mine)
	linked := ""
	for _, c := range mine.Cases {
		var full struct {
			ID     string `json:"id"`
			Events []struct {
				Kind    string         `json:"kind"`
				Payload map[string]any `json:"payload"`
			} `json:"events"`
		}
		s.api(t, "spn", "GET", "/api/v1/cases/"+c.ID, worker.Token, nil, &full)
		for _, e := range full.Events {
			if e.Kind == "filed" && e.Payload["linked_from"] != nil {
				linked = full.ID
			}
		}
	}
	if linked == "" {
		t.Fatal("no linked retaliation case for the worker")
	}
	b.submit("my cases for the linked case", `header a[href="/cases"]`)
	b.submit("open linked case", `ul.cases a[href="/cases/`+linked+`"]`)
	b.run("open withdraw", chromedp.Click(chromedp.CSS(`details.action summary`)))
	b.run("why withdraw", chromedp.SendKeys(chromedp.CSS(`#withdraw_reason`), "Saya sudah dipindah kembali ke shift pagi."))
	b.screen("withdraw filled")
	b.submit("withdraw", `form[action$="/withdraw"] button[type="submit"]`)
	b.mustSee("withdrawn", "Laporan Anda sudah ditarik.")
	a.check(b, "withdrawn")
	b.screen("withdrawn")
	if got := state(linked); got.Status != "withdrawn" {
		t.Fatalf("linked case after withdrawing: %s", got.Status)
	}
	b.submit("profile", `header a[href="/profile"]`)
	b.mustSee("profile", "Pekerja")
	if strings.Contains(b.text("main"), "spn/") {
		t.Error("the profile shows role notation")
	}
	a.check(b, "profile")
	b.screen("profile")
}

// axe runs axe-core (installed from npm by scripts/axe.sh, never copied
// into the repository) over pages and fails on any WCAG 2.1 A/AA
// violation.
type axe struct {
	t      *testing.T
	source string
}

var axeOnce struct {
	sync.Once
	src string
	err error
}

func newAxe(t *testing.T) *axe {
	t.Helper()
	axeOnce.Do(func() {
		out, err := exec.Command(filepath.Join("..", "..", "scripts", "axe.sh")).Output()
		if err != nil {
			axeOnce.err = fmt.Errorf("scripts/axe.sh: %w", err)
			return
		}
		dir := strings.TrimSpace(string(out))
		b, err := os.ReadFile(filepath.Join(dir, "node_modules", "axe-core", "axe.min.js"))
		axeOnce.src, axeOnce.err = string(b), err
	})
	if axeOnce.err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("axe-core: %v", axeOnce.err)
		}
		t.Logf("axe-core unavailable (%v): pages are not checked", axeOnce.err)
		return &axe{t: t}
	}
	return &axe{t: t, source: axeOnce.src}
}

// check runs axe over the page b shows.
func (a *axe) check(b *browser, step string) {
	a.t.Helper()
	if a.source == "" {
		return
	}
	defer b.trace("axe "+step, time.Now())
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[any](`window.axe ? true : (function(){`+a.source+`; return true})()`)); err != nil {
		a.t.Fatalf("load axe on %s: %v", step, err)
	}
	res, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})
		.then(r => JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))))`, chromedp.EvalAwaitPromise))
	if err != nil {
		a.t.Fatalf("run axe on %s: %v", step, err)
	}
	if res != "[]" {
		b.shot("axe-" + step)
		a.t.Errorf("%s: WCAG 2.1 AA violations: %s", step, res)
	}
}

// offline cuts (or restores) the tab's network as a phone without signal:
// requests fail, the service worker's too, and navigator.onLine follows.
func offline(off bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		var conds []*network.Conditions
		if off {
			conds = []*network.Conditions{{Offline: true}}
		}
		yes := off
		if _, err := cdp.Call(ctx, tg, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			EmulateOfflineServiceWorker: &yes, MatchedNetworkConditions: conds}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: off, DownloadThroughput: -1, UploadThroughput: -1})
		return err
	})
}

// TestOfflineReportFiledOnce: the app, opened once with signal, files a
// report written without signal — text, safety mode, a photo — once the
// connection returns: "waiting to send", then the confirmation with the
// receipt code, exactly one case with its photo, and nothing about the
// report left on the phone.
func TestOfflineReportFiledOnce(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t, phone)
	a := newAxe(t)
	desc := "Di gudang bahan kimia tidak ada ventilasi, pekerja pingsan dua kali minggu ini (dikirim tanpa sinyal)."

	b.run("open home", chromedp.Navigate(s.url("spn", "/")), chromedp.WaitVisible(chromedp.CSS(`a[href="/cases/new"]`)))
	evalAwait[bool](b, `navigator.serviceWorker.ready.then(() => true)`)
	b.shot("home")
	b.submit("open filing", `main a[href="/cases/new"]`)
	if !eval[bool](b, `!!navigator.serviceWorker.controller`) {
		t.Fatal("the filing page is not under the app's service worker")
	}
	b.run("lose signal", offline(true))
	b.run("write report", chromedp.Click(chromedp.CSS(`input[name="type"][value="complaint"]`)),
		chromedp.SendKeys(chromedp.CSS(`#description`), desc),
		chromedp.Click(chromedp.CSS(`input[name="safety_mode"][value="anonymous"]`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{photo(t)}))
	b.shot("written without signal")
	b.run("send without signal", chromedp.Click(chromedp.CSS(`button[name="step"][value="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#outbox`)))
	b.mustSee("waiting to send", "menunggu dikirim")
	a.check(b, "waiting to send")
	b.shot("waiting to send")
	var n int
	count := func() int {
		t.Helper()
		if err := s.db.Super.QueryRowContext(context.Background(), `SELECT count(*) FROM cases WHERE description = ?`, desc).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if count() != 0 {
		t.Fatal("filed while offline")
	}
	if k := evalAwait[int](b, `new Promise(ok => { const r = indexedDB.open('suara-outbox'); r.onsuccess = () => { const q = r.result.transaction('reports').objectStore('reports').count(); q.onsuccess = () => ok(q.result) } })`); k != 1 {
		t.Fatalf("outbox holds %d reports, want 1", k)
	}

	b.run("signal back", offline(false))
	b.run("sent", chromedp.WaitVisible(chromedp.CSS(`.receipt-code strong`)))
	b.mustSee("confirmation", "SPN-")
	b.shot("sent when signal returned")
	// The flush runs again on the next page and every 30 s; a duplicate
	// send would show here.
	b.run("next page", chromedp.Navigate(s.url("spn", "/")), chromedp.WaitVisible(chromedp.CSS(`main`)))
	time.Sleep(500 * time.Millisecond)
	if c := count(); c != 1 {
		t.Fatalf("%d cases filed, want exactly 1", c)
	}
	var files int
	if err := s.db.Super.QueryRowContext(context.Background(),
		`SELECT count(*) FROM evidence_files f JOIN cases c ON c.id = f.case_id WHERE c.description = ?`, desc).Scan(&files); err != nil || files != 1 {
		t.Fatalf("photo not filed with the report: %d %v", files, err)
	}
	left := evalAwait[string](b, `new Promise(ok => { const r = indexedDB.open('suara-outbox'); r.onsuccess = () => { const q = r.result.transaction('reports').objectStore('reports').count(); q.onsuccess = async () => {
		const keys = []; for (const name of await caches.keys()) { for (const req of await (await caches.open(name)).keys()) keys.push(new URL(req.url).pathname) }
		ok(JSON.stringify({outbox: q.result, draft: localStorage.getItem('suara:draft:/cases/new'), cached: keys})) } } })`)
	var kept struct {
		Outbox int      `json:"outbox"`
		Draft  *string  `json:"draft"`
		Cached []string `json:"cached"`
	}
	if err := json.Unmarshal([]byte(left), &kept); err != nil {
		t.Fatal(err)
	}
	if kept.Outbox != 0 || kept.Draft != nil {
		t.Fatalf("the report stayed on the phone after sending: %s", left)
	}
	for _, p := range kept.Cached {
		if strings.HasPrefix(p, "/cases/") && p != "/cases/new" || strings.HasPrefix(p, "/receipt") {
			t.Errorf("the app cached a case page: %s", p)
		}
	}
}

// TestEachUnionIsInstallable: every union's site passes Chromium's
// installability check (manifest, icons, service worker).
func TestEachUnionIsInstallable(t *testing.T) {
	s := startServer(t)
	for _, slug := range []string{"spn", "garteks", "fsptsk", "japbusi"} {
		b := journeyBrowser(t, false)
		b.run("open "+slug, chromedp.Navigate(s.url(slug, "/")), chromedp.WaitVisible(chromedp.CSS(`main`)))
		evalAwait[bool](b, `navigator.serviceWorker.ready.then(() => true)`)
		var errs []*page.InstallabilityError
		for i := 0; i < 20; i++ {
			err := chromedp.Do(b.ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				r, err := cdp.Call(ctx, tg, page.GetInstallabilityErrors, cdp.Empty{})
				if err == nil {
					errs = r.InstallabilityErrors
				}
				return err
			}))
			if err != nil {
				t.Fatalf("%s: installability: %v", slug, err)
			}
			if len(errs) == 0 || errs[0].ErrorID == "in-incognito" {
				break
			}
			time.Sleep(250 * time.Millisecond)
		}
		if len(errs) != 0 {
			var ids []string
			for _, e := range errs {
				ids = append(ids, e.ErrorID)
			}
			t.Errorf("%s is not installable: %v", slug, ids)
		}
		if slug == "japbusi" {
			b.mustSee("estate home", "brondolan", "afdeling")
		}
		b.shot(slug + " home")
	}
}

// evalAwait evaluates a JavaScript expression and waits for its promise.
func evalAwait[T any](b *browser, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.shot("failed-evaluate")
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// journeyBrowser is newBrowser's phone tab with room for a whole
// journey (ten minutes on a busy machine, where the flows take two to
// five). own gives it a browser context of its own; without, it opens in
// the browser's default (profile) context, the only one where Chromium
// considers installing an app (the others are incognito-like); only
// TestEachUnionIsInstallable uses that one.
func journeyBrowser(t *testing.T, own bool) *browser {
	t.Helper()
	root := chromium(t)
	var opts []chromedp.ContextOption
	if own {
		opts = append(opts, chromedp.WithNewBrowserContext())
	}
	ctx, cancelCtx := chromedp.NewContext(root, opts...)
	ctx, cancelTimeout := context.WithTimeout(ctx, 10*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx() })
	d, loaded := shotDirs.LoadOrStore(t, &shotDir{})
	if !loaded {
		d.(*shotDir).path = screenshotDir(t)
		t.Cleanup(func() { shotDirs.Delete(t) })
	}
	b := &browser{t: t, ctx: ctx, shots: d.(*shotDir)}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(phone.w, phone.h, chromedp.EmulateScale(2), chromedp.EmulateMobile)); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	return b
}

// screen saves what the phone's screen shows (the top of the page, where
// each step's notice or form is): full-page captures of every step cost a
// journey a minute on a busy machine.
func (b *browser) screen(step string) { b.capture(step, screenPNG) }
