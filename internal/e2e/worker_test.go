package e2e

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

var referenceRE = regexp.MustCompile(`SPN-20\d\d-\d{6}`)

// photo writes a small JPEG, as a phone camera would send, and returns its
// path.
func photo(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	for y := 0; y < 240; y++ {
		for x := 0; x < 320; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 120, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "foto-lantai-produksi.jpg")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestWorkerRegistersAndFilesWithPhoto: a worker on a cheap phone registers,
// files a complaint with a photo, sees the confirmation and follows the case.
func TestWorkerRegistersAndFilesWithPhoto(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t, phone)

	b.run("open home", chromedp.Navigate(s.url("spn", "/")), chromedp.WaitVisible(chromedp.CSS(`a[href="/cases/new"]`)))
	b.noHorizontalScroll("home")
	b.shot("home")

	b.run("open register", chromedp.Navigate(s.url("spn", "/register")), chromedp.WaitVisible(chromedp.CSS(`#name`)))
	b.run("fill register",
		chromedp.SendKeys(chromedp.CSS(`#name`), "Rina Wulandari"),
		chromedp.SendKeys(chromedp.CSS(`#phone`), "081299990001"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "jahit-baju-2026"),
	)
	b.shot("register filled")
	b.submit("register", `form button[type="submit"]`)
	// The phone is proven with the code the union's gateway carried.
	b.run("wait for code form", chromedp.WaitVisible(chromedp.CSS(`#code`)))
	b.run("type code", chromedp.SendKeys(chromedp.CSS(`#code`), s.sms.code(t, "+6281299990001")))
	b.shot("verify phone")
	b.submit("verify", `form button[type="submit"]`)
	if loc := b.location(); loc != "/profile" {
		b.shot("register failed")
		t.Fatalf("after registering: at %s: %s", loc, b.text("main"))
	}
	b.mustSee("profile", "Rina Wulandari")
	b.shot("profile")

	b.run("open filing", chromedp.Navigate(s.url("spn", "/cases/new")), chromedp.WaitVisible(chromedp.CSS(`#description`)))
	b.noHorizontalScroll("filing form")
	b.shot("filing form")
	desc := "Mandor memotong upah lembur kami selama tiga minggu tanpa penjelasan."
	b.run("fill filing",
		chromedp.Click(chromedp.CSS(`input[name="type"][value="complaint"]`)),
		chromedp.SendKeys(chromedp.CSS(`#description`), desc),
		chromedp.SendKeys(chromedp.CSS(`#title`), "Upah lembur dipotong"),
		chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{photo(t)}),
	)
	eval[string](b, `(function(){var s=document.querySelector('#workplace_id'); s.selectedIndex = s.options.length > 1 ? 1 : 0; return s.value})()`)
	b.shot("filing filled")
	b.submit("send case", `button[name="step"][value="submit"]`)
	b.mustSee("confirmation", "SPN-")
	if !referenceRE.MatchString(b.text("main")) {
		t.Fatalf("confirmation shows no reference: %s", b.text("main"))
	}
	if strings.Contains(b.text("main"), "tidak diterima") || eval[int](b, `document.querySelectorAll('.field-error').length`) != 0 {
		t.Fatalf("photo refused: %s", b.text("main"))
	}
	b.shot("confirmation")

	b.submit("view status", `main a.button[href^="/cases/"]`)
	// The photo is listed under its neutral name, never the one it was sent under.
	b.mustSee("case status", "Upah lembur dipotong", desc, "bukti-1.jpg")
	if strings.Contains(b.text("main"), "foto-lantai-produksi") {
		t.Error("the uploaded file name is shown")
	}
	b.noHorizontalScroll("case status")
	b.shot("case status")

	b.run("my cases", chromedp.Navigate(s.url("spn", "/cases")), chromedp.WaitVisible(chromedp.CSS(`main`)))
	b.mustSee("my cases", "Upah lembur dipotong")
	b.shot("my cases")
}

