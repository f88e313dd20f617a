package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestFederationAdminFindsTheAlarm: a worker on a cheap phone reports a
// threat to burn the barracks, anonymously, from SPN's home page and
// without naming a workplace, so the case sits at the union's root. The
// federation admin, on a phone too, signs in from the home page, sees the
// unread count on "Pemberitahuan" in the header, opens it, finds the
// urgent report's alarm on top and opens the case from it.
func TestFederationAdminFindsTheAlarm(t *testing.T) {
	const slug = "spn"
	s := startServer(t)
	a := newAxe(t)
	desc := "Mandor bilang barak kami akan dibakar kalau kami masih ikut rapat serikat minggu ini."

	w := journeyBrowser(t, true)
	w.run("open home", chromedp.Navigate(s.url(slug, "/")), chromedp.WaitVisible(chromedp.CSS(`main a[href="/cases/new"]`)))
	w.submit("new report", `main a[href="/cases/new"]`)
	w.run("write report", chromedp.SendKeys(chromedp.CSS(`#description`), desc))
	w.submit("send report", `button[name="step"][value="submit"]`)
	noteReceipt(w.text(`.receipt-code strong`))
	var id, ref, urgency string
	if err := s.db.Super.QueryRowContext(context.Background(), `SELECT c.id, c.reference, c.urgency FROM cases c
		JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = ? AND c.description = ?`, slug, desc).Scan(&id, &ref, &urgency); err != nil {
		t.Fatal(err)
	}
	if urgency != "critical" {
		t.Fatalf("the threat was filed as %q", urgency)
	}

	o := journeyBrowser(t, true)
	o.run("open home", chromedp.Navigate(s.url(slug, "/")), chromedp.WaitVisible(chromedp.CSS(`header a[href="/login"]`)))
	o.submit("to login", `header a[href="/login"]`)
	o.run("fill login", chromedp.SendKeys(chromedp.CSS(`#email`), "admin@spn.example"),
		chromedp.SendKeys(chromedp.CSS(`#password`), demoPassword))
	o.submit("sign in", `main form button[type="submit"]`)
	// Checked before it is read: a missing element would make the read wait out the test's time.
	if n := eval[int](o, `document.querySelectorAll('header a[href="/notifications"] .badge').length`); n != 1 {
		t.Fatal("no unread count on a notifications link in the officer's header")
	}
	if badge := o.text(`header a[href="/notifications"] .badge`); !regexp.MustCompile(`^\d+`).MatchString(badge) {
		t.Fatalf("no unread count on the officer's notifications link: %q", badge)
	}
	o.screen("officer signed in")
	o.submit("notifications", `header a[href="/notifications"]`)
	// Unread alarms come first; another test's may share the top.
	if first := o.text(`ul.notifications li`); !strings.Contains(first, "Laporan mendesak") {
		t.Fatalf("the first notification is %q, want an urgent report's alarm", first)
	}
	if n := eval[int](o, `document.querySelectorAll('ul.notifications li.unread a[href="/cases/`+id+`"]').length`); n != 1 {
		t.Fatalf("%d unread notifications link to the report %s", n, ref)
	}
	if alarm := o.text(`ul.notifications li.unread:has(a[href="/cases/` + id + `"])`); !strings.HasPrefix(alarm, "Baru") || !strings.Contains(alarm, "Laporan mendesak "+ref) {
		t.Fatalf("the report's alarm reads %q", alarm)
	}
	a.check(o, "officer notifications")
	o.noHorizontalScroll("officer notifications")
	o.screen("officer notifications")
	o.submit("open the alarm", `ul.notifications li a[href="/cases/`+id+`"]`)
	o.mustSee("case", "barak kami akan dibakar", ref)
	o.screen("case from the alarm")
}
