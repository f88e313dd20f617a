package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The officer's case: Siti Rahayu (demo worker 081200000001) reports it at
// PT Maju Jaya Garmen, the unit where the demo officer sits.
const (
	demoReporter  = "081200000001"
	demoCaseTitle = "Upah lembur dibayar borongan"
)

// fileForOfficer files the case the officer handles, through the API: the
// filing pages have their own flows (worker_test.go).
func fileForOfficer(t *testing.T, s *server) {
	t.Helper()
	var login struct{ Token string }
	s.api(t, "spn", "POST", "/api/v1/auth/login", "", map[string]string{"phone": demoReporter, "password": demoPassword}, &login)
	var wp string
	if err := s.db.Super.QueryRowContext(context.Background(),
		`SELECT w.id FROM workplaces w JOIN tenants t ON t.id = w.tenant_id WHERE t.slug = 'spn' AND w.slug = 'pt-maju-jaya-garmen'`).Scan(&wp); err != nil {
		t.Fatal(err)
	}
	s.api(t, "spn", "POST", "/api/v1/cases", login.Token, map[string]any{"type": "complaint", "title": demoCaseTitle,
		"description":  "Sejak tiga bulan kami di bagian sewing lembur sampai jam 9 malam, tetapi upah lembur dihitung borongan, bukan per jam. Slip gaji tidak mencantumkan jam lembur.",
		"workplace_id": wp, "safety_mode": "named", "affected_count": 40}, nil)
}

// TestOfficerHandlesCaseWorkerRates: the unit officer (laptop) finds the
// case in the queue, accepts the AI suggestion, verifies it, records a
// bipartite meeting and resolves it; then its reporter (phone) rates the
// handling.
func TestOfficerHandlesCaseWorkerRates(t *testing.T) {
	s := startServer(t)
	fileForOfficer(t, s)
	var caseURL string
	ok := t.Run("officer", func(t *testing.T) {
		b := newBrowser(t, laptop)
		b.login(s, "spn", "email", "officer@spn.example")
		b.shot("profile")

		b.submit("open queue", `a[href="/staff/queue"]`)
		b.mustSee("queue", demoCaseTitle)
		b.shot("queue")
		b.run("open filters", chromedp.Click(chromedp.CSS(`details > summary`)))
		b.run("search", chromedp.SendKeys(chromedp.CSS(`#q`), "borongan"))
		b.shot("queue search")
		b.submit("apply filters", `details form button[type="submit"]`)
		if n := eval[int](b, `document.querySelectorAll('ul.queue > li').length`); n < 1 {
			t.Fatalf("search found %d cases", n)
		}
		b.mustSee("queue filtered", demoCaseTitle)
		b.shot("queue filtered")

		b.submit("open case", `ul.queue a[href^="/cases/"]`)
		caseURL = b.location()
		// Classification runs as a job right after filing; on a slow
		// machine the suggestion may still be on its way.
		for i := 0; eval[int](b, `document.querySelectorAll('section.suggestion').length`) == 0; i++ {
			if i == 40 {
				t.Fatal("no AI suggestion on the case after 20 s")
			}
			time.Sleep(500 * time.Millisecond)
			b.run("reload case", chromedp.Reload())
		}
		b.shotOf("case with suggestion", "section.suggestion")

		b.submit("accept suggestion", `section.suggestion form input[value="accept"] ~ button`)
		b.mustSee("suggestion accepted", "Petugas menerima saran ini.")
		b.shotOf("suggestion accepted", "section.suggestion")

		b.submit("verify", `form[action$="/transitions"] input[value="verify"] ~ button`)
		b.mustSee("verified", "Diverifikasi")
		b.shotOf("verified", "section.transitions")
		b.submit("start", `form[action$="/transitions"] input[value="start"] ~ button`)
		b.mustSee("in progress", "Sedang ditangani")

		day := time.Now().Format("2006-01-02")
		b.run("fill bipartite meeting",
			chromedp.SetValue(chromedp.CSS(`#kind`), "bipartite"),
			chromedp.SetValue(chromedp.CSS(`#visibility`), "reporter"),
			chromedp.SetValue(chromedp.CSS(`#meeting_date`), day),
			chromedp.SendKeys(chromedp.CSS(`#participants`), "Siti Rahayu (pelapor)\nHRD PT Maju Jaya\nPetugas SPN"),
			chromedp.SetValue(chromedp.CSS(`#outcome`), "agreed"),
			chromedp.SendKeys(chromedp.CSS(`#notes`), "Perusahaan setuju membayar kekurangan upah lembur tiga bulan."),
		)
		b.shotOf("bipartite meeting filled", "#participants")
		b.submit("record bipartite meeting", `form[action$="/actions"] button[type="submit"]`)
		if n := eval[int](b, `document.querySelectorAll('.field-error').length`); n != 0 {
			b.shot("bipartite refused")
			t.Fatalf("bipartite meeting refused: %s", b.text("main"))
		}
		// The timeline says what happened in words, not stored JSON.
		b.mustSee("bipartite recorded", "Perundingan bipartit", "Peserta", "HRD PT Maju Jaya", "Sepakat")
		if strings.Contains(b.text("main"), `{"by"`) {
			t.Error("the timeline shows raw event payloads")
		}
		b.shotOf("bipartite recorded", "ol.timeline li:last-child")

		b.submit("resolve", `form[action$="/transitions"] input[value="resolve"] ~ button`)
		b.mustSee("resolved", "Selesai")
		b.noHorizontalScroll("resolved")
		b.shotOf("resolved", "h1")
	})
	if !ok {
		return
	}

	t.Run("worker rates", func(t *testing.T) {
		b := newBrowser(t, phone)
		b.login(s, "spn", "phone", demoReporter)
		b.run("my cases", chromedp.Navigate(s.url("spn", "/cases")), chromedp.WaitVisible(chromedp.CSS(`main`)))
		b.shot("my cases")
		b.submit("open case", `main a[href="`+caseURL+`"]`)
		b.mustSee("resolved case", demoCaseTitle, "Selesai", "Perundingan bipartit")
		b.noHorizontalScroll("resolved case")
		b.shot("resolved case")

		b.submit("open rating", `a[href="`+caseURL+`/rate"]`)
		if n := eval[int](b, `document.querySelectorAll('form[action*="/checkins/"]').length`); n != 0 {
			t.Errorf("%d check-in forms shown before any check-in was asked", n)
		}
		b.noHorizontalScroll("rating form")
		b.shot("rating form")
		b.run("rate",
			chromedp.Click(chromedp.CSS(`input[name="handling"][value="4"]`)),
			chromedp.Click(chromedp.CSS(`input[name="outcome"][value="5"]`)),
			chromedp.SendKeys(chromedp.CSS(`#comment`), "Petugas cepat menanggapi, upah sudah dibayar."),
		)
		b.shot("rating filled")
		b.submit("send rating", `form[action$="/rate"] button[type="submit"]`)
		if b.location() != caseURL {
			t.Fatalf("after rating: at %s: %s", b.location(), b.text("main"))
		}
		b.mustSee("rated", "Terima kasih atas penilaian Anda.")
		if n := eval[int](b, `document.querySelectorAll('a[href$="/rate"]').length`); n != 0 {
			t.Error("the rating link is still offered after rating")
		}
		b.noHorizontalScroll("rated")
		b.shot("rated")
	})
}