// TestAnonymousReceiptFlow: a reporter without an account files, notes the
// receipt code, comes back with it later and sends a message.
func TestAnonymousReceiptFlow(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t, phone)

	b.run("open filing", chromedp.Navigate(s.url("spn", "/cases/new")), chromedp.WaitVisible(chromedp.CSS(`#description`)))
	b.run("fill filing",
		chromedp.Click(chromedp.CSS(`input[name="type"][value="complaint"]`)),
		chromedp.SendKeys(chromedp.CSS(`#description`), "Pekerja perempuan di line 3 dibentak dan diancam tidak diperpanjang kontraknya."),
	)
	b.shot("anonymous filing filled")
	b.submit("send anonymous case", `button[name="step"][value="submit"]`)
	code := b.text(`.receipt-code strong`)
	if !regexp.MustCompile(`^\d{4}-\d{4}-\d{4}-\d{4}$`).MatchString(code) {
		t.Fatalf("receipt code %q", code)
	}
	noteReceipt(code)
	b.noHorizontalScroll("receipt shown")
	b.shot("receipt shown")

	// Later, in a fresh visit: the code is the only key.
	b.run("clear cookies", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.ClearBrowserCookies, cdp.Empty{})
		return err
	}))
	b.run("open receipt", chromedp.Navigate(s.url("spn", "/receipt")), chromedp.WaitVisible(chromedp.CSS(`#code`)))
	b.run("enter code", chromedp.SendKeys(chromedp.CSS(`#code`), code))
	b.shot("receipt entry")
	b.submit("look up receipt", `form button[type="submit"]`)
	b.mustSee("case by receipt", "dibentak")
	b.shot("case by receipt")

	msg := "Hari ini mandor mengulangi ancamannya di depan semua pekerja."
	b.run("write message", chromedp.SendKeys(chromedp.CSS(`#body`), msg))
	b.submit("send message", `form[action="/receipt/messages"] button[type="submit"]`)
	b.mustSee("message sent", msg)
	b.noHorizontalScroll("message sent")
	b.shot("message sent")
}

// TestFilingDraftSurvivesLostConnection: what a worker typed is still there
// after the connection drops mid-send, and gone once the case is filed.
func TestFilingDraftSurvivesLostConnection(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t, phone)
	desc := "Kami tidak diberi masker padahal debu kapas sangat tebal di ruang potong."

	b.run("open filing", chromedp.Navigate(s.url("spn", "/cases/new")), chromedp.WaitVisible(chromedp.CSS(`#description`)))
	b.run("type", chromedp.Click(chromedp.CSS(`input[name="type"][value="complaint"]`)),
		chromedp.SendKeys(chromedp.CSS(`#description`), desc))
	offline := func(off bool) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
				return err
			}
			var conds []*network.Conditions
			if off {
				conds = []*network.Conditions{{Offline: true}}
			}
			_, err := cdp.Call(ctx, tg, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: conds})
			return err
		})
	}
	b.run("lose connection", offline(true))
	b.submit("send while offline", `button[name="step"][value="submit"]`)
	b.shot("send failed offline")
	b.run("connection back", offline(false))

	b.run("reopen filing", chromedp.Navigate(s.url("spn", "/cases/new")), chromedp.WaitVisible(chromedp.CSS(`#description`)))
	b.run("wait for restore", chromedp.WaitVisible(chromedp.CSS(`p.notice[role="status"]`)))
	if got := eval[string](b, `document.querySelector('#description').value`); got != desc {
		t.Fatalf("draft not restored: %q", got)
	}
	if !eval[bool](b, `document.querySelector('input[name="type"][value="complaint"]').checked`) {
		t.Error("the type choice was not restored")
	}
	b.noHorizontalScroll("draft restored")
	b.shot("draft restored")

	b.submit("send again", `button[name="step"][value="submit"]`)
	if !referenceRE.MatchString(b.text("main")) {
		t.Fatalf("not filed: %s", b.text("main"))
	}
	b.shot("filed after reconnect")
	b.run("open filing again", chromedp.Navigate(s.url("spn", "/cases/new")), chromedp.WaitVisible(chromedp.CSS(`#description`)))
	if got := eval[string](b, `document.querySelector('#description').value`); got != "" {
		t.Errorf("draft kept after filing: %q", got)
	}
	if n := eval[int](b, `document.querySelectorAll('p.notice[role="status"]').length`); n != 0 {
		t.Error("restored notice shown after filing")
	}
	b.shot("fresh form after filing")
}

// TestFilingWorksWithoutJavaScript: the core action needs no script.
func TestFilingWorksWithoutJavaScript(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t, phone)
	b.run("disable scripts", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	b.run("open filing", chromedp.Navigate(s.url("spn", "/cases/new")), chromedp.WaitVisible(chromedp.CSS(`#description`)))
	b.run("fill", chromedp.Click(chromedp.CSS(`input[name="type"][value="aspiration"]`)),
		chromedp.SendKeys(chromedp.CSS(`#description`), "Kami mengusulkan ruang laktasi di gedung produksi B."))
	// Without scripts the submit marker cannot be set: wait for the page.
	b.run("send", chromedp.Click(chromedp.CSS(`button[name="step"][value="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.receipt-code`)))
	b.shot("filed without javascript")
}

