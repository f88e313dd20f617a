package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestAdminManagesTags: the federation admin reaches the tags page from the
// admin dashboard's navigation, adds a tag, is refused a malformed one with
// the reason on the page, and retires the tag; the page passes axe-core.
func TestAdminManagesTags(t *testing.T) {
	s := startServer(t)
	a := newAxe(t)
	b := newBrowser(t, laptop)
	b.login(s, "spn", "email", "admin@spn.example")
	b.run("open dashboard", chromedp.Navigate(s.url("spn", "/admin/dashboard")), chromedp.WaitVisible(chromedp.CSS(`h1`)))
	b.submit("open tags", `nav a[href="/admin/tags"]`)
	b.mustSee("tags page", "Tag aktif", "lembur_tidak_dibayar")
	a.check(b, "tags page")

	b.run("fill bad tag",
		chromedp.SendKeys(chromedp.CSS(`#tag-slug`), "Lembur Paksa!"),
		chromedp.SendKeys(chromedp.CSS(`#tag-name-en`), "Forced overtime"),
	)
	b.submit("add bad tag", `form[action="/admin/tags"] button.primary`)
	b.mustSee("bad tag refused", "Gunakan 2 sampai 40 huruf kecil", "Wajib diisi")
	b.shotOf("bad tag refused", "main")

	eval[string](b, `document.querySelector('#tag-slug').value = ""`) // the refused slug, kept by the form
	b.run("fill tag",
		chromedp.SendKeys(chromedp.CSS(`#tag-slug`), "lembur_paksa"),
		chromedp.SendKeys(chromedp.CSS(`#tag-name-id`), "Lembur paksa"),
	)
	b.submit("add tag", `form[action="/admin/tags"] button.primary`)
	b.mustSee("tag added", "Tag ditambahkan.", "Lembur paksa")
	b.submit("retire tag", `form[action="/admin/tags/retire"]:has(input[value="lembur_paksa"]) button`)
	b.mustSee("tag retired", "Tag dipensiunkan.")
	if got := b.text(`section[aria-labelledby="tags-retired"]`); !strings.Contains(got, "lembur_paksa") {
		t.Errorf("retired list: %q", got)
	}
	b.shotOf("tag retired", "main")
}
