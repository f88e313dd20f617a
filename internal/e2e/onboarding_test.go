package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
)

// choose picks the option of the select sel whose text contains text, as
// a person picks from a list, and fails when there is none.
func (b *browser) choose(sel, text string) {
	b.t.Helper()
	v := eval[string](b, `(function(){var s=document.querySelector('`+sel+`'); if(!s) return '';
		for (var i = 0; i < s.options.length; i++) { if (s.options[i].text.indexOf(`+"`"+text+"`"+`) >= 0) { s.selectedIndex = i; return s.value } }
		return ''})()`)
	if v == "" {
		b.shot("no-option")
		b.t.Fatalf("%s has no option %q", sel, text)
	}
}

// acceptInvite opens an invite link as the invited person would from
// their mail (the one typed URL of the flow) and sets a name and password.
// The union requires two-step verification of its staff: the new account
// lands on the enrolment page, and nothing else opens until it is done.
func (b *browser) acceptInvite(link, name, password string) {
	b.t.Helper()
	b.run("open invite", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(`#name`)))
	b.shot("invite")
	b.run("fill invite", chromedp.SendKeys(chromedp.CSS(`#name`), name), chromedp.SendKeys(chromedp.CSS(`#password`), password))
	b.submit("accept invite", `form button[type="submit"]`)
	if loc := b.location(); loc != "/2fa" {
		b.shot("invite refused")
		b.t.Fatalf("after accepting the invite: at %s, want the 2FA enrolment: %s", loc, b.text("main"))
	}
	b.mustSee("2fa owed", "wajib memakai verifikasi 2 langkah")
}

// enrolTwoFactor turns two-step verification on by clicking, as a person
// with an authenticator app would: start, read the secret the page shows,
// type the app's current code (computed here with the library the server
// checks it with), confirm.
func (b *browser) enrolTwoFactor() {
	b.t.Helper()
	b.submit("start 2fa", `form[action="/2fa/start"] button[type="submit"]`)
	secret := strings.TrimSpace(b.text("#secret-text"))
	if len(secret) < 16 {
		b.shot("no secret")
		b.t.Fatalf("the enrolment page shows no secret: %s", b.text("main"))
	}
	b.shotOf("2fa secret", "#code")
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		b.t.Fatal(err)
	}
	b.run("type code", chromedp.SendKeys(chromedp.CSS(`#code`), code))
	b.submit("confirm 2fa", `form[action="/2fa/confirm"] button[type="submit"]`)
	if loc := b.location(); loc != "/profile" {
		b.shot("2fa refused")
		b.t.Fatalf("after confirming 2FA: at %s: %s", loc, b.text("main"))
	}
	b.mustSee("2fa on", "Aktif")
}

// loginFromHome signs in from the host's home page: the sign-in link, then
// the form.
func (b *browser) loginFromHome(s *server, slug, field, id string) {
	b.t.Helper()
	b.run("open home", chromedp.Navigate(s.url(slug, "/")), chromedp.WaitVisible(chromedp.CSS(`a[href="/login"]`)))
	b.submit("open login", `a[href="/login"]`)
	b.run("fill login",
		chromedp.SendKeys(chromedp.CSS(`input[name="`+field+`"]`), id),
		chromedp.SendKeys(chromedp.CSS(`#password`), demoPassword),
	)
	b.submit("sign in", `form button[type="submit"]`)
}

