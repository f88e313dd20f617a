package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrandDirectoryAndView: a federation admin reaches the brand
// directory from the admin pages and adds a brand as it is written; the
// directory shows it under its normalised name. An ILO analyst reaches the
// view by brand from the console.
func TestBrandDirectoryAndView(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t, laptop)
	b.login(s, "spn", "email", "admin@spn.example")
	b.submit("open categories", `a[href="/admin/categories"]`)
	b.submit("open brands", `a[href="/admin/brands"]`)
	b.mustSee("brands page", "Merek", "Berbagi berkas kasus dengan merek")
	b.run("fill brand", chromedp.SendKeys(chromedp.CSS(`#brand-name`), "H&M"))
	b.submit("add brand", `form[action="/admin/brands"] button.primary`)
	if n := eval[int](b, `document.querySelectorAll('.field-error').length`); n != 0 {
		t.Fatalf("brand refused: %s", b.text("main"))
	}
	b.mustSee("brand added", "Merek ditambahkan.", "h-and-m")
	b.noHorizontalScroll("brands")
	b.shot("brands")

	a := newBrowser(t, laptop)
	a.login(s, "", "email", "ilo@platform.example")
	a.submit("open console", `a[href="/console"]`)
	a.submit("open brand view", `nav.console-nav a[href="/console/brands"]`)
	a.mustSee("brand view", "Per merek")
	a.submit("show", `form.console-form button[type="submit"]`)
	a.mustSee("brand view shown", "Per merek")
	a.shot("brand view")
}