// TestPagesAt200PercentZoom: at 200% a 360px phone lays pages out in 180
// CSS px; nothing may need sideways scrolling.
func TestPagesAt200PercentZoom(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t, viewport{180, 370})
	for _, p := range []struct{ name, path string }{
		{"home", "/"}, {"register", "/register"}, {"login", "/login"}, {"filing", "/cases/new"}, {"receipt", "/receipt"},
		{"home english", "/?lang=en"},
	} {
		b.run("open "+p.name, chromedp.Navigate(s.url("spn", p.path)), chromedp.WaitVisible(chromedp.CSS(`main`)))
		b.noHorizontalScroll(p.name)
		b.shot("zoom " + p.name)
	}
}

// TestEnglishOnRequest: Indonesian by default, English on request, and the
// choice sticks.
func TestEnglishOnRequest(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t, phone)
	b.run("open home", chromedp.Navigate(s.url("spn", "/")), chromedp.WaitVisible(chromedp.CSS(`main`)))
	if lang := eval[string](b, `document.documentElement.lang`); lang != "id" {
		t.Fatalf("default language %q", lang)
	}
	b.submit("switch language", `a.lang`)
	b.run("open filing", chromedp.Navigate(s.url("spn", "/cases/new")), chromedp.WaitVisible(chromedp.CSS(`main`)))
	if lang := eval[string](b, `document.documentElement.lang`); lang != "en" {
		t.Fatalf("language after switching %q", lang)
	}
	b.shot("filing in english")
}

// TestFilingRetriedAfterLostReplyFilesOnce: the server files the case but
// the reply never reaches the phone (a timeout on a patchy connection). The
// reporter opens the form again, finds the draft and sends it: one case,
// and the confirmation of that case.
func TestFilingRetriedAfterLostReplyFilesOnce(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t, phone)
	desc := "Gaji bulan ini dipotong untuk seragam yang seharusnya dibagikan gratis oleh perusahaan."

	b.run("open filing", chromedp.Navigate(s.url("spn", "/cases/new")), chromedp.WaitVisible(chromedp.CSS(`#description`)))
	b.run("type", chromedp.Click(chromedp.CSS(`input[name="type"][value="complaint"]`)),
		chromedp.SendKeys(chromedp.CSS(`#description`), desc))

	// Drop the answer to the form's POST after the server has handled it.
	paused := make(chan *fetch.EventRequestPaused, 8)
	if err := chromedp.Listen(b.ctx, func(ev any) {
		if e, ok := ev.(*fetch.EventRequestPaused); ok {
			paused <- e
		}
	}); err != nil {
		t.Fatal(err)
	}
	go func() {
		for e := range paused {
			if e.Request.Method == "POST" {
				_, _ = chromedp.Call(b.ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: e.RequestID, ErrorReason: network.ErrorReasonTimedOut})
			} else {
				_, _ = chromedp.Call(b.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: e.RequestID})
			}
		}
	}()
	t.Cleanup(func() { close(paused) })
	b.run("lose replies", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{
			{URLPattern: "*/cases/new", RequestStage: fetch.RequestStageResponse}}})
		return err
	}))
	b.submit("send, reply lost", `button[name="step"][value="submit"]`)
	b.shot("reply lost")
	b.run("replies back", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, fetch.Disable, cdp.Empty{})
		return err
	}))
	filed := func() (n int, ref string) {
		t.Helper()
		if err := s.db.Super.QueryRowContext(context.Background(),
			`SELECT count(*), coalesce(min(reference), '') FROM cases WHERE description = ?`, desc).Scan(&n, &ref); err != nil {
			t.Fatal(err)
		}
		return n, ref
	}
	if n, _ := filed(); n != 1 {
		t.Fatalf("the lost send filed %d cases, want 1 (the server got it)", n)
	}

	b.run("reopen filing", chromedp.Navigate(s.url("spn", "/cases/new")), chromedp.WaitVisible(chromedp.CSS(`#description`)))
	b.run("wait for restore", chromedp.WaitVisible(chromedp.CSS(`p.notice[role="status"]`)))
	b.shot("draft restored")
	b.submit("send again", `button[name="step"][value="submit"]`)
	n, ref := filed()
	if n != 1 {
		t.Fatalf("sending the draft again made %d cases, want 1", n)
	}
	b.mustSee("confirmation of the first send", ref)
	if code := b.text(`.receipt-code strong`); code == "" {
		t.Fatal("no receipt code on the replayed confirmation")
	} else {
		noteReceipt(code)
	}
	b.noHorizontalScroll("confirmation")
	b.shot("confirmation of the first send")
}