// TestPlatformAdminOnboardsUnion is issue 20's day one, every step by
// clicking: a platform admin creates a union in the console; its first
// federation admin accepts the mailed invite, invites a branch officer
// (who accepts theirs), sets a routing rule and an SMS gateway and sends a
// test message; a worker files on the new subdomain; the officer resolves
// the case. The platform admin makes two-step verification mandatory for
// the union's staff: the federation admin and the officer each enrol by
// clicking (the code computed from the secret the page shows) before
// anything else opens for them.
func TestPlatformAdminOnboardsUnion(t *testing.T) {
	s := startServer(t)
	const (
		slug     = "sbsi"
		appName  = "Lapor SBSI"
		fedEmail = "ketua@sbsi.example"
		offEmail = "petugas@sbsi.example"
		pw       = "serikat-kuat-2026"
	)

	root := newBrowser(t, laptop)
	root.loginFromHome(s, "", "email", "root@platform.example")
	root.submit("open console", `a[href="/console"]`)
	root.submit("open unions", `a[href="/console/unions"]`)
	root.shot("unions")
	root.run("fill new union",
		chromedp.SendKeys(chromedp.CSS(`#u-slug`), slug),
		chromedp.SendKeys(chromedp.CSS(`#u-name`), "Serikat Buruh Sejahtera Indonesia"),
		chromedp.SendKeys(chromedp.CSS(`#u-app`), appName),
		chromedp.Click(chromedp.CSS(`input[name="sectors"][value="garment"]`)),
		chromedp.SendKeys(chromedp.CSS(`#u-primary`), "#0d47a1"),
		chromedp.SendKeys(chromedp.CSS(`#u-onprimary`), "#ffffff"),
		chromedp.SendKeys(chromedp.CSS(`#u-accent`), "#ff8f00"),
		chromedp.SendKeys(chromedp.CSS(`#u-bg`), "#ffffff"),
		chromedp.SendKeys(chromedp.CSS(`#u-text`), "#1a1a1a"),
		chromedp.SendKeys(chromedp.CSS(`#u-admin`), fedEmail),
	)
	root.choose("#u-2fa", "Wajib")
	root.shotOf("new union filled", "#u-admin")
	root.submit("create union", `form[action="/console/unions"] button[type="submit"]`)
	root.mustSee("union created", "sbsi", "Undangan terkirim lewat email")
	root.shot("union created")

	// The first federation admin: the invite arrived by mail.
	fed := newBrowser(t, laptop)
	fed.acceptInvite(s.mail.inviteLink(t, fedEmail), "Ketua SBSI", pw)
	fed.enrolTwoFactor()
	fed.mustSee("fed profile", "Ketua SBSI")
	fed.submit("open staff", `a[href="/staff"]`)
	fed.submit("open team", `a[href="/admin/team"]`)
	// The union's rule, as the console set it, on its own security page.
	fed.submit("open people", `a[href="/admin/people"]`)
	fed.submit("open security", `a[href="/admin/security"]`)
	fed.mustSee("2fa required", "pengurus wajib memakai verifikasi dua langkah", "Pilihan serikat Anda sendiri")
	fed.submit("back to team", `a[href="/admin/team"]`)
	fed.run("fill officer invite", chromedp.SendKeys(chromedp.CSS(`#inv-email`), offEmail))
	fed.choose("#inv-role", "Petugas")
	fed.shotOf("officer invite", "#inv-email")
	fed.submit("send officer invite", `form[action="/admin/team/invites"] button[type="submit"]`)
	fed.mustSee("officer invited", "Undangan dibuat", "Sudah terkirim", offEmail)
	fed.shot("officer invited")

	off := newBrowser(t, laptop)
	off.acceptInvite(s.mail.inviteLink(t, offEmail), "Petugas SBSI", pw)
	off.enrolTwoFactor()

	// Routing: wage cases go to the new officer.
	fed.submit("reload team", `a[href="/admin/team"]`)
	fed.submit("open routing", `a[href="/admin/routing"]`)
	fed.choose("#r-cat", "Upah")
	fed.choose("#r-officer", "Petugas SBSI")
	fed.shotOf("routing rule", "#r-officer")
	fed.submit("add routing rule", `form[action="/admin/routing/rules"] button[type="submit"]`)
	fed.mustSee("rule added", "Aturan ditambahkan", "Petugas SBSI")

	// The SMS gateway (the operator allow-listed its internal address), and
	// a test message that says in words that it went.
	fed.submit("open channels", `a[href="/admin/channels"]`)
	fed.run("fill gateway",
		chromedp.Click(chromedp.CSS(`input[name="sms_enabled"]`)),
		chromedp.SendKeys(chromedp.CSS(`#ch-gw`), s.gateway.srv.URL+"/sms"),
		chromedp.SendKeys(chromedp.CSS(`#ch-tok`), "rahasia-gateway"),
	)
	fed.submit("save channels", `form[action="/admin/channels"] button[type="submit"]`)
	if n := eval[int](fed, `document.querySelectorAll('.field-error').length`); n != 0 {
		fed.shot("channels refused")
		t.Fatalf("channels refused: %s", fed.text("main"))
	}
	before := s.gateway.count()
	fed.choose("#t-ch", "SMS")
	fed.run("fill test", chromedp.SendKeys(chromedp.CSS(`#t-to`), "081277700009"))
	fed.submit("send test message", `form[action="/admin/channels/test"] button[type="submit"]`)
	fed.mustSee("test sent", "Pesan uji terkirim")
	fed.shot("test message")
	if s.gateway.count() != before+1 {
		t.Fatalf("the gateway got %d messages, want 1", s.gateway.count()-before)
	}

	// A worker files on the new subdomain.
	w := newBrowser(t, phone)
	w.run("open union home", chromedp.Navigate(s.url(slug, "/")), chromedp.WaitVisible(chromedp.CSS(`a[href="/cases/new"]`)))
	w.mustSee("union home", appName)
	w.shot("union home")
	w.submit("open filing", `a[href="/cases/new"]`)
	w.run("fill filing",
		chromedp.Click(chromedp.CSS(`input[name="type"][value="complaint"]`)),
		chromedp.SendKeys(chromedp.CSS(`#title`), "Upah di bawah UMK"),
		chromedp.SendKeys(chromedp.CSS(`#description`), "Upah kami dibayar di bawah upah minimum kabupaten sejak awal tahun dan lembur tidak dibayar."),
	)
	w.submit("send case", `button[name="step"][value="submit"]`)
	w.mustSee("filed", "SBSI-")
	w.shot("filed")

	// The officer resolves it.
	off.submit("open queue", `a[href="/staff/queue"]`)
	off.mustSee("queue", "Upah di bawah UMK")
	off.submit("open case", `ul.queue a[href^="/cases/"]`)
	for _, tr := range []struct{ name, want string }{{"verify", "Diverifikasi"}, {"start", "Sedang ditangani"}, {"resolve", "Selesai"}} {
		off.submit(tr.name, `form[action$="/transitions"] input[value="`+tr.name+`"] ~ button`)
		off.mustSee(tr.name, tr.want)
	}
	off.shotOf("resolved", "h1")

	var status string
	if err := s.db.Super.QueryRowContext(context.Background(),
		`SELECT c.status FROM cases c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = ? AND c.title = 'Upah di bawah UMK'`, slug).Scan(&status); err != nil {
		t.Fatal(err)
	}
	if status != "resolved" {
		t.Fatalf("case status %s", status)
	}
}
