package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/app"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/db/pgtest"
	"github.com/suara-id/suara/internal/logtest"
	"github.com/suara-id/suara/internal/netguard"
	"github.com/suara-id/suara/internal/notify"
	"github.com/suara-id/suara/internal/notify/notifytest"
	"github.com/suara-id/suara/internal/tenant"
	"github.com/suara-id/suara/internal/tenant/tenanttest"
)

// fx is one test's platform: a fresh database with the seed manifests and
// demo accounts, the production case service, and a notification service
// whose clock and channels the test controls.
type fx struct {
	t        *testing.T
	ctx      context.Context
	tdb      *pgtest.DB
	cases    *cases.Service
	ns       *notify.Service
	smtp     *notifytest.SMTP
	gw       *fakeGateway
	logs     *logtest.Buffer
	tenantID uuid.UUID
	now      time.Time

	worker, officer, branchAdmin *auth.Principal
	workerPhone, officerEmail    string
	branchEmail                  string
	workplaceID                  uuid.UUID
}

var wib = time.FixedZone("WIB", 7*3600)

func setup(t *testing.T) *fx {
	t.Helper()
	ctx := context.Background()
	tdb := pgtest.New(t)
	cfg, err := config.Load("")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Paths.Data = t.TempDir()
	cfg.Classify.Ollama.Enabled = false
	tenanttest.Seed(t, tdb)
	logs := &logtest.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	pf, err := app.NewServer(ctx, cfg, log, tdb.App)
	if err != nil {
		t.Fatal(err)
	}
	seedCfg := *cfg
	seedCfg.Database.URL = tdb.AppURL
	if err := app.SeedDemo(ctx, &seedCfg, log, io.Discard); err != nil {
		t.Fatalf("seed demo: %v", err)
	}
	f := &fx{t: t, ctx: ctx, tdb: tdb, cases: pf.Cases, smtp: notifytest.NewSMTP(t), gw: newFakeGateway(t), logs: logs,
		now: time.Date(2026, 3, 10, 10, 0, 0, 0, wib)}
	f.ns = notify.New(tdb.App, notify.Options{
		BaseURL: func(slug string) string { return "https://" + slug + ".suara.test" },
		SMTP:    notify.SMTPConfig{Host: "127.0.0.1", Port: f.smtp.Port(), From: "noreply@suara.test", Timeout: 5 * time.Second},
		Log:     log,
		// The fake gateway listens on loopback: the operator allow-lists it.
		Guard:         &netguard.Policy{AllowHosts: []string{strings.TrimPrefix(f.gw.srv.URL, "http://")}},
		SenderDomains: []string{"spn=spn.example"},
	})
	f.ns.Now = func() time.Time { return f.now }
	// The test's service takes the hook the production wiring installed.
	f.cases.OnEvent = f.ns.OnEvent
	f.cases.OnFiled = nil

	f.super("SELECT id FROM tenants WHERE slug = 'spn'", &f.tenantID)
	user := func(where string, arg any, kind string) *auth.Principal {
		var id uuid.UUID
		f.super("SELECT id FROM users WHERE tenant_id = ? AND "+where, &id, f.tenantID, arg)
		return &auth.Principal{UserID: id, TenantID: f.tenantID, Kind: kind}
	}
	f.worker = user("phone = ?", "+6281200000001", "worker")
	f.officer = user("email = ?", "officer@spn.example", "staff")
	f.branchAdmin = user("email = ?", "branch@spn.example", "staff")
	f.workerPhone, f.officerEmail, f.branchEmail = "+6281200000001", "officer@spn.example", "branch@spn.example"
	f.super(`SELECT w.id FROM branches b JOIN workplaces w ON w.tenant_id = b.tenant_id AND w.id = b.workplace_id
		WHERE b.tenant_id = ? AND b.path = 'spn/jabar/bekasi/puk-maju-jaya'`, &f.workplaceID, f.tenantID)
	f.exec(`INSERT INTO notify_settings (tenant_id, email_enabled, sms_enabled, whatsapp_enabled, sender_name,
		sender_email, gateway_url, gateway_token) VALUES (?, true, true, true, 'SPN', 'kabar@spn.example', ?, 'gw-secret')`,
		f.tenantID, f.gw.srv.URL)
	return f
}

func (f *fx) super(q string, dest any, args ...any) {
	f.t.Helper()
	if err := f.tdb.Super.QueryRowContext(f.ctx, q, args...).Scan(dest); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
}

func (f *fx) exec(q string, args ...any) {
	f.t.Helper()
	if _, err := f.tdb.Super.ExecContext(f.ctx, q, args...); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
}