// TestAdminAddsCategory: the federation admin adds a category, and workers
// are offered it in the filing form.
func TestAdminAddsCategory(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t, laptop)
	b.login(s, "spn", "email", "admin@spn.example")
	b.shot("profile")
	b.submit("open categories", `a[href="/admin/categories"]`)
	b.shotOf("categories", "table")

	b.run("fill category",
		chromedp.SendKeys(chromedp.CSS(`#slug`), "jam_istirahat"),
		chromedp.SendKeys(chromedp.CSS(`#name_id`), "Jam istirahat dipotong"),
		chromedp.SendKeys(chromedp.CSS(`#name_en`), "Breaks cut short"),
		chromedp.SendKeys(chromedp.CSS(`#notice_id`), "Pekerja berhak atas istirahat paling sedikit 30 menit setelah 4 jam kerja (UU 13/2003 Pasal 79)."),
		chromedp.SendKeys(chromedp.CSS(`#notice_en`), "Workers are entitled to a break of at least 30 minutes after 4 hours of work."),
		chromedp.SendKeys(chromedp.CSS(`#keywords`), "istirahat, makan siang, jam istirahat"),
	)
	b.shotOf("category filled", "#notice_id")
	b.submit("create category", `form[action="/admin/categories"] button.primary`)
	if n := eval[int](b, `document.querySelectorAll('.field-error').length`); n != 0 {
		t.Fatalf("category refused: %s", b.text("main"))
	}
	b.mustSee("category saved", "Tersimpan.", "Jam istirahat dipotong")
	b.shotOf("category saved", "h1")

	// As a worker would see it: a fresh visitor on a phone.
	w := newBrowser(t, phone)
	w.run("open filing", chromedp.Navigate(s.url("spn", "/cases/new")), chromedp.WaitVisible(chromedp.CSS(`#description`)))
	w.mustSee("new category offered", "Jam istirahat dipotong")
	label := eval[string](w, `(function(){var l=[...document.querySelectorAll('fieldset label')].find(function(l){return l.textContent.includes('Jam istirahat dipotong')}); l.scrollIntoView({block:'center'}); return l.textContent.trim()})()`)
	if !strings.Contains(label, "Jam istirahat dipotong") {
		t.Fatalf("category label %q", label)
	}
	w.noHorizontalScroll("filing form with new category")
	w.shot("filing form with new category")
}

// TestAnalystOpensExplorer: an ILO analyst signs in on the platform host and
// opens the cross-union explorer.
func TestAnalystOpensExplorer(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t, laptop)
	b.login(s, "", "email", "ilo@platform.example")
	b.shot("profile")
	b.submit("open console", `a[href="/console"]`)
	b.mustSee("overview", "Analitik lintas serikat")
	b.shot("overview")
	b.submit("open explorer", `nav.console-nav a[href="/console/explore"]`)
	b.shot("explorer")
	b.run("choose", chromedp.Click(chromedp.CSS(`input[name="by"][value="sector"]`)))
	b.submit("show", `form.console-form button[type="submit"]`)
	if eval[int](b, `document.querySelectorAll('main table').length`) == 0 {
		t.Fatalf("explorer shows no table: %s", b.text("main"))
	}
	if n := eval[int](b, `document.querySelectorAll('ul.errors li').length`); n != 0 {
		t.Fatalf("explorer refused the query: %s", b.text("main"))
	}
	b.noHorizontalScroll("explorer result")
	b.shot("explorer result")
}
