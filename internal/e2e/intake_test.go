package e2e

import (
	"context"
	"regexp"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestOfficerFilesForWalkInWorker: a worker comes to the union office. The
// unit officer (laptop) opens "file for a worker" from their page, records
// the story, the worker's choice (anonymous) and consent, and hands over
// the receipt code; the worker (phone) then follows the case with it from
// the union's home page.
func TestOfficerFilesForWalkInWorker(t *testing.T) {
	s := startServer(t)
	const story = "Pekerja datang ke kantor: THR tahun ini belum dibayar dan mandor bilang tidak akan dibayar."
	var code string
	t.Run("officer", func(t *testing.T) {
		b := newBrowser(t, laptop)
		b.login(s, "spn", "email", "officer@spn.example")
		b.submit("open assisted intake", `a[href="/staff/intake"]`)
		b.mustSee("assisted intake form", "Catat laporan untuk pekerja")
		b.run("fill assisted intake",
			chromedp.Click(chromedp.CSS(`input[name="type"][value="complaint"]`)),
			chromedp.SendKeys(chromedp.CSS(`#description`), story),
			chromedp.Click(chromedp.CSS(`input[name="safety_mode"][value="anonymous"]`)),
			chromedp.Click(chromedp.CSS(`input[name="consent"]`)),
		)
		// the worker's workplace, chosen as a person would from the list
		if wp := eval[string](b, `(() => { const s = document.querySelector('#workplace_id');
			const o = [...s.options].find(o => o.textContent.includes('Maju Jaya')); s.value = o.value; return o.value; })()`); wp == "" {
			t.Fatal("workplace not in the list")
		}
		b.shot("assisted intake filled")
		b.submit("file for the worker", `form[action="/staff/intake"] button[type="submit"]`)
		code = b.text(`.receipt-code strong`)
		if !regexp.MustCompile(`^\d{4}-\d{4}-\d{4}-\d{4}$`).MatchString(code) {
			t.Fatalf("receipt code %q", code)
		}
		b.mustSee("handover", "serahkan kepada pekerja")
		b.shot("receipt to hand over")
	})
	if code == "" {
		t.Fatal("no receipt handed over")
	}
	t.Run("worker", func(t *testing.T) {
		b := newBrowser(t, phone)
		b.run("clear cookies", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, network.ClearBrowserCookies, cdp.Empty{})
			return err
		}))
		b.run("open home", chromedp.Navigate(s.url("spn", "/")), chromedp.WaitVisible(chromedp.CSS(`a[href="/receipt"]`)))
		b.submit("open receipt", `a[href="/receipt"]`)
		b.run("enter code", chromedp.SendKeys(chromedp.CSS(`#code`), code))
		b.submit("look up receipt", `form button[type="submit"]`)
		b.mustSee("case by receipt", "THR tahun ini belum dibayar")
		b.shot("worker follows the case")
	})
}