// pending lists the outside-channel rows still to deliver.
func (f *fx) pending() []uuid.UUID {
	f.t.Helper()
	rows, err := f.tdb.Super.QueryContext(f.ctx, "SELECT id FROM outbox WHERE status = 'pending' AND channel <> 'in_app' ORDER BY created_at, id")
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var ids []uuid.UUID
	for rows.Next() {
		var id uuid.UUID
		if err := rows.Scan(&id); err != nil {
			f.t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// deliverAll runs one delivery attempt for every pending row.
func (f *fx) deliverAll() {
	f.t.Helper()
	for _, id := range f.pending() {
		if err := f.ns.Deliver(f.ctx, f.tenantID, id, false); err != nil {
			f.t.Fatalf("deliver %s: %v", id, err)
		}
	}
}

// counts is what the fakes received, per "channel to".
func (f *fx) counts() map[string]int {
	out := map[string]int{}
	for _, m := range f.smtp.Sent() {
		out["email "+m.To]++
	}
	for _, m := range f.gw.sent() {
		out[m.Channel+" "+m.To]++
	}
	return out
}

func diff(before, after map[string]int) map[string]int {
	d := map[string]int{}
	for k, v := range after {
		if n := v - before[k]; n != 0 {
			d[k] = n
		}
	}
	return d
}

func (f *fx) file(desc string) uuid.UUID {
	f.t.Helper()
	var tn tenant.Tenant
	if err := f.tdb.Super.NewSelect().Model(&tn).Where("id = ?", f.tenantID).Scan(f.ctx); err != nil {
		f.t.Fatal(err)
	}
	out, err := f.cases.File(f.ctx, &tn, f.worker, cases.Filing{Type: "complaint", Description: desc,
		WorkplaceID: f.workplaceID.String(), SafetyMode: "named"})
	if err != nil {
		f.t.Fatalf("file: %v", err)
	}
	return out.ID
}

func (f *fx) transition(p *auth.Principal, id uuid.UUID, tr, reason string) {
	f.t.Helper()
	if _, err := f.cases.Transition(f.ctx, f.tenantID, p, id, cases.TransitionInput{Transition: tr, Reason: reason}); err != nil {
		f.t.Fatalf("%s: %v", tr, err)
	}
}

// emitInternal writes a hook call as a job would (for kinds whose jobs need
// days of clock to fire, like escalation).
func (f *fx) emit(caseID uuid.UUID, kind, visibility string, payload map[string]any) {
	f.t.Helper()
	b, _ := json.Marshal(payload)
	err := db.InTenantTx(f.ctx, f.tdb.App, f.tenantID, func(ctx context.Context, tx bun.Tx) error {
		return f.ns.OnEvent(ctx, tx, &cases.Case{TenantID: f.tenantID, ID: caseID}, kind, visibility, b)
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

// Each trigger sends exactly one message per recipient and channel: the
// reporter (SMS and, after opting in, WhatsApp) on every staff update, the
// handler (email) on assignment, messages, the reporter's answer and a low
// rating, branch admins on escalation.
func TestEachTriggerSendsOnePerRecipientAndChannel(t *testing.T) {
	f := setup(t)
	if _, err := f.ns.SetPreferences(f.ctx, f.tenantID, f.worker, notify.PreferencesInput{WhatsApp: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	reporter := map[string]int{"sms " + f.workerPhone: 1, "whatsapp " + f.workerPhone: 1}
	handler := map[string]int{"email " + f.officerEmail: 1}
	var id uuid.UUID
	steps := []struct {
		name string
		do   func()
		want map[string]int
	}{
		{"file", func() { id = f.file("Upah lembur kami tidak dibayar sejak tiga bulan.") }, map[string]int{}},
		{"assign", func() {
			if _, err := f.cases.Assign(f.ctx, f.tenantID, f.branchAdmin, id, cases.AssignInput{OfficerID: f.officer.UserID.String()}); err != nil {
				t.Fatal(err)
			}
		}, handler},
		{"verify", func() { f.transition(f.officer, id, "verify", "") }, reporter},
		{"request_info", func() { f.transition(f.officer, id, "request_info", "Kapan mulai?") }, reporter},
		{"reporter message", func() {
			if _, err := f.cases.AddMessage(f.ctx, f.tenantID, f.worker, id, "Sejak Januari."); err != nil {
				t.Fatal(err)
			}
		}, handler},
		{"provide_info", func() { f.transition(f.worker, id, "provide_info", "") }, handler},
		{"start", func() { f.transition(f.officer, id, "start", "") }, reporter},
		{"staff message", func() {
			if _, err := f.cases.AddMessage(f.ctx, f.tenantID, f.officer, id, "Kami sedang menghubungi perusahaan."); err != nil {
				t.Fatal(err)
			}
		}, reporter},
		{"deadline approaching", func() {
			f.emit(id, cases.EventDeadlineApproaching, cases.VisibilityInternal, map[string]any{"by": "system", "due": "2026-01-14T16:59:59Z"})
		}, handler},
		{"internal note", func() {
			if _, err := f.cases.AddNote(f.ctx, f.tenantID, f.officer, id, "catatan internal"); err != nil {
				t.Fatal(err)
			}
		}, map[string]int{}},
		{"resolve", func() { f.transition(f.officer, id, "resolve", "") }, reporter},
		{"low rating", func() {
			if _, err := f.cases.Rate(f.ctx, f.tenantID, f.worker, id, cases.RatingInput{Handling: 1, Outcome: 2}); err != nil {
				t.Fatal(err)
			}
		}, handler},
		{"check-in", func() {
			f.exec("INSERT INTO case_checkins (tenant_id, case_id, n, due_at) VALUES (?, ?, 1, now())", f.tenantID, id)
			if err := f.cases.AskCheckin(f.ctx, f.tenantID, id, 1); err != nil {
				t.Fatal(err)
			}
		}, reporter},
		{"escalation", func() {
			f.emit(id, cases.EventEscalated, cases.VisibilityInternal, map[string]any{"by": "system", "to_branch": "spn/jabar/bekasi"})
		}, map[string]int{"email " + f.branchEmail: 1}},
	}
	for _, s := range steps {
		before := f.counts()
		s.do()
		f.deliverAll()
		got := diff(before, f.counts())
		if fmt.Sprint(got) != fmt.Sprint(s.want) {
			t.Errorf("%s: sent %v, want %v", s.name, got, s.want)
		}
	}
	// The reporter also has every update in the app, and the gateway got
	// the tenant's token.
	items, err := f.ns.Inbox(f.ctx, f.tenantID, f.worker, "id", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 6 {
		t.Errorf("reporter has %d in-app notifications, want 6", len(items))
	}
	for _, a := range f.gw.auth {
		if a != "Bearer gw-secret" {
			t.Fatalf("gateway authorization %q", a)
		}
	}
	if n := len(f.pending()); n != 0 {
		t.Errorf("%d rows still pending", n)
	}
}

func ptr[T any](v T) *T { return &v }

// A gateway failing three times then accepting delivers exactly once, and
// the row records four attempts; running the job again sends nothing.
func TestGatewayRetryDeliversOnce(t *testing.T) {
	f := setup(t)
	f.gw.failFirst = 3
	id := f.file("Upah lembur kami tidak dibayar sejak tiga bulan.")
	f.transition(f.officer, id, "verify", "")
	rows := f.pending()
	if len(rows) != 1 {
		t.Fatalf("%d pending rows, want 1 (SMS)", len(rows))
	}
	for i := 1; i <= 3; i++ {
		if err := f.ns.Deliver(f.ctx, f.tenantID, rows[0], false); err == nil {
			t.Fatalf("attempt %d: no error from a failing gateway", i)
		}
	}
	for range 2 {
		if err := f.ns.Deliver(f.ctx, f.tenantID, rows[0], false); err != nil {
			t.Fatalf("delivery after recovery: %v", err)
		}
	}
	if n := len(f.gw.sent()); n != 1 {
		t.Fatalf("gateway accepted %d messages, want 1", n)
	}
	var status, lastErr string
	var attempts int
	var delivered *time.Time
	if err := f.tdb.Super.QueryRowContext(f.ctx, "SELECT status, attempts, last_error, delivered_at FROM outbox WHERE id = ?", rows[0]).
		Scan(&status, &attempts, &lastErr, &delivered); err != nil {
		t.Fatal(err)
	}
	if status != notify.StatusDelivered || attempts != 4 || delivered == nil || lastErr != "" {
		t.Fatalf("row: status %s attempts %d delivered %v last error %q", status, attempts, delivered, lastErr)
	}
}

// A gateway that always fails: the last attempt marks the row failed with
// its error, and the case goes on as if nothing happened.
func TestAlwaysFailingGatewayLeavesCaseUsable(t *testing.T) {
	f := setup(t)
	f.gw.failFirst = -1
	id := f.file("Upah lembur kami tidak dibayar sejak tiga bulan.")
	f.transition(f.officer, id, "verify", "")
	row := f.pending()[0]
	for i := 1; i <= 3; i++ {
		if err := f.ns.Deliver(f.ctx, f.tenantID, row, i == 3); err == nil {
			t.Fatal("no error from a failing gateway")
		}
	}
	var status, lastErr string
	f.super("SELECT status FROM outbox WHERE id = '"+row.String()+"'", &status)
	f.super("SELECT last_error FROM outbox WHERE id = '"+row.String()+"'", &lastErr)
	if status != notify.StatusFailed || !strings.Contains(lastErr, "502") {
		t.Fatalf("after the last attempt: status %s, last error %q", status, lastErr)
	}
	// A failed row is final: no more attempts.
	if err := f.ns.Deliver(f.ctx, f.tenantID, row, true); err != nil {
		t.Fatal(err)
	}
	f.transition(f.officer, id, "start", "")
	if _, err := f.cases.AddMessage(f.ctx, f.tenantID, f.worker, id, "Terima kasih."); err != nil {
		t.Fatal(err)
	}
	if _, err := f.cases.VerifyTimeline(f.ctx, f.tenantID, id); err != nil {
		t.Fatal(err)
	}
}

// A unique string planted in every case field — and in the workplace,
// company and category names — never appears in an outgoing message.
func TestNoCaseTextInOutgoingMessages(t *testing.T) {
	f := setup(t)
	const plant = "ZQXPLANT"
	if _, err := f.ns.SetPreferences(f.ctx, f.tenantID, f.worker, notify.PreferencesInput{WhatsApp: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	f.exec("UPDATE workplaces SET name = name || ' "+plant+"W', company = company || ' "+plant+"C' WHERE id = ?", f.workplaceID)
	f.exec("UPDATE categories SET name_id = name_id || ' "+plant+"K', name_en = name_en || ' "+plant+"K' WHERE tenant_id = ?", f.tenantID)
	var cat uuid.UUID
	f.super("SELECT id FROM categories WHERE tenant_id = ? ORDER BY slug LIMIT 1", &cat, f.tenantID)
	var tn tenant.Tenant
	if err := f.tdb.Super.NewSelect().Model(&tn).Where("id = ?", f.tenantID).Scan(f.ctx); err != nil {
		t.Fatal(err)
	}
	out, err := f.cases.File(f.ctx, &tn, f.worker, cases.Filing{Type: "complaint", Title: plant + " title",
		Description: plant + " description of what happened", WorkplaceID: f.workplaceID.String(),
		CategoryID: cat.String(), IncidentDate: "2026-01-02", SafetyMode: "named", AffectedCount: 7})
	if err != nil {
		t.Fatal(err)
	}
	id := out.ID
	if _, err := f.cases.Assign(f.ctx, f.tenantID, f.branchAdmin, id, cases.AssignInput{OfficerID: f.officer.UserID.String()}); err != nil {
		t.Fatal(err)
	}
	f.transition(f.officer, id, "verify", "")
	f.transition(f.officer, id, "request_info", plant+" reason")
	if _, err := f.cases.AddMessage(f.ctx, f.tenantID, f.worker, id, plant+" reporter message"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.cases.AddMessage(f.ctx, f.tenantID, f.officer, id, plant+" staff message"); err != nil {
		t.Fatal(err)
	}
	f.deliverAll()
	all := append(f.gw.bodies(), func() []string {
		var s []string
		for _, m := range f.smtp.Sent() {
			s = append(s, m.Data)
		}
		return s
	}()...)
	if len(f.smtp.Sent()) < 2 || len(f.gw.sent()) < 4 {
		t.Fatalf("too few messages to check: %d emails, %d gateway", len(f.smtp.Sent()), len(f.gw.sent()))
	}
	for _, body := range all {
		if strings.Contains(body, plant) {
			t.Fatalf("planted text in an outgoing message: %s", body)
		}
		if !strings.Contains(body, out.Reference) {
			t.Fatalf("message without the reference: %s", body)
		}
	}
	// The mail is the lock-screen-safe sentence and a link.
	if m := f.gw.sent()[0]; !strings.HasPrefix(m.Body, "Ada kabar baru tentang laporan Anda "+out.Reference) ||
		!strings.Contains(m.Body, "https://spn.suara.test/cases/"+id.String()) {
		t.Fatalf("gateway body %q", m.Body)
	}
}

// Quiet hours hold outside messages until 06:00 Jakarta time, except for
// critical cases; in-app notifications are written at once.
func TestQuietHoursWithFixedClock(t *testing.T) {
	f := setup(t)
	id := f.file("Upah lembur kami tidak dibayar sejak tiga bulan.")
	f.now = time.Date(2026, 3, 10, 22, 0, 0, 0, wib)
	f.transition(f.officer, id, "verify", "")
	rows := f.pending()
	if len(rows) != 1 {
		t.Fatalf("%d pending rows, want 1", len(rows))
	}
	var notBefore time.Time
	f.super("SELECT not_before FROM outbox WHERE id = '"+rows[0].String()+"'", &notBefore)
	if want := time.Date(2026, 3, 11, 6, 0, 0, 0, wib); !notBefore.Equal(want) {
		t.Fatalf("not_before %s, want %s", notBefore, want)
	}
	f.now = time.Date(2026, 3, 11, 2, 30, 0, 0, wib)
	var d *notify.DeferredError
	if err := f.ns.Deliver(f.ctx, f.tenantID, rows[0], false); !errors.As(err, &d) {
		t.Fatalf("delivery in quiet hours: %v", err)
	}
	if len(f.gw.sent()) != 0 {
		t.Fatal("a message went out in quiet hours")
	}
	f.now = time.Date(2026, 3, 11, 6, 1, 0, 0, wib)
	f.deliverAll()
	if len(f.gw.sent()) != 1 {
		t.Fatalf("after quiet hours: %d messages, want 1", len(f.gw.sent()))
	}
	// A critical case is not held.
	f.exec("UPDATE cases SET urgency = 'critical' WHERE id = ?", id)
	f.now = time.Date(2026, 3, 11, 23, 0, 0, 0, wib)
	f.transition(f.officer, id, "start", "")
	f.deliverAll()
	if len(f.gw.sent()) != 2 {
		t.Fatalf("critical update in quiet hours: %d messages, want 2", len(f.gw.sent()))
	}
}

// A case filed with a life-and-limb signal in quiet hours reaches the
// branch admins at once; an ordinary filing notifies nobody (issue 25).
func TestCriticalFilingNotifiesBranchInQuietHours(t *testing.T) {
	f := setup(t)
	f.now = time.Date(2026, 3, 10, 23, 30, 0, 0, wib)
	plain := f.file("Slip gaji bulan ini belum dibagikan.")
	fire := f.file("Pintu darurat di gedung jahit digembok dari luar selama shift malam, kami takut kalau ada kebakaran.")
	var n int
	f.super("SELECT count(*) FROM outbox WHERE case_id = '"+plain.String()+"'", &n)
	if n != 0 {
		t.Fatalf("an ordinary filing wrote %d notifications", n)
	}
	var info string
	f.super(`SELECT coalesce(string_agg(channel || ' ' || recipient_role || ' ' || critical::text || ' ' ||
		(not_before <= created_at)::text, '; ' ORDER BY channel), '') FROM outbox
		WHERE case_id = '`+fire.String()+`' AND trigger = 'critical_filed'`, &info)
	if !strings.Contains(info, "email branch_admin true true") || !strings.Contains(info, "in_app branch_admin true true") {
		t.Fatalf("critical filing in quiet hours: outbox %q, want an immediate critical email and in-app message to the branch admins", info)
	}
	// The branch has its own admin: the federation admin is not woken.
	var fed int
	f.super(`SELECT count(*) FROM outbox o JOIN users u ON u.id = o.recipient_user_id
		WHERE o.case_id = ? AND u.email = 'admin@spn.example'`, &fed, fire)
	if fed != 0 {
		t.Fatalf("the federation admin got %d notifications of a case in a branch with its own admin", fed)
	}
	f.deliverAll()
	var pending int
	f.super("SELECT count(*) FROM outbox WHERE status = 'pending' AND case_id = '"+fire.String()+"'", &pending)
	if pending != 0 {
		t.Fatalf("%d notifications of the critical case held back in quiet hours", pending)
	}
}

// An anonymous report of a danger that names no workplace sits at the
// union's root, where no branch admin is: its alarm reaches the federation
// admin at once, and not the branch admin of a branch it is not in.
func TestCriticalFilingAtTheRootReachesTheFederationAdmin(t *testing.T) {
	f := setup(t)
	f.now = time.Date(2026, 3, 10, 23, 30, 0, 0, wib)
	var tn tenant.Tenant
	if err := f.tdb.Super.NewSelect().Model(&tn).Where("id = ?", f.tenantID).Scan(f.ctx); err != nil {
		f.t.Fatal(err)
	}
	out, err := f.cases.File(f.ctx, &tn, nil, cases.Filing{Type: "complaint", SafetyMode: "anonymous",
		Description: "Mandor bilang barak kami akan dibakar kalau kami terus ikut rapat serikat."})
	if err != nil {
		t.Fatal(err)
	}
	var to string
	f.super(`SELECT coalesce(string_agg(u.email || ' ' || o.channel, '; ' ORDER BY u.email, o.channel), '') FROM outbox o
		JOIN users u ON u.id = o.recipient_user_id WHERE o.case_id = ? AND o.trigger = 'critical_filed'`, &to, out.ID)
	if !strings.HasPrefix(to, "admin@spn.example email; admin@spn.example in_app") || strings.Contains(to, "branch@") {
		t.Fatalf("critical filing at the root told %q, want the federation admin by email and in-app", to)
	}
	f.deliverAll()
	m := f.smtp.Sent()
	if len(m) != 1 {
		t.Fatalf("%d emails sent in quiet hours, want the alarm", len(m))
	}
	// It says what it is: an urgent report, not an escalation; and nothing
	// of the report's words.
	if body := m[0].Data; !strings.Contains(body, "Laporan mendesak") || strings.Contains(body, "dieskalasi") || strings.Contains(body, "barak") {
		t.Fatalf("alarm email:\n%s", body)
	}
}

// Life-and-limb signals whose rule floor is high (a pregnant worker made to
// lift, a worker bound by a penalty) rather than critical.
const highFloorFiling = "Operator hamil disuruh angkat karung tiap hari di gudang."

// A filing whose rule floor is high reaches the branch admins of its branch
// the same day, as an ordinary (not critical) notice that names only the
// reference; the admin of another branch hears nothing.
func TestHighFloorFilingNotifiesBranchAdmin(t *testing.T) {
	f := setup(t)
	var bantenAdmin uuid.UUID
	f.super(`INSERT INTO users (tenant_id, kind, name, email, password_hash)
		VALUES (?, 'staff', 'Admin Banten', 'banten@spn.example', 'x') RETURNING id`, &bantenAdmin, f.tenantID)
	f.exec(`INSERT INTO memberships (tenant_id, user_id, role, branch_id)
		SELECT tenant_id, ?, 'branch_admin', id FROM branches WHERE tenant_id = ? AND path = 'spn/banten'`, bantenAdmin, f.tenantID)

	id := f.file(highFloorFiling)
	var urgency, ref string
	f.super("SELECT urgency FROM cases WHERE id = ?", &urgency, id)
	f.super("SELECT reference FROM cases WHERE id = ?", &ref, id)
	if urgency != "high" || !strings.HasPrefix(ref, "SPN-") {
		t.Fatalf("case urgency %q reference %q, want a high case SPN-…", urgency, ref)
	}
	all, err := f.ns.Inbox(f.ctx, f.tenantID, f.branchAdmin, "id", 0)
	if err != nil {
		t.Fatal(err)
	}
	var items []notify.Item // the demo's own cases have theirs
	for _, it := range all {
		if it.CaseID != nil && *it.CaseID == id {
			items = append(items, it)
		}
	}
	want := "Laporan prioritas tinggi " + ref + ": perlu ditangani hari ini. Buka https://spn.suara.test/cases/" + id.String()
	if len(items) != 1 || items[0].Kind != "urgent_filed" || items[0].Text != want {
		t.Fatalf("branch admin inbox about the case %+v, want one urgent_filed %q", items, want)
	}
	var info string
	f.super(`SELECT coalesce(string_agg(channel || ' ' || critical::text || ' ' || (not_before <= created_at)::text, '; '
		ORDER BY channel), '') FROM outbox WHERE case_id = ? AND recipient_user_id = ?`, &info, id, f.branchAdmin.UserID)
	if info != "email false true; in_app false true" {
		t.Fatalf("branch admin outbox %q, want a non-critical email and in-app notice at once", info)
	}
	var others int
	f.super("SELECT count(*) FROM outbox WHERE case_id = ? AND recipient_user_id <> ?", &others, id, f.branchAdmin.UserID)
	if others != 0 {
		t.Fatalf("%d notifications to others than the case's branch admin (another branch's admin, the federation admin)", others)
	}
	f.deliverAll()
	m := f.smtp.Sent()
	if len(m) != 1 || m[0].To != f.branchEmail || !strings.Contains(m[0].Data, "Laporan prioritas tinggi "+ref) ||
		strings.Contains(m[0].Data, "hamil") || strings.Contains(m[0].Data, "karung") {
		t.Fatalf("sent %d emails, first:\n%v", len(m), m)
	}
}

// In quiet hours a high-floor filing does not wake the branch: its message
// waits until quiet hours end, while a critical one goes at once.
func TestHighFloorFilingWaitsForQuietHoursToEnd(t *testing.T) {
	f := setup(t)
	f.now = time.Date(2026, 3, 10, 23, 30, 0, 0, wib)
	high := f.file(highFloorFiling)
	fire := f.file("Pintu darurat di gedung jahit digembok dari luar selama shift malam, kami takut kalau ada kebakaran.")
	row := func(caseID uuid.UUID) (id uuid.UUID, critical bool, notBefore time.Time) {
		t.Helper()
		err := f.tdb.Super.QueryRowContext(f.ctx, `SELECT id, critical, not_before FROM outbox
			WHERE case_id = ? AND channel = 'email' AND recipient_user_id = ?`, caseID, f.branchAdmin.UserID).Scan(&id, &critical, &notBefore)
		if err != nil {
			t.Fatalf("the branch admin's email about %s: %v", caseID, err)
		}
		return id, critical, notBefore
	}
	highRow, critical, notBefore := row(high)
	if want := time.Date(2026, 3, 11, 6, 0, 0, 0, wib); critical || !notBefore.Equal(want) {
		t.Fatalf("high filing in quiet hours: critical %v, not_before %s, want held until %s", critical, notBefore, want)
	}
	fireRow, critical, notBefore := row(fire)
	if !critical || notBefore.After(f.now) {
		t.Fatalf("critical filing in quiet hours: critical %v, not_before %s, want at once", critical, notBefore)
	}
	// The in-app notice is there at once, as for any notice.
	var inApp int
	f.super("SELECT count(*) FROM outbox WHERE case_id = ? AND channel = 'in_app' AND trigger = 'urgent_filed'", &inApp, high)
	if inApp != 1 {
		t.Fatalf("%d in-app notices of the high filing, want 1", inApp)
	}
	var d *notify.DeferredError
	if err := f.ns.Deliver(f.ctx, f.tenantID, highRow, false); !errors.As(err, &d) {
		t.Fatalf("delivery of the high filing's email in quiet hours: %v", err)
	}
	if err := f.ns.Deliver(f.ctx, f.tenantID, fireRow, false); err != nil {
		t.Fatal(err)
	}
	if m := f.smtp.Sent(); len(m) != 1 || !strings.Contains(m[0].Data, "Laporan mendesak") {
		t.Fatalf("%d emails in quiet hours, want the critical alarm only", len(m))
	}
	f.now = time.Date(2026, 3, 11, 6, 1, 0, 0, wib)
	f.deliverAll()
	if m := f.smtp.Sent(); len(m) != 2 || !strings.Contains(m[1].Data, "Laporan prioritas tinggi") {
		t.Fatalf("after quiet hours: %d emails, want the high filing's too", len(m))
	}
}

// Notices of the same moment (an anonymous case's all carry its hour) list
// the unread before the read: a new urgent report must not sink below an
// alarm the admin has already opened.
func TestInboxListsUnreadFirstWithinTheSameTime(t *testing.T) {
	f := setup(t)
	fire := f.file("Pintu darurat gudang digembok dari luar tiap malam.")
	high := f.file(highFloorFiling)
	// The same clock stamped both; make the read alarm's id the larger, so
	// that only the read state can put the urgent notice first.
	f.exec(`UPDATE outbox SET id = 'ffffffff-ffff-4fff-bfff-ffffffffffff', read_at = created_at
		WHERE case_id = ? AND channel = 'in_app' AND recipient_user_id = ?`, fire, f.branchAdmin.UserID)
	f.exec(`UPDATE outbox SET id = '00000000-0000-4000-8000-000000000001'
		WHERE case_id = ? AND channel = 'in_app' AND recipient_user_id = ?`, high, f.branchAdmin.UserID)
	all, err := f.ns.Inbox(f.ctx, f.tenantID, f.branchAdmin, "id", 0)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, it := range all {
		if it.CaseID != nil && (*it.CaseID == fire || *it.CaseID == high) {
			order = append(order, it.Kind)
		}
	}
	if strings.Join(order, " ") != "urgent_filed critical_filed" {
		t.Fatalf("inbox order %v, want the unread urgent notice before the read alarm", order)
	}
}

// A filing no rule raises notifies nobody at filing, though high-floor
// filings beside it do: a penalty that binds a worker, and sexual harassment
// short of assault (round 12 of the urgency rules), which the branch hears
// of today without the critical alarm.
func TestOrdinaryFilingNotifiesNobody(t *testing.T) {
	f := setup(t)
	plain := f.file("Slip gaji tidak jelas, potongannya tidak dirinci.")
	var n int
	f.super("SELECT count(*) FROM outbox WHERE case_id = ?", &n, plain)
	if n != 0 {
		t.Fatalf("an ordinary filing wrote %d notifications", n)
	}
	for _, text := range []string{
		"Kami tidak boleh resign kalau belum bayar denda.",
		"Supervisor sering pegang pinggang operator perempuan waktu cek jahitan.",
	} {
		high := f.file(text)
		var urgent, critical int
		f.super("SELECT count(*) FROM outbox WHERE case_id = ? AND trigger = 'urgent_filed'", &urgent, high)
		f.super("SELECT count(*) FROM outbox WHERE case_id = ? AND critical", &critical, high)
		if urgent == 0 || critical != 0 {
			t.Fatalf("%q: %d urgent and %d critical notifications, want urgent ones only", text, urgent, critical)
		}
	}
}

// A delivery that fails is logged at the moment of the attempt, which for
// an anonymous filing's alarm is the filing's minute: the line names no
// outbox row, which would name the case (admins find failed rows on the
// notifications page, with their error).
func TestFailedDeliveryLogNamesNoCase(t *testing.T) {
	f := setup(t)
	f.exec("UPDATE users SET phone = '+6281299990001' WHERE email = 'admin@spn.example'")
	f.gw.failFirst = -1
	var tn tenant.Tenant
	if err := f.tdb.Super.NewSelect().Model(&tn).Where("id = ?", f.tenantID).Scan(f.ctx); err != nil {
		t.Fatal(err)
	}
	out, err := f.cases.File(f.ctx, &tn, nil, cases.Filing{Type: "complaint", SafetyMode: "anonymous",
		Description: "Pintu darurat digembok dari luar saat shift malam, kami tidak bisa keluar."})
	if err != nil {
		t.Fatal(err)
	}
	rows := f.pending()
	if len(rows) == 0 {
		t.Fatal("no outside alarm queued")
	}
	failed := 0
	for _, id := range rows {
		if err := f.ns.Deliver(f.ctx, f.tenantID, id, false); err != nil {
			failed++
		}
	}
	if failed == 0 {
		t.Fatal("no delivery went through the failing SMS gateway")
	}
	logs := f.logs.String()
	if !strings.Contains(logs, "notification delivery failed") {
		t.Fatalf("the failure was not logged:\n%s", logs)
	}
	for _, id := range append(rows, out.ID) {
		if strings.Contains(logs, id.String()) {
			t.Errorf("the log names %s:\n%s", id, logs)
		}
	}
}

// Opting out stops outside messages (already queued ones are skipped, not
// sent); in-app notifications continue. WhatsApp needs a recorded opt-in.
func TestOptOutAndWhatsAppConsent(t *testing.T) {
	f := setup(t)
	id := f.file("Upah lembur kami tidak dibayar sejak tiga bulan.")
	f.transition(f.officer, id, "verify", "")
	for _, m := range f.gw.sent() {
		if m.Channel == "whatsapp" {
			t.Fatal("WhatsApp without opt-in")
		}
	}
	queued := f.pending()
	prefs, err := f.ns.SetPreferences(f.ctx, f.tenantID, f.worker, notify.PreferencesInput{Stop: ptr(true), WhatsApp: ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	if prefs.WhatsAppOptInAt == nil || prefs.StoppedAt == nil {
		t.Fatalf("consent and stop not recorded: %+v", prefs)
	}
	f.deliverAll()
	if len(f.gw.sent()) != 0 {
		t.Fatal("a message went out after opting out")
	}
	var status string
	f.super("SELECT status FROM outbox WHERE id = '"+queued[0].String()+"'", &status)
	if status != notify.StatusSkipped {
		t.Fatalf("queued row after opt-out: %s", status)
	}
	f.transition(f.officer, id, "start", "")
	if n := len(f.pending()); n != 0 {
		t.Fatalf("%d outside rows written after opt-out", n)
	}
	items, err := f.ns.Inbox(f.ctx, f.tenantID, f.worker, "en", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || !strings.HasPrefix(items[0].Text, "There is an update on your report") {
		t.Fatalf("in-app after opt-out: %+v", items)
	}
	// Resuming with WhatsApp consented: both channels.
	if _, err := f.ns.SetPreferences(f.ctx, f.tenantID, f.worker, notify.PreferencesInput{Stop: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	f.transition(f.officer, id, "resolve", "")
	f.deliverAll()
	got := map[string]int{}
	for _, m := range f.gw.sent() {
		got[m.Channel]++
	}
	if got["sms"] != 1 || got["whatsapp"] != 1 {
		t.Fatalf("after resuming: %v", got)
	}
}
